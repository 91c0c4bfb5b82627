/**
 * The push parser on hand-built tars: every rule of CONFORMANCE 5 and 6,
 * malformed input (INVALID_TAR), and input fed in every possible split.
 */
import { describe, expect, it } from 'vitest';
import { encodeHeader, encodeTar, parseTar, parseTarSync, readTar, tarHeader, TarParser, END_OF_ARCHIVE } from '../../src/tar/index.js';
import { computeChecksum } from '../../src/tar/header.js';
import { encodePax } from '../../src/tar/pax.js';
import { errorCode, streamOf } from './helpers.js';

const te = new TextEncoder();

function fixChecksum(block: Uint8Array): Uint8Array {
  const sum = computeChecksum(block);
  const s = sum.toString(8).padStart(6, '0');
  for (let i = 0; i < 6; i++) block[148 + i] = s.charCodeAt(i);
  block[154] = 0;
  block[155] = 0x20;
  return block;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function pad(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

/** A raw header block with a given typeflag (checksum fixed). */
function rawBlock(path: string, typeflag: number, size = 0): Uint8Array {
  const b = encodeHeader(tarHeader({ path, size }));
  const block = b.subarray(b.length - 512).slice();
  block[156] = typeflag;
  return fixChecksum(block);
}

function sizeField(block: Uint8Array, size: number): Uint8Array {
  const s = size.toString(8).padStart(11, '0');
  for (let i = 0; i < 11; i++) block[124 + i] = s.charCodeAt(i);
  return fixChecksum(block);
}

function paxBlock(records: [string, string | Uint8Array][], typeflag = 0x78): Uint8Array {
  const body = encodePax(records.map(([k, v]) => [k, typeof v === 'string' ? te.encode(v) : v]));
  return concat(sizeField(rawBlock('PaxHeaders/x', typeflag), body.length), pad(body));
}

const hello = te.encode('hello world');
const sample = encodeTar([
  { header: tarHeader({ path: 'dir', type: 'directory', mtime: 1000 }) },
  { header: tarHeader({ path: 'dir/hello.txt', size: hello.length, mtime: 1000.25, uid: 1000, gid: 1000, uname: 'u', gname: 'g' }), data: hello },
  { header: tarHeader({ path: 'dir/link', type: 'symlink', linkname: 'hello.txt' }) },
  { header: tarHeader({ path: 'dir/' + 'long/'.repeat(60) + 'name', size: 600 }), data: new Uint8Array(600).fill(7) },
  { header: tarHeader({ path: 'dir/hard', type: 'hardlink', linkname: 'dir/hello.txt' }) },
  { header: tarHeader({ path: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 }) },
  { header: tarHeader({ path: 'fifo', type: 'fifo' }) },
  { header: tarHeader({ path: 'x', size: 0, xattrs: { 'user.bin': new Uint8Array([0, 255, 1]) } }) },
]);

describe('TarParser', () => {
  it('gives identical entries, offsets and content for every way of splitting the input', () => {
    const ref = parseTarSync(sample);
    expect(ref.map((e) => e.header.path)).toEqual([
      'dir/',
      'dir/hello.txt',
      'dir/link',
      'dir/' + 'long/'.repeat(60) + 'name',
      'dir/hard',
      'dev/null',
      'fifo',
      'x',
    ]);
    // A cheap fingerprint per run: headers, offsets and content bytes.
    type Got = { header: unknown; offset: number; data: Uint8Array };
    const summary = (entries: Got[]) =>
      entries
        .map((e) => `${JSON.stringify(e.header, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))}@${e.offset}:${Buffer.from(e.data).toString('hex')}`)
        .join('|');
    const want = summary(ref);
    const run = (feed: (p: TarParser) => void): string => {
      const got: Got[] = [];
      let parts: Uint8Array[] = [];
      const p = new TarParser({
        onHeader: (header, offset) => {
          got.push({ header, offset, data: new Uint8Array(0) });
          parts = [];
        },
        onData: (c) => parts.push(c.slice()),
        onEntryEnd: () => {
          got[got.length - 1]!.data = Buffer.concat(parts);
        },
      });
      feed(p);
      p.end();
      return summary(got);
    };
    // Every single split point, then every chunk size 1..64: covers header, PAX and data boundaries.
    for (let cut = 0; cut <= sample.length; cut++) {
      const got = run((p) => {
        p.push(sample.subarray(0, cut));
        p.push(sample.subarray(cut));
      });
      if (got !== want) expect.fail(`split at ${cut} differs`);
    }
    for (let size = 1; size <= 64; size++) {
      expect(
        run((p) => {
          for (let o = 0; o < sample.length; o += size) p.push(sample.subarray(o, o + size));
        }),
      ).toBe(want);
    }
  });

  it('reports content offsets that point at the content inside the tar', () => {
    for (const e of parseTarSync(sample)) {
      expect(Array.from(sample.subarray(e.offset, e.offset + e.data.length))).toEqual(Array.from(e.data));
      expect(e.offset % 512).toBe(0);
    }
  });

  it('counts bytes after the end-of-archive blocks as trailing, not entries', () => {
    const junk = new Uint8Array(3000).fill(0xab);
    const p = new TarParser({ onHeader() {}, onData() {}, onEntryEnd() {} });
    p.push(concat(sample, junk));
    p.end();
    expect(p.ended).toBe(true);
    expect(p.trailing).toBe(3000);
    expect(p.position).toBe(sample.length + 3000);
  });

  it("reads the old typeflag '\\0' as a regular file, and as a directory when the name ends in '/'", () => {
    const f = rawBlock('old.txt', 0, 5);
    const d = rawBlock('olddir/', 0, 0);
    const tar = concat(f, pad(te.encode('abcde')), d, END_OF_ARCHIVE);
    const entries = parseTarSync(tar);
    expect(entries.map((e) => [e.header.path, e.header.type, e.header.size])).toEqual([
      ['old.txt', 'file', 5],
      ['olddir/', 'directory', 0],
    ]);
    expect(new TextDecoder().decode(entries[0]!.data)).toBe('abcde');
  });

  it("reads '7' (contiguous file) as a regular file", () => {
    const tar = concat(rawBlock('c.bin', 0x37, 2), pad(new Uint8Array([9, 9])), END_OF_ARCHIVE);
    expect(parseTarSync(tar).map((e) => [e.header.type, e.data.length])).toEqual([['file', 2]]);
  });

  it('ignores PAX global headers', () => {
    const g = paxBlock(
      [
        ['path', 'global-name'],
        ['uid', '4242'],
        ['mtime', '99.5'],
      ],
      0x67,
    );
    const tar = concat(g, encodeHeader(tarHeader({ path: 'a', mtime: 7, uid: 3 })), END_OF_ARCHIVE);
    const [e] = parseTarSync(tar);
    expect([e!.header.path, e!.header.uid, e!.header.mtime]).toEqual(['a', 3, 7]);
  });

  it('lets a PAX path override both a GNU long name and the header name, in either order', () => {
    const long = 'gnu/' + 'n'.repeat(200);
    const L = concat(sizeField(rawBlock('././@LongLink', 0x4c), long.length + 1), pad(concat(te.encode(long), new Uint8Array(1))));
    const x = paxBlock([['path', 'pax/wins']]);
    const h = encodeHeader(tarHeader({ path: 'header-name' }));
    expect(parseTarSync(concat(L, x, h, END_OF_ARCHIVE))[0]!.header.path).toBe('pax/wins');
    expect(parseTarSync(concat(x, L, h, END_OF_ARCHIVE))[0]!.header.path).toBe('pax/wins');
    // GNU long name alone wins over the header name; K sets the link name.
    const K = concat(sizeField(rawBlock('././@LongLink', 0x4b), 301), pad(te.encode('t'.repeat(300) + '\0')));
    const s = encodeHeader(tarHeader({ path: 'short', type: 'symlink', linkname: 'short-target' }));
    const [e] = parseTarSync(concat(L, K, s, END_OF_ARCHIVE));
    expect(e!.header.path).toBe(long);
    expect(e!.header.linkname).toBe('t'.repeat(300));
  });

  it('applies PAX size, uid, gid, uname, gname, mtime fractions, linkpath and binary SCHILY.xattr values', () => {
    const x = paxBlock([
      ['uid', '3000000000'],
      ['gid', '4000000000'],
      ['uname', 'Ünïcode'],
      ['gname', 'grøup'],
      ['mtime', '1700000000.123456789'],
      ['linkpath', 'target/' + 'é'.repeat(80)],
      ['SCHILY.xattr.security.capability', new Uint8Array([1, 0, 0, 2, 0, 0x20, 0, 0])],
      ['SCHILY.xattr.user.with=equals', 'v=1'],
    ]);
    const [e] = parseTarSync(concat(x, encodeHeader(tarHeader({ path: 'l', type: 'symlink', linkname: 'x' })), END_OF_ARCHIVE));
    const h = e!.header;
    expect([h.uid, h.gid, h.uname, h.gname, h.linkname]).toEqual([3000000000, 4000000000, 'Ünïcode', 'grøup', 'target/' + 'é'.repeat(80)]);
    expect(h.mtime).toBeCloseTo(1700000000.123456789, 6);
    expect(Array.from(h.xattrs['security.capability']!)).toEqual([1, 0, 0, 2, 0, 0x20, 0, 0]);
    // The keyword ends at the first '=', the value may contain more.
    expect(Object.keys(h.xattrs)).toEqual(['security.capability', 'user.with']);
    expect(new TextDecoder().decode(h.xattrs['user.with'])).toBe('equals=v=1');
  });

  it('takes the content length from a PAX size record', () => {
    const x = paxBlock([['size', '1000']]);
    const h = rawBlock('big', 0x30, 0);
    const data = new Uint8Array(1000).fill(5);
    const [e] = parseTarSync(concat(x, h, pad(data), END_OF_ARCHIVE));
    expect(e!.header.size).toBe(1000);
    expect(e!.data.length).toBe(1000);
  });

  it('reads base-256 numeric fields (positive and negative)', () => {
    const b = rawBlock('b256', 0x30, 0);
    // uid = 2^32 + 5 in base-256 over 8 bytes
    b.set([0x80, 0, 0, 1, 0, 0, 0, 5], 108);
    // mtime = -2 (two's complement, 12 bytes)
    b.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe], 136);
    // size = 513 in base-256
    b.set([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1], 124);
    fixChecksum(b);
    const [e] = parseTarSync(concat(b, pad(new Uint8Array(513).fill(1)), END_OF_ARCHIVE));
    expect([e!.header.uid, e!.header.mtime, e!.header.size, e!.data.length]).toEqual([2 ** 32 + 5, -2, 513, 513]);
  });

  it('accepts octal fields padded with spaces or NULs on either side', () => {
    const b = rawBlock('sp', 0x30, 0);
    b.set(te.encode('  755 \0\0'), 100);
    b.set(te.encode('\0\0\0\0\0\0\0\0'), 108);
    fixChecksum(b);
    const [e] = parseTarSync(concat(b, END_OF_ARCHIVE));
    expect([e!.header.mode, e!.header.uid]).toEqual([0o755, 0]);
  });

  it('accepts a tar without the end-of-archive blocks, or with only one', () => {
    const noEnd = sample.subarray(0, sample.length - 1024);
    expect(parseTarSync(noEnd).length).toBe(8);
    expect(parseTarSync(sample.subarray(0, sample.length - 512)).length).toBe(8);
  });

  it("accepts a tar that ends right after the last entry's content, before its padding (umoci 0.4.7 insert)", () => {
    const first = parseTarSync(sample)[1]!; // dir/hello.txt, 11 bytes
    const cut = sample.subarray(0, first.offset + 11);
    const got = parseTarSync(cut);
    expect(got.map((e) => e.header.path)).toEqual(['dir/', 'dir/hello.txt']);
    expect(new TextDecoder().decode(got[1]!.data)).toBe('hello world');
    // ...but one byte less is a truncated entry.
    expect(() => parseTarSync(sample.subarray(0, first.offset + 10))).toThrow(/truncated/);
  });

  it('accepts the ustar prefix field and joins it with the name', () => {
    const path = 'p'.repeat(120) + '/' + 'n'.repeat(90);
    const blocks = encodeHeader(tarHeader({ path }));
    expect(blocks.length).toBe(512); // fits ustar: no PAX
    expect(parseTarSync(concat(blocks, END_OF_ARCHIVE))[0]!.header.path).toBe(path);
  });
});

