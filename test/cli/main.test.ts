/**
 * The CLI entry itself: `--store DIR` given before the command (where
 * docker's and skopeo's global flags go) reaches every command.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'layerfs-main-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function cli(argv: string[], env: Record<string, string | undefined> = {}) {
  let out = '';
  let err = '';
  const dec = new TextDecoder();
  const w = (f: (s: string) => void) => ({ write: (s: string | Uint8Array) => f(typeof s === 'string' ? s : dec.decode(s)) });
  const code = await main(argv, { stdout: w((s) => (out += s)), stderr: w((s) => (err += s)), env });
  return { code, out, err };
}

describe('layerfs global options', () => {
  it('--store DIR and --store=DIR before the command select the store', async () => {
    const a = path.join(work, 'a');
    const b = path.join(work, 'b');
    expect((await cli(['--store', a, 'volume', 'create', 'va'])).code).toBe(0);
    expect((await cli([`--store=${b}`, 'volume', 'create', 'vb'])).code).toBe(0);
    expect((await cli(['--store', a, 'volume', 'ls'])).out).toContain('va');
    expect((await cli(['--store', a, 'volume', 'ls'])).out).not.toContain('vb');
    expect((await cli(['volume', 'ls', '--store', b])).out).toContain('vb');
    // The global option wins over LAYERFS_HOME; a command's own --store wins over both.
    expect((await cli(['--store', b, 'volume', 'ls'], { LAYERFS_HOME: a })).out).toContain('vb');
    const own = await cli(['--store', a, 'volume', 'ls', '--store', b]);
    expect(own.out).toContain('vb');
    expect(own.out).not.toContain('va');
    expect(fs.existsSync(path.join(work, 'undefined'))).toBe(false);
  });

  it('--store without a directory is a usage error', async () => {
    const r = await cli(['--store=', 'volume', 'ls']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--store needs a directory');
    const r2 = await cli(['--store']);
    expect(r2.code).toBe(2);
    expect(r2.err).toContain("unknown command '--store'");
  });

  it('COMMAND --help and -h print its usage and run nothing', async () => {
    const dir = path.join(work, 'help');
    for (const flag of ['--help', '-h']) {
      const r = await cli(['--store', dir, 'volume', 'create', 'v1', flag]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^usage: layerfs volume create /);
      expect(r.err).toBe('');
    }
    expect((await cli(['--store', dir, 'volume', 'ls'])).out).not.toContain('v1');
    // After `--` it is an operand: here a volume name the command refuses.
    const op = await cli(['--store', dir, 'volume', 'create', '--', '--help']);
    expect(op.out).not.toContain('usage:');
    expect(op.code).not.toBe(0);
  });
});
