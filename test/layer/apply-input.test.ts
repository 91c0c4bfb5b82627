/**
 * applyLayer on bad or unusual input: typed errors only (never a crash, a
 * Wasm trap or a hang), and the unpadded ending umoci 0.4.7 `insert` writes.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { InvalidTarError, LayerfsError, UnsupportedError } from '../../src/errors/index.js';
import { applyLayer } from '../../src/layer/apply.js';
import { MemoryTree } from '../../src/tree/memory.js';
import { makeLayer, snapshot } from './helpers.js';

const layer = makeLayer([{ path: 'a', content: 'x'.repeat(600) }, { path: 'b', content: 'hello' }]);
// Offset of b's content: header a (512) + a's content padded (1024) + header b (512).
const bData = 512 + 1024 + 512;

describe('applyLayer input', () => {
  test('a tar that stops right after the last content, without padding or end blocks (umoci insert), is accepted', async () => {
    const t = new MemoryTree();
    await applyLayer(layer.subarray(0, bData + 5), t);
    expect(await snapshot(t, { text: true })).toMatchObject({ b: 'file 644 0:0 "hello"' });
  });
  test('a tar truncated inside the content is INVALID_TAR', async () => {
    await expect(applyLayer(layer.subarray(0, bData + 3), new MemoryTree())).rejects.toBeInstanceOf(InvalidTarError);
    await expect(applyLayer(layer.subarray(0, 700), new MemoryTree())).rejects.toBeInstanceOf(InvalidTarError);
  });
  test('garbage, a corrupt gzip stream and a truncated gzip stream are typed errors', async () => {
    const garbage = new Uint8Array(2048).map((_, i) => (i * 7919) & 0xff);
    const gz = gzipSync(layer);
    const corrupt = gz.slice();
    corrupt[20] ^= 0xff;
    for (const bad of [garbage, corrupt, gz.subarray(0, gz.length >> 1)]) {
      const err = await applyLayer(bad, new MemoryTree()).then(() => undefined, (e) => e);
      expect(err).toBeInstanceOf(LayerfsError);
    }
  });
  test('an empty input is an empty layer', async () => {
    const t = await MemoryTree.from([{ path: 'keep', content: 'k' }]);
    await applyLayer(new Uint8Array(0), t);
    expect(Object.keys(await snapshot(t))).toEqual(['keep']);
  });
});

describe('trees that cannot make device nodes (NodeDirTree without root)', () => {
  class NoDevices extends MemoryTree {
    override async mknod(path: string, type: 'char' | 'block' | 'fifo', major: number, minor: number): Promise<void> {
      if (type !== 'fifo') throw new UnsupportedError(`no device nodes here`, { path });
      return super.mknod(path, type, major, minor);
    }
  }
  const devLayer = makeLayer([{ path: 'dev/null', type: 'char', devmajor: 1, devminor: 3 }, { path: 'dev/fifo', type: 'fifo' }, { path: 'etc/x', content: 'x' }]);
  test('without onWarning: UNSUPPORTED naming the path', async () => {
    const err = await applyLayer(devLayer, new NoDevices()).then(() => undefined, (e) => e);
    expect(err).toBeInstanceOf(UnsupportedError);
    expect(err.data.path).toBe('dev/null');
  });
  test('with onWarning: the device is skipped, the rest applied, the warning names it', async () => {
    const warnings: string[] = [];
    const t = new NoDevices();
    await applyLayer(devLayer, t, { onWarning: (_m, p) => void warnings.push(p) });
    expect(warnings).toEqual(['dev/null']);
    expect(Object.keys(await snapshot(t))).toEqual(['dev', 'dev/fifo', 'etc', 'etc/x']);
  });
});