describe('TarParser on malformed input (INVALID_TAR)', () => {
  const code = (tar: Uint8Array) => errorCode(() => parseTarSync(tar));

  it('rejects a bad header checksum', async () => {
    const bad = sample.slice();
    bad[0] ^= 1; // first header's name changed, checksum not
    expect(await code(bad)).toBe('INVALID_TAR');
    const bad2 = sample.slice();
    bad2[148] = 0x39; // checksum field not octal
    expect(await code(bad2)).toBe('INVALID_TAR');
  });

  it('rejects unknown typeflags (vendor, sparse, volume label)', async () => {
    for (const tf of ['S', 'V', 'D', 'M', 'Z', 'A', '8']) {
      expect(await code(concat(rawBlock('u', tf.charCodeAt(0)), END_OF_ARCHIVE)), tf).toBe('INVALID_TAR');
    }
  });

  it('rejects input truncated inside an entry, its padding, a header or an extended header', async () => {
    const first = parseTarSync(sample)[1]!; // dir/hello.txt
    expect(await code(sample.subarray(0, first.offset + 5))).toBe('INVALID_TAR'); // inside content
    expect(await code(sample.subarray(0, 300))).toBe('INVALID_TAR'); // inside the first header
    expect(await code(sample.subarray(0, 512 + 200))).toBe('INVALID_TAR'); // inside the second header
    const x = paxBlock([['path', 'p']]);
    expect(await code(x.subarray(0, 600))).toBe('INVALID_TAR'); // inside PAX records
    expect(await code(x)).toBe('INVALID_TAR'); // PAX header with no entry after it
    expect(await code(concat(x, END_OF_ARCHIVE))).toBe('INVALID_TAR');
  });

  it('rejects a lone zero block followed by a header', async () => {
    const tar = concat(encodeHeader(tarHeader({ path: 'a' })), new Uint8Array(512), encodeHeader(tarHeader({ path: 'b' })), END_OF_ARCHIVE);
    expect(await code(tar)).toBe('INVALID_TAR');
  });

  it('rejects malformed PAX records and PAX numbers', async () => {
    const h = encodeHeader(tarHeader({ path: 'a' }));
    const badRecord = te.encode('99 path=x\n');
    expect(await code(concat(sizeField(rawBlock('P', 0x78), badRecord.length), pad(badRecord), h, END_OF_ARCHIVE))).toBe('INVALID_TAR');
    expect(await code(concat(paxBlock([['size', '12abc']]), h, END_OF_ARCHIVE))).toBe('INVALID_TAR');
    expect(await code(concat(paxBlock([['mtime', 'yesterday']]), h, END_OF_ARCHIVE))).toBe('INVALID_TAR');
  });

  it('rejects through the stream adapter too, with a typed error', async () => {
    const bad = sample.slice();
    bad[700] ^= 0xff;
    expect(await errorCode(() => readTar(streamOf(bad, 100)))).toBe('INVALID_TAR');
    expect(await errorCode(() => readTar(streamOf(sample.subarray(0, 1500), 7)))).toBe('INVALID_TAR');
  });
});

describe('parseTar (Web Streams)', () => {
  it('yields every entry with its content and offset, matching parseTarSync', async () => {
    const want = parseTarSync(sample);
    for (const size of [1, 511, 512, 513, 4096]) {
      const got = await readTar(streamOf(sample, size));
      expect(got.map((e) => [e.header, e.offset, Array.from(e.data)])).toEqual(want.map((e) => [e.header, e.offset, Array.from(e.data)]));
    }
  });

  it('skips bodies the caller does not read, and stops cleanly when the caller breaks out', async () => {
    const paths: string[] = [];
    for await (const e of parseTar(streamOf(sample, 100))) paths.push(e.header.path);
    expect(paths.length).toBe(8);
    let cancelled = false;
    const src = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(sample.subarray(0, 2048));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const e of parseTar(src)) {
      expect(e.header.path).toBe('dir/');
      break;
    }
    expect(cancelled).toBe(true);
  });
});
