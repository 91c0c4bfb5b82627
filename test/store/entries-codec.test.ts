/**
 * The layer index's entry columns (src/store/entries-codec.ts): every field
 * of every entry comes back as it went in (the entries readLayer gives for
 * a tar with every kind of entry, random entries, columns that are one
 * value, strings UTF-8 cannot carry), and damaged bytes give CORRUPT_STORE,
 * never another error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readLayer, type LayerEntry } from '../../src/layer/read.js';
import { decodeLayerEntries, encodeLayerEntries } from '../../src/store/entries-codec.js';
import { encodeTar, tarHeader } from '../../src/tar/index.js';
import type { EntryType } from '../../src/tar/types.js';

const enc = new TextEncoder();

function entry(over: Partial<LayerEntry>): LayerEntry {
  return { ...tarHeader({ path: 'x' }), offset: 512, ...over } as LayerEntry;
}

const roundTrip = (entries: LayerEntry[]) => decodeLayerEntries(encodeLayerEntries(entries), entries.length);

describe('layer index entry columns', () => {
  it('give back the entries readLayer read from a tar with every kind of entry', async () => {
    const tar = encodeTar([
      { header: tarHeader({ path: 'etc/', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: 1_700_000_000 }) },
      { header: tarHeader({ path: 'etc/passwd', size: 5, mode: 0o644, uid: 1000, gid: 100, uname: 'me', gname: 'users', mtime: 1_700_000_000.25 }), data: enc.encode('root\n') },
      { header: tarHeader({ path: 'etc/link', type: 'hardlink', linkname: 'etc/passwd' }) },
      { header: tarHeader({ path: 'usr/caf\u00e9/\u6f22\u5b57 \u{1f600}', type: 'symlink', linkname: '../../etc/passwd' }) },
      { header: tarHeader({ path: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 }) },
      { header: tarHeader({ path: 'dev/sda', type: 'block', devmajor: 8, devminor: 0 }) },
      { header: tarHeader({ path: 'run/fifo', type: 'fifo' }) },
      { header: tarHeader({ path: 'bin/ping', size: 1, mode: 0o4755, xattrs: { 'security.capability': Uint8Array.of(1, 0, 0, 2, 0, 32), 'user.empty': new Uint8Array(0) } }), data: Uint8Array.of(0x7f) },
      { header: tarHeader({ path: 'big', size: 0, uid: 2 ** 40, gid: 2 ** 53 - 1, mtime: -1 }) },
      { header: tarHeader({ path: 'etc/.wh.old' }) },
    ]);
    const { entries } = await readLayer(tar);
    expect(entries).toHaveLength(10);
    expect(entries.some((e) => e.contentDigest !== undefined) && entries.some((e) => e.contentDigest === undefined)).toBe(true);
    const back = roundTrip(entries);
    expect(back).toEqual(entries);
    // Absent stays absent (not a key holding undefined), as JSON records kept it.
    expect(back.map((e) => 'contentDigest' in e)).toEqual(entries.map((e) => 'contentDigest' in e));
  });

  it('keep columns that are one value, no entries, and strings UTF-8 cannot carry (lone surrogates)', () => {
    const same = Array.from({ length: 5 }, (_, i) => entry({ path: `f${i}`, mtime: 7, uname: 'u' }));
    expect(roundTrip(same)).toEqual(same);
    expect(roundTrip([])).toEqual([]);
    const odd = [entry({ path: 'a\ud800b' }), entry({ path: '\udfff' }), entry({ path: 'ok', linkname: '\ud83d' })];
    const back = roundTrip(odd);
    expect(back.map((e) => e.path)).toEqual(['a\ud800b', '\udfff', 'ok']);
    expect(back[2]!.linkname).toBe('\ud83d');
    // Only the column that needs it is kept as JSON: names stay one UTF-8 run when they can.
    const mixed = [entry({ path: 'p\u00e9', linkname: '\ud800' }), entry({ path: 'q' })];
    expect(roundTrip(mixed)).toEqual(mixed);
  });

  it('find lone surrogates without String.prototype.isWellFormed too (engines before it)', () => {
    const proto = String.prototype as { isWellFormed?: unknown };
    const had = proto.isWellFormed;
    delete proto.isWellFormed;
    try {
      const odd = [entry({ path: 'a\ud800b' }), entry({ path: 'x\udc00' }), entry({ path: '\u{1f600}\ud83d' }), entry({ path: '\u{1f600}' })];
      expect(roundTrip(odd).map((e) => e.path)).toEqual(['a\ud800b', 'x\udc00', '\u{1f600}\ud83d', '\u{1f600}']);
      const fine = [entry({ path: '\u{1f600}/caf\u00e9' }), entry({ path: 'b' })];
      const bytes = encodeLayerEntries(fine);
      expect(new TextDecoder().decode(bytes)).toContain('"path":{"k":"s"'); // one UTF-8 run, not JSON
      expect(decodeLayerEntries(bytes, 2)).toEqual(fine);
    } finally {
      proto.isWellFormed = had;
    }
  });

  it('decode bytes at any offset (the columns are copied when their views would not be aligned)', () => {
    const entries = [entry({ path: 'a', size: 3, mtime: 1.5 }), entry({ path: 'b', type: 'directory', size: 0 })];
    const bytes = encodeLayerEntries(entries);
    for (const shift of [1, 2, 3, 4, 5, 6, 7]) {
      const moved = new Uint8Array(bytes.length + shift);
      moved.set(bytes, shift);
      expect(decodeLayerEntries(moved.subarray(shift), 2)).toEqual(entries);
    }
  });

  it('give back random entries', () => {
    const types: EntryType[] = ['file', 'hardlink', 'symlink', 'char', 'block', 'directory', 'fifo'];
    const num = fc.oneof(fc.integer({ min: 0, max: 2 ** 31 }), fc.maxSafeNat(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)));
    const arbEntry = fc.record({
      path: fc.string({ unit: 'binary', maxLength: 40 }),
      type: fc.constantFrom(...types),
      mode: fc.integer({ min: 0, max: 0o7777 }),
      uid: num,
      gid: num,
      uname: fc.constantFrom('', 'root', 'n\u00f6body'),
      gname: fc.string({ maxLength: 4 }),
      size: num,
      mtime: num,
      linkname: fc.string({ unit: 'grapheme', maxLength: 12 }),
      devmajor: fc.nat(300),
      devminor: fc.nat(300),
      offset: fc.maxSafeNat(),
      contentDigest: fc.option(fc.stringMatching(/^sha256:[0-9a-f]{64}$/), { nil: undefined }),
      xattrs: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.uint8Array({ maxLength: 6 }), { maxKeys: 2 }),
    });
    fc.assert(
      fc.property(fc.array(arbEntry, { maxLength: 30 }), (raw) => {
        const entries = raw.map(({ contentDigest, ...e }) => (contentDigest === undefined ? e : { ...e, contentDigest })) as LayerEntry[];
        expect(roundTrip(entries)).toEqual(entries);
      }),
      { numRuns: 300 },
    );
  });

  it('refuse damaged bytes with CORRUPT_STORE: every truncation, and random bytes changed', () => {
    const entries = [
      entry({ path: 'etc/hosts', size: 9, mtime: 3, contentDigest: `sha256:${'a'.repeat(64)}` as LayerEntry['contentDigest'] }),
      entry({ path: 'etc', type: 'directory', xattrs: { 'user.x': Uint8Array.of(1, 2) } }),
      entry({ path: 'l', type: 'symlink', linkname: 'etc/hosts' }),
    ];
    const bytes = encodeLayerEntries(entries);
    for (let n = 0; n < bytes.length; n++) {
      expect(() => decodeLayerEntries(bytes.subarray(0, n), 3), `${n} bytes`).toThrow(expect.objectContaining({ code: 'CORRUPT_STORE' }));
    }
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
    let refused = 0;
    for (let k = 0; k < 3000; k++) {
      const bad = bytes.slice();
      for (let j = 0; j < 1 + Math.floor(rand() * 3); j++) bad[Math.floor(rand() * bad.length)] = Math.floor(rand() * 256);
      try {
        const back = decodeLayerEntries(bad, 3);
        expect(back).toHaveLength(3); // a change the columns cannot notice (a byte of a value) leaves the count
      } catch (e) {
        expect(e).toMatchObject({ code: 'CORRUPT_STORE' });
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(100);
    expect(() => decodeLayerEntries('not bytes' as unknown as Uint8Array, 0)).toThrow(expect.objectContaining({ code: 'CORRUPT_STORE' }));
    // Another count than the record's, huge or not, is refused before any entry is made.
    const one = encodeLayerEntries([entry({ path: 'same' }), entry({ path: 'same' })]); // every column one value
    expect(() => decodeLayerEntries(one, 3)).toThrow(expect.objectContaining({ code: 'CORRUPT_STORE', message: expect.stringContaining('2 entries, the record says 3') }));
    // The same header claiming 2^53 - 1 entries (all its columns one value: no column bounds the count).
    const hl = new DataView(one.buffer).getUint32(8, true);
    expect(one.length).toBe(16 + hl); // no column bytes
    const text = new TextDecoder().decode(one.subarray(16, 16 + hl)).trim().replace('"n":2', '"n":9007199254740991');
    const json = new TextEncoder().encode(text.padEnd(Math.ceil(text.length / 8) * 8, ' '));
    const huge = new Uint8Array(16 + json.length);
    new DataView(huge.buffer).setUint32(0, new DataView(one.buffer).getUint32(0, true), true);
    new DataView(huge.buffer).setUint32(4, 1, true);
    new DataView(huge.buffer).setUint32(8, json.length, true);
    huge.set(json, 16);
    expect(() => decodeLayerEntries(huge, 2)).toThrow(expect.objectContaining({ code: 'CORRUPT_STORE', message: expect.stringContaining('9007199254740991 entries, the record says 2') }));
  });
});
