/**
 * The diff, apply and layer ls commands, run through the CLI dispatcher with
 * captured output: exit codes, printed digests (checked with node:crypto and
 * GNU tar), and the one-line error with code and path.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { requireTools } from '../helpers/tools.js';
import { makeLayer } from './helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'layerfs-cli-'));
  dirs.push(d);
  return d;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: { write: (s: string | Uint8Array) => void (out += String(s)) },
    stderr: { write: (s: string | Uint8Array) => void (err += String(s)) },
    env: {},
  });
  return { code, out, err };
}

describe('layerfs diff / apply / layer ls', () => {
  test('diff writes a layer whose printed digest and diffId are right; apply reproduces the upper; layer ls lists kinds', async () => {
    requireTools('tar');
    const w = tmp();
    const lower = join(w, 'lower');
    const upper = join(w, 'upper');
    for (const d of [lower, upper]) {
      mkdirSync(join(d, 'dir/sub'), { recursive: true });
      writeFileSync(join(d, 'dir/sub/f'), 'f');
      writeFileSync(join(d, 'same'), 'same');
    }
    rmSync(join(upper, 'dir'), { recursive: true });
    writeFileSync(join(upper, 'added'), 'new file');
    const out = join(w, 'layer.tar.gz');
    const r = await cli('diff', lower, upper, '-o', out, '--gzip', '--source-date-epoch', '1700000000');
    expect(r.code).toBe(0);
    const bytes = readFileSync(out);
    expect(r.out).toContain(`digest: sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    expect(r.out).toContain(`diffId: sha256:${createHash('sha256').update(gunzipSync(bytes)).digest('hex')}`);
    expect(execFileSync('tar', ['-tzf', out], { encoding: 'utf8' }).split('\n').filter(Boolean).sort()).toEqual(['.wh.dir', 'added']);

    const ls = await cli('layer', 'ls', out, '--json');
    expect(JSON.parse(ls.out).map((x: { kind: string; path: string }) => `${x.kind} ${x.path}`)).toEqual(['whiteout dir', 'add added']);
    const ls2 = await cli('layer', 'ls', out, '--lower', upper);
    expect(ls2.out).toMatch(/^whiteout .* dir\nmodify +file +0644 +8 added\n$/);

    const a = await cli('apply', out, lower);
    expect(a.code).toBe(0);
    expect(existsSync(join(lower, 'dir'))).toBe(false);
    expect(readFileSync(join(lower, 'added'), 'utf8')).toBe('new file');
  });

  test('failures: one line with the code and the path, exit 1; usage errors exit 2', async () => {
    const w = tmp();
    const evil = join(w, 'evil.tar');
    writeFileSync(evil, makeLayer([{ path: '../../escape', content: 'x' }]));
    mkdirSync(join(w, 'root'));
    const r = await cli('apply', evil, join(w, 'root'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^layerfs: UNSAFE_PATH: .*\(\.\.\/\.\.\/escape\)\n$/);
    const bad = join(w, 'bad.tar');
    writeFileSync(bad, new Uint8Array(700).fill(65));
    const b = await cli('layer', 'ls', bad);
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/^layerfs: INVALID_TAR: /);
    expect((await cli('apply', join(w, 'missing.tar'), w)).err).toMatch(/NOT_FOUND/);
    expect((await cli('diff', w)).code).toBe(2);
  });
});
