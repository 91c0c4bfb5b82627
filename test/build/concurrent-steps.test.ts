/**
 * A cold build packs the next COPY while the current one is still being
 * written (speculative packing), so two layer writers, two gzip streams and
 * two readers of one context's read buffer are busy at once. Each layer
 * must still hold exactly its files, and the build must be reproducible:
 * a layer of a few MiB of small text and binary files, as a real context.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/node.js';
import { build } from '../../src/build/index.js';
import { prng } from '../helpers/prng.js';
import { requireTools } from '../helpers/tools.js';

requireTools('tar', 'gzip');

let tmp: string;
let ctxDir: string;
const WORDS = 'the of and to in is that for it as with was on be by this are from or at an which have'.split(' ');

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerfs-build-concurrent-'));
  ctxDir = path.join(tmp, 'ctx');
  const r = prng(7);
  for (const part of ['a', 'b', 'c']) {
    fs.mkdirSync(path.join(ctxDir, part), { recursive: true });
    // ~3 MiB a part: files of 1-60 KiB, a third random (binaries), the rest text.
    for (let i = 0, n = 0; n < 3 << 20; i++) {
      const size = 1024 + Math.floor(r() * 60 * 1024);
      let body: Uint8Array;
      if (i % 3 === 0) body = Uint8Array.from({ length: size }, () => Math.floor(r() * 256));
      else {
        let s = '';
        while (s.length < size) s += WORDS[Math.floor(r() * WORDS.length)] + ' ';
        body = new TextEncoder().encode(s.slice(0, size));
      }
      fs.writeFileSync(path.join(ctxDir, part, `f${i}`), body);
      n += size;
    }
  }
  fs.writeFileSync(path.join(ctxDir, 'Dockerfile'), 'FROM scratch\nCOPY a /app/a\nCOPY b /app/b\nENV X=1\nCOPY c /app/c\n');
  fs.writeFileSync(path.join(ctxDir, '.dockerignore'), 'Dockerfile\n.dockerignore\n');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('COPY steps packed at the same time', () => {
  it('each layer unpacks (gzip -d, GNU tar) to exactly its files, and two cold builds give the same image', async () => {
    const ids: string[] = [];
    for (const k of [0, 1]) {
      const storeDir = path.join(tmp, `store${k}`);
      const store = await openStore(storeDir);
      const res = await build(store, { context: ctxDir, sourceDateEpoch: 1700000000 });
      ids.push(res.id);
      expect(res.image.layers).toHaveLength(3);
      const out = path.join(tmp, `unpacked${k}`);
      fs.mkdirSync(out);
      for (const l of res.image.layers) {
        const blob = path.join(storeDir, 'blobs', 'sha256', l.digest.slice('sha256:'.length));
        execFileSync('gzip', ['-t', blob]);
        execFileSync('tar', ['-xzf', blob, '-C', out]);
      }
      for (const part of ['a', 'b', 'c']) {
        for (const f of fs.readdirSync(path.join(ctxDir, part))) {
          const want = fs.readFileSync(path.join(ctxDir, part, f));
          const got = fs.readFileSync(path.join(out, 'app', part, f));
          if (!want.equals(got)) expect.fail(`layer file app/${part}/${f} differs from the context's`);
        }
      }
    }
    expect(ids[1]).toBe(ids[0]);
  });
});
