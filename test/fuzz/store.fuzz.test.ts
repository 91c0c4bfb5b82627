/**
 * Fuzz target: random sequences of store operations (images made of shared
 * layers and tagged, retagged, untagged or removed with rmi; containers
 * created, written, committed and removed; stray blobs; gc) against a model
 * of what must be kept. Invariants after every operation: every tag names
 * the image the model says, and every blob of a tagged image or of a
 * container's image reads back (each read is checked against its digest);
 * each container reads back what was written to it. After gc: exactly
 * those blobs are left (nothing live removed, nothing dead kept). Only
 * typed errors escape. Each case draws a memory or a disk store.
 * Second target: a layer index record's attachment (entries as columns and
 * the union table) round-trips random entries, and when damaged (bytes
 * changed or cut) either decodes to as many entries or gives CORRUPT_STORE.
 */
import fc from 'fast-check';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffTrees, Image, MediaType, MemoryTree, openMemoryStore, type Container, type Store } from '../../src/index.js';
import { openStore } from '../../src/node.js';
import { loadCore } from '../../src/core/load.js';
import type { LayerEntry } from '../../src/layer/read.js';
import { decodeIndexBytes, encodeIndexBytes } from '../../src/store/view.js';
import type { EntryType } from '../../src/tar/types.js';
import { prepareLayerTable, type LayerTable } from '../../src/union/table.js';
import { bounded, fuzz, typedOnly } from './harness.js';

interface PoolLayer {
  bytes: Uint8Array;
  digest: string;
  diffId: string;
  size: number;
}

const TAGS = ['a:1', 'a:2', 'b:1', 'c:latest'];

type Op =
  | { op: 'image'; layers: number[]; tag: number }
  | { op: 'untag' | 'rmi'; tag: number }
  | { op: 'create'; tag: number }
  | { op: 'write' | 'rmc'; c: number }
  | { op: 'commit'; c: number; tag: number }
  | { op: 'orphan'; n: number }
  | { op: 'gc' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('image' as const), layers: fc.array(fc.nat(3), { minLength: 1, maxLength: 3 }), tag: fc.nat(TAGS.length - 1) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('untag' as const, 'rmi' as const), tag: fc.nat(TAGS.length - 1) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('create' as const), tag: fc.nat(TAGS.length - 1) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('write' as const, 'rmc' as const), c: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('commit' as const), c: fc.nat(3), tag: fc.nat(TAGS.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('orphan' as const), n: fc.nat(1000) }) },
  { weight: 2, arbitrary: fc.constant({ op: 'gc' as const }) },
);

/** The blobs an image needs: its manifest, its config, its layers. */
const blobsOf = (img: Image) => [img.digest, img.id, ...img.layers.map((l) => l.digest)];

describe('fuzz: store', () => {
  it('random image, tag, container and gc operations keep exactly what is reachable', async () => {
    // Four small layers, shared between the images the cases make.
    const pool: PoolLayer[] = [];
    for (let i = 0; i < 4; i++) {
      const t = await MemoryTree.from([{ path: 'etc', mode: 0o755 }, { path: `etc/f${i}`, content: `layer ${i}\n` }, { path: 'shared', content: `${i}` }]);
      const r = await diffTrees(new MemoryTree(), t, { compression: 'gzip' });
      pool.push({ bytes: r.bytes!, digest: r.digest, diffId: r.diffId, size: r.size });
    }
    const arb = fc.record({ ops: fc.array(opArb, { minLength: 1, maxLength: 25 }), disk: fc.boolean() });
    await fuzz('store-gc', 10, arb, ({ ops, disk }) =>
      bounded('store-gc', async () => {
        const dir = disk ? await fs.mkdtemp(path.join(os.tmpdir(), 'layerfs-fuzz-store-')) : undefined;
        try {
          await storeCase(dir ? await openStore(dir) : await openMemoryStore(), ops, pool);
        } finally {
          if (dir) await fs.rm(dir, { recursive: true, force: true });
        }
      }),
    );
  });

  it('layer index attachments: random entries come back as they went in; damaged bytes give CORRUPT_STORE only', async () => {
    const core = await loadCore();
    const num = fc.oneof(fc.nat(0o7777), fc.maxSafeNat(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)));
    const entryArb = fc.record({
      path: fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('etc', 'etc/hosts', 'usr/lib/x', 'a/.wh.b', 'a/.wh..wh..opq', '../up')),
      type: fc.constantFrom<EntryType>('file', 'hardlink', 'symlink', 'char', 'block', 'directory', 'fifo'),
      mode: num,
      uid: num,
      gid: num,
      uname: fc.constantFrom('', 'root'),
      gname: fc.string({ maxLength: 3 }),
      size: num,
      mtime: num,
      linkname: fc.string({ maxLength: 8 }),
      devmajor: fc.nat(9),
      devminor: fc.nat(9),
      offset: fc.maxSafeNat(),
      xattrs: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.uint8Array({ maxLength: 4 }), { maxKeys: 2 }),
      contentDigest: fc.option(fc.stringMatching(/^sha256:[0-9a-f]{64}$/), { nil: undefined }),
    });
    const damage = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.constant({ kind: 'none' as const }),
    );
    const arb = fc.record({ entries: fc.array(entryArb, { maxLength: 25 }), damage });
    await fuzz('store-index-bytes', 60, arb, ({ entries: raw, damage: d }) => {
      const entries = raw.map(({ contentDigest, ...e }) => (contentDigest === undefined ? e : { ...e, contentDigest })) as LayerEntry[];
      let table: LayerTable | undefined;
      try {
        table = prepareLayerTable(core, { entries });
      } catch (e) {
        typedOnly(e); // a layer a view refuses has no table
      }
      const bytes = encodeIndexBytes(entries, table);
      if (d.kind === 'none') {
        const back = decodeIndexBytes(bytes, entries.length);
        expect(back.entries).toEqual(entries);
        expect(back.table === undefined).toBe(table === undefined);
        return;
      }
      const bad = d.kind === 'cut' ? bytes.slice(0, d.at % bytes.length) : bytes.slice();
      if (d.kind === 'flip') for (const [i, v] of d.at) bad[i % bad.length] = v;
      try {
        const back = decodeIndexBytes(bad, entries.length);
        expect(back.entries).toHaveLength(entries.length);
      } catch (e) {
        expect(typedOnly(e)).toBe('CORRUPT_STORE');
      }
    });
  });
});

