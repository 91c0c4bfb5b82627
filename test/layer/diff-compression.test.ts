/**
 * Layers written compressed: gzip and zstd output is read back by the
 * reference tools (gzip via node:zlib, the zstd CLI) into the same tar, and
 * applyLayer detects the compression from the bytes.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { applyLayer } from '../../src/layer/apply.js';
import { diffTrees } from '../../src/layer/diff.js';
import { MemoryTree } from '../../src/tree/memory.js';
import { requireTools } from '../helpers/tools.js';
import { snapshot } from './helpers.js';

describe('compressed layers', () => {
  for (const compression of ['gzip', 'zstd'] as const) {
    test(`${compression}: same diffId as the plain tar, decodable by the reference tool, applied by detection`, async () => {
      requireTools('zstd');
      const lower = await MemoryTree.from([{ path: 'a', content: 'a' }]);
      const upper = await MemoryTree.from([{ path: 'b/c', content: 'c'.repeat(5000) }]);
      const plain = await diffTrees(lower, upper, { compression: 'none' });
      const packed = await diffTrees(lower, upper, { compression });
      expect(packed.diffId).toBe(plain.diffId);
      expect(packed.digest).toBe(`sha256:${createHash('sha256').update(packed.bytes!).digest('hex')}`);
      expect(packed.mediaType).toBe(`application/vnd.oci.image.layer.v1.tar+${compression}`);
      const tool = compression === 'gzip' ? 'gzip' : 'zstd';
      const tar = execFileSync(tool, ['-dc'], { input: packed.bytes! });
      expect(new Uint8Array(tar)).toEqual(plain.bytes);
      const target = await MemoryTree.from([{ path: 'a', content: 'a' }]);
      await applyLayer(packed.bytes!, target);
      expect(await snapshot(target)).toEqual(await snapshot(upper));
    });
  }
});
