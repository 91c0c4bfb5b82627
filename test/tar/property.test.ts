/**
 * Properties (fast-check): any header the writer accepts reads back equal;
 * any mutation or truncation of a valid tar either parses or fails with
 * INVALID_TAR: never another error, never a hang.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeTar, parseTarSync, tarHeader, type TarHeader } from '../../src/tar/index.js';
import { isLayerfsError } from '../../src/errors/index.js';

const segment = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => !s.includes('/') && !s.includes('\0'));
const path = fc.array(segment, { minLength: 1, maxLength: 8 }).map((a) => a.join('/'));
const name = fc.string({ maxLength: 40 }).filter((s) => !s.includes('\0'));

const header: fc.Arbitrary<{ header: TarHeader; data?: Uint8Array }> = fc
  .record({
    path,
    type: fc.constantFrom('file', 'directory', 'symlink', 'hardlink', 'char', 'block', 'fifo' as const),
    mode: fc.integer({ min: 0, max: 0o7777 }),
    uid: fc.oneof(fc.integer({ min: 0, max: 2097151 }), fc.integer({ min: 0, max: 2 ** 40 })),
    gid: fc.integer({ min: 0, max: 2 ** 33 }),
    uname: name,
    gname: name,
    mtime: fc.oneof(fc.integer({ min: 0, max: 2 ** 33 }), fc.integer({ min: 0, max: 2 ** 31 }).map((s) => s + 0.5), fc.constant(1700000000.123456)),
    linkname: fc.oneof(fc.constant(''), path),
    devmajor: fc.integer({ min: 0, max: 4095 }),
    devminor: fc.integer({ min: 0, max: 2 ** 20 }),
    xattrs: fc.dictionary(fc.stringMatching(/^user\.[a-z]{1,10}$/), fc.uint8Array({ maxLength: 20 }), { maxKeys: 3 }),
    data: fc.uint8Array({ maxLength: 1500 }),
  })
  .map(({ data, ...h }) => {
    const full = tarHeader({ ...h, size: h.type === 'file' ? data.length : 0 });
    return { header: full, data: h.type === 'file' ? data : undefined };
  });

/** What the reader gives back for a header the writer was given. */
function expected(h: TarHeader): TarHeader {
  const isLink = h.type === 'symlink' || h.type === 'hardlink';
  const isDev = h.type === 'char' || h.type === 'block';
  return {
    ...h,
    path: h.type === 'directory' && !h.path.endsWith('/') ? `${h.path}/` : h.path,
    linkname: isLink ? h.linkname : '',
    devmajor: isDev ? h.devmajor : 0,
    devminor: isDev ? h.devminor : 0,
  };
}

describe('tar properties', () => {
  it('reads back every entry the writer writes, field for field', () => {
    fc.assert(
      fc.property(fc.array(header, { minLength: 1, maxLength: 5 }), (entries) => {
        const back = parseTarSync(encodeTar(entries));
        expect(back.map((e) => e.header)).toEqual(entries.map((e) => expected(e.header)));
        back.forEach((e, i) => expect(Buffer.from(e.data).equals(Buffer.from(entries[i]!.data ?? new Uint8Array(0)))).toBe(true));
      }),
      { numRuns: 200 },
    );
  });

  it('fails mutated or truncated tars only with INVALID_TAR', () => {
    fc.assert(
      fc.property(
        fc.array(header, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.option(fc.nat()),
        (entries, flips, cut) => {
          const tar = encodeTar(entries).slice();
          for (const [at, v] of flips) tar[at % tar.length] = v;
          const input = cut === null ? tar : tar.subarray(0, cut % (tar.length + 1));
          try {
            parseTarSync(input);
          } catch (e) {
            if (!isLayerfsError(e, 'INVALID_TAR')) throw e;
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
