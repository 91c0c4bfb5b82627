/**
 * `layerfs hash` through the BUILT command (bin/layerfs.js -> dist/cli; npm
 * test builds first), compared with coreutils sha256sum and sha512sum.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/layerfs.js', import.meta.url));
const dist = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

function layerfs(args: string[], input?: Uint8Array) {
  return spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', maxBuffer: 1 << 24 });
}

/** `sha256sum FILE...` lines as `sha256:HEX  FILE`, the form layerfs prints. */
function coreutils(tool: 'sha256sum' | 'sha512sum', files: string[], input?: Uint8Array): string {
  const out = execFileSync(tool, files, { input, encoding: 'utf8' });
  const alg = tool.slice(0, 6);
  return out.replace(/^([0-9a-f]+) [ *](.*)$/gm, `${alg}:$1  $2`);
}

describe('layerfs hash (built CLI) vs coreutils', () => {
  let dir: string;
  let files: string[];

  beforeAll(() => {
    expect(existsSync(dist), 'dist/ is missing: run `npm run build` (npm test does)').toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'layerfs-hash-'));
    files = [
      ['empty', new Uint8Array(0)],
      ['abc', new TextEncoder().encode('abc')],
      ['block-edge', randomBytes(55)],
      ['random-1M', randomBytes(1_000_003)],
      ['random-5M', randomBytes(5 * 1024 * 1024 + 17)],
    ].map(([name, data]) => {
      const p = join(dir, name as string);
      writeFileSync(p, data as Uint8Array);
      return p;
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sha256 of several files, one line each, like sha256sum', () => {
    const r = layerfs(['hash', ...files]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(coreutils('sha256sum', files));
  });

  it('sha512 with --algorithm', () => {
    const r = layerfs(['hash', '--algorithm', 'sha512', ...files]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(coreutils('sha512sum', files));
  });

  it('reads stdin for -', () => {
    const data = randomBytes(300_000);
    const r = layerfs(['hash', '-'], data);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(coreutils('sha256sum', ['-'], data));
  });

  it('a missing file or a directory fails with a typed error (exit 1), not a crash', () => {
    const r = layerfs(['hash', join(dir, 'no-such-file')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/NOT_FOUND.*no-such-file/);
    const d = layerfs(['hash', dir]);
    expect(d.status).toBe(1);
    expect(d.stderr).toMatch(/INVALID_ARGUMENT/);
  });

  it('an unknown algorithm is a usage error (exit 2)', () => {
    const r = layerfs(['hash', '--algorithm', 'md5', files[0]!]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/md5/);
  });
});