/** One case: the operations on a fresh store, checked after each against the model. */
async function storeCase(store: Store, ops: Op[], pool: PoolLayer[]): Promise<void> {
  const tags = new Map<string, Image>(); // the model: tag -> image
  const containers: Array<{ c: Container; image: Image; content?: string }> = [];
  for (const [step, o] of ops.entries()) {
    const at = { step, o };
    switch (o.op) {
      case 'image': {
        let img = await Image.empty({ os: 'linux', architecture: 'amd64' }, '2024-01-01T00:00:00Z');
        for (const i of o.layers) {
          const l = pool[i]!;
          await store.putBlob(l.bytes, { digest: l.digest });
          img = await img.withLayers([{ digest: l.digest, diffId: l.diffId, size: l.size, mediaType: MediaType.ociLayerGzip }]);
        }
        await store.putImage(img, [TAGS[o.tag]!]);
        tags.set(TAGS[o.tag]!, img);
        break;
      }
      case 'untag':
      case 'rmi': {
        const tag = TAGS[o.tag]!;
        try {
          await (o.op === 'untag' ? store.untag(tag) : store.rmi(tag));
          expect({ at, had: tags.has(tag) }).toEqual({ at, had: true });
          tags.delete(tag);
        } catch (e) {
          expect({ at, code: typedOnly(e), had: tags.has(tag) }).toEqual({ at, code: 'NOT_FOUND', had: false });
        }
        break;
      }
      case 'create': {
        const img = tags.get(TAGS[o.tag]!);
        if (!img) break;
        containers.push({ c: await store.createContainer(TAGS[o.tag]!), image: img });
        break;
      }
      case 'write': {
        const x = containers[o.c];
        if (!x) break;
        x.content = `written at step ${step}`;
        await x.c.writeFile('/etc/written', x.content);
        break;
      }
      case 'commit': {
        const x = containers[o.c];
        if (!x) break;
        tags.set(TAGS[o.tag]!, await x.c.commit({ tag: TAGS[o.tag]! }));
        break;
      }
      case 'rmc': {
        const x = containers[o.c];
        if (!x) break;
        await store.removeContainer(x.c.id);
        containers.splice(o.c, 1);
        break;
      }
      case 'orphan':
        await store.putBlob(new TextEncoder().encode(`stray ${o.n} ${step}`));
        break;
      case 'gc': {
        await store.gc();
        const want = new Set<string>();
        for (const img of tags.values()) for (const d of blobsOf(img)) want.add(d);
        for (const x of containers) for (const d of blobsOf(x.image)) want.add(d);
        const have = (await store.backend.listBlobs()).map((b) => b.digest).sort();
        expect({ at, blobs: have }).toEqual({ at, blobs: [...want].sort() });
        break;
      }
    }
    // Every tag names the model's image, whose blobs all read back (verified reads).
    for (const t of TAGS) {
      const img = tags.get(t);
      const got = await store.image(t).then((i) => i.digest, (e: unknown) => typedOnly(e));
      expect({ at, t, got }).toEqual({ at, t, got: img ? img.digest : 'NOT_FOUND' });
    }
    for (const img of [...tags.values(), ...containers.map((x) => x.image)]) {
      for (const d of blobsOf(img)) await store.getBlobBytes(d);
    }
    for (const x of containers) {
      const got = await x.c.readFile('/etc/written', 'utf8').catch((e: unknown) => typedOnly(e));
      expect({ at, got }).toEqual({ at, got: x.content ?? 'NOT_FOUND' });
      expect((await store.container(x.c.id)).id).toBe(x.c.id);
    }
  }
}
