/**
 * Robustness: layers with random bytes flipped, cut short or spliced are
 * applied to a memory tree; the only failures allowed are LayerfsErrors
 * (INVALID_TAR, UNSAFE_PATH, INVALID_WHITEOUT, ...) — never a TypeError, a
 * RangeError, a Wasm trap or a hang.
 */
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { LayerfsError } from '../../src/errors/index.js';
import { applyLayer } from '../../src/layer/apply.js';
import { MemoryTree } from '../../src/tree/memory.js';
import { makeLayer } from './helpers.js';

const base = makeLayer([
  { path: 'etc/', type: 'directory' },
  { path: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' },
  { path: 'etc/.wh.shadow' },
  { path: 'l', type: 'symlink', linkname: '../..' },
  { path: 'h', type: 'hardlink', linkname: 'etc/passwd' },
  { path: 'd/.wh..wh..opq' },
  { path: 'dev/null', type: 'char', devmajor: 1, devminor: 3 },
  { path: 'x'.repeat(150) + '/y', content: 'long name, PAX' },
]);

async function tryApply(bytes: Uint8Array): Promise<void> {
  const t = await MemoryTree.from([{ path: 'etc/shadow', content: 's' }, { path: 'd/old', content: 'o' }]);
  try {
    await applyLayer(bytes, t);
  } catch (e) {
    if (!(e instanceof LayerfsError)) throw e;
  }
}

describe('applyLayer on damaged layers', () => {
  test('random byte flips, truncations and splices fail only with LayerfsErrors (fast-check, 300 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat({ max: base.length }),
        fc.boolean(),
        async (flips, cut, gzip) => {
          const b = base.slice(0, Math.max(cut, 1));
          for (const [i, v] of flips) if (i < b.length) b[i] = v;
          await tryApply(gzip ? gzipSync(b) : b);
        },
      ),
      { numRuns: 300 },
    );
  });
  test('a header path rewritten to names that climb out is UNSAFE_PATH, the tree untouched outside', async () => {
    const t = new MemoryTree();
    const err = await applyLayer(makeLayer([{ path: 'a/../../../etc/passwd', content: 'x' }]), t).then(() => undefined, (e) => e);
    expect(err?.code).toBe('UNSAFE_PATH');
    expect([...(await (async () => { const o: string[] = []; for await (const e of t.walk()) o.push(e.path); return o; })())]).toEqual([]);
  });
});
