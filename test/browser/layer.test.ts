/** Layer diff and apply on in-memory trees, in Chromium: whiteouts, opaque markers, deterministic digests. */
import { describe, expect, it } from 'vitest';
import { MemoryTree, applyLayer, diffTrees, encodeTar, parseTarSync, readLayer, sha256, tarHeader } from '../../src/index.js';

async function files(t: MemoryTree): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const dec = new TextDecoder();
  for await (const e of t.walk('')) {
    out[e.path] = e.type === 'file' ? dec.decode(t.readFileBytes(e.path)) : e.type;
  }
  return out;
}

describe('diff and apply in Chromium', () => {
  const base = () =>
    MemoryTree.from([
      { path: 'etc/passwd', content: 'root\n' },
      { path: 'etc/hosts', content: 'localhost\n' },
      { path: 'var/lib/a/x', content: 'x' },
      { path: 'var/lib/a/y', content: 'y' },
      { path: 'keep', content: 'k' },
    ]);

  it('a diff applied to the lower tree gives the upper tree, deletions as whiteouts', async () => {
    const lower = await base();
    const upper = await base();
    await upper.writeFile('etc/hosts', new TextEncoder().encode('127.0.0.1 localhost\n'));
    await upper.remove('var/lib/a');
    await upper.writeFile('new.txt', new TextEncoder().encode('new'));
    for (const compression of ['none', 'gzip', 'zstd'] as const) {
      const d = await diffTrees(lower, upper, { compression, sourceDateEpoch: 0 });
      expect(d.summary).toMatchObject({ added: 1, modified: 1, deleted: 1 });
      const idx = await readLayer(d.bytes!);
      expect(idx.digest).toBe(d.digest);
      expect(idx.diffId).toBe(d.diffId);
      expect(await sha256(d.bytes!)).toBe(d.digest);
      const names = idx.entries.map((e) => e.path.replace(/^\.?\//, ''));
      expect(names).toContain('var/lib/.wh.a');
      expect(names.some((n) => n.startsWith('var/lib/a/'))).toBe(false); // one whiteout for the directory (rule 10)
      const target = await base();
      await applyLayer(d.bytes!, target);
      expect(await files(target)).toEqual(await files(upper));
    }
  });

  it('the same trees give the same digest (deterministic output)', async () => {
    const a = await diffTrees(new MemoryTree(), await base(), { sourceDateEpoch: 0 });
    const b = await diffTrees(new MemoryTree(), await base(), { sourceDateEpoch: 0 });
    expect(a.digest).toBe(b.digest);
    expect(a.diffId).toBe(b.diffId);
  });

  it('applies opaque markers and same-layer whiteouts as the spec says (rules 8, 9)', async () => {
    const tar = encodeTar([
      { header: tarHeader({ path: 'var/lib/a/', type: 'directory' }) },
      { header: tarHeader({ path: 'var/lib/a/.wh..wh..opq' }) },
      { header: tarHeader({ path: 'var/lib/a/z', size: 1 }), data: new TextEncoder().encode('z') },
      { header: tarHeader({ path: 'etc/.wh.hosts' }) },
      { header: tarHeader({ path: 'etc/hosts', size: 3 }), data: new TextEncoder().encode('new') },
    ]);
    const t = await base();
    await applyLayer(tar, t);
    const f = await files(t);
    expect(f['var/lib/a/z']).toBe('z');
    expect(f['var/lib/a/x']).toBeUndefined();
    expect(f['etc/hosts']).toBe('new');
    expect(Object.keys(f).some((k) => k.includes('.wh.'))).toBe(false);
    expect(parseTarSync(tar).length).toBe(5);
  });
});
