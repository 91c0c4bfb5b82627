/**
 * Fuzz target: the tar reader (CONFORMANCE.md rules 5-6). Inputs: random
 * bytes, valid archives with header fields overwritten (checksum re-computed
 * so the field parsers are reached), PAX bodies of random and lying records,
 * GNU long-name records, truncations and random splits of the stream.
 * Invariants: the streaming reader (parseTar over chunks cut at random
 * points) and the in-memory one (parseTarSync) agree exactly — same entries
 * and bytes, or both INVALID_TAR; nothing but INVALID_TAR ever escapes; an
 * archive cut inside a header or inside content fails, one cut at an entry
 * boundary or inside padding yields exactly the complete entries (rule 6);
 * every case is bounded in time and the run in memory (harness.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeTar, parseTar, parseTarSync, tarHeader, type TarHeader } from '../../src/tar/index.js';
import { fuzz, splitAt, streamOf, typedOnly } from './harness.js';
import { concat, FIELD_NAMES, FIELDS, fixChecksum, headerBlock, pad, paxRecord, type FieldName } from './tar-bytes.js';

interface Parsed {
  header: TarHeader;
  data: Uint8Array;
}

type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

type Result = { ok: Parsed[] } | { code: string };

function syncResult(tar: Uint8Array): Result {
  try {
    return { ok: parseTarSync(tar).map((e) => ({ header: e.header, data: e.data.slice() })) };
  } catch (e) {
    return { code: typedOnly(e) };
  }
}

async function streamResult(chunks: Uint8Array[]): Promise<Result> {
  const out: Parsed[] = [];
  try {
    for await (const e of parseTar(streamOf(chunks))) out.push({ header: e.header, data: (await e.bytes()).slice() });
    return { ok: out };
  } catch (e) {
    return { code: typedOnly(e) };
  }
}

/** Both readers over `tar` (the stream cut at `cuts`): they must agree, and fail only with INVALID_TAR. */
async function bothReaders(tar: Uint8Array, cuts: number[]): Promise<Result> {
  const a = syncResult(tar);
  const b = await streamResult(splitAt(tar, cuts));
  expect(b).toEqual(a);
  if ('code' in a) expect(a.code).toBe('INVALID_TAR');
  return a;
}

const seg = fc.oneof(
  fc.constantFrom('a', 'bin', 'usr', 'x'.repeat(99), 'y'.repeat(150), 'é', '日本', '..', '.', '.wh.a', '.wh..wh..opq', ' '),
  fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes('/') && !s.includes('\0')),
);
const name = fc.array(seg, { minLength: 1, maxLength: 4 }).map((a) => a.join('/'));

const entryArb: fc.Arbitrary<{ header: TarHeader; data?: Uint8Array }> = fc
  .record({
    path: name,
    type: fc.constantFrom('file', 'file', 'directory', 'symlink', 'hardlink', 'char', 'block', 'fifo' as const),
    mode: fc.integer({ min: 0, max: 0o7777 }),
    uid: fc.oneof(fc.nat(2097151), fc.integer({ min: 0, max: 2 ** 40 })),
    gid: fc.nat(70000),
    mtime: fc.oneof(fc.nat(2 ** 33), fc.constant(1700000000.5)),
    linkname: fc.oneof(fc.constant(''), name),
    devmajor: fc.nat(4095),
    devminor: fc.nat(2 ** 20),
    xattrs: fc.dictionary(fc.constantFrom('user.a', 'security.capability', 'trusted.x'), fc.uint8Array({ maxLength: 20 }), { maxKeys: 2 }),
    data: fc.uint8Array({ maxLength: 1200 }),
  })
  .map(({ data, ...h }) => {
    const header = tarHeader({ ...h, size: h.type === 'file' ? data.length : 0 });
    return { header, data: h.type === 'file' ? data : undefined };
  });
const archiveArb = fc.array(entryArb, { minLength: 1, maxLength: 4 });
const cutsArb = fc.array(fc.nat(), { maxLength: 8 });

const OCTAL = fc.array(fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7'), { maxLength: 14 }).map((d) => d.join(''));
const enc = new TextEncoder();

/** What a mutator writes into a field (cut to the field's length): numbers in every encoding tar knows, and garbage. */
const fieldValue: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 12 }),
  fc.uint8Array({ minLength: 100, maxLength: 155 }),
  OCTAL.map((s) => enc.encode(s)),
  OCTAL.map((s) => enc.encode(`${s}\u0000`)),
  fc.constantFrom('77777777777', '777777777777', ' '.repeat(12), '', '-1', '0x10', '8', '1e9', ' 12 ', '0\u0000 7', 'ustar ', 'ustar\u0000', '00', ' \u0000').map((s) => enc.encode(s)),
  // GNU base-256: high bit set, big-endian; 0xff leads a negative number.
  fc.tuple(fc.constantFrom(0x80, 0xff), fc.uint8Array({ minLength: 11, maxLength: 11 })).map(([lead, rest]) => new Uint8Array([lead, ...rest])),
  fc.constantFrom(0x00, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x4b, 0x4c, 0x53, 0x56, 0x67, 0x78, 0x41, 0xff).map((c) => new Uint8Array([c])),
);

const mutationArb = fc.record({
  entry: fc.nat(),
  field: fc.constantFrom(...FIELD_NAMES),
  value: fieldValue,
  fixSum: fc.boolean(),
});

/** Offsets of every header block (PAX and long-name headers included) of a valid archive. */
function headerOffsets(tar: Uint8Array): number[] {
  const out: number[] = [];
  let at = 0;
  while (at + 512 <= tar.length) {
    const b = tar.subarray(at, at + 512);
    if (b.every((x) => x === 0)) break;
    out.push(at);
    const size = parseInt(new TextDecoder().decode(b.subarray(124, 136)).replace(/\0.*$/, '').trim() || '0', 8);
    const type = String.fromCharCode(b[156]!);
    const hasData = '0\u00007xLKg'.includes(type);
    at += 512 + (hasData ? size + ((512 - (size % 512)) % 512) : 0);
  }
  return out;
}

function mutate(tar: Uint8Array, muts: Array<{ entry: number; field: FieldName; value: Uint8Array; fixSum: boolean }>): Uint8Array {
  const out = tar.slice();
  const heads = headerOffsets(out);
  for (const m of muts) {
    if (heads.length === 0) break;
    const at = heads[m.entry % heads.length]!;
    const [off, len] = FIELDS[m.field];
    out.fill(0, at + off, at + off + len);
    out.set(m.value.subarray(0, len), at + off);
    if (m.fixSum && m.field !== 'chksum') fixChecksum(out, at);
  }
  return out;
}

const PAX_KEYS = ['path', 'linkpath', 'size', 'mtime', 'atime', 'uid', 'gid', 'uname', 'gname', 'SCHILY.xattr.user.a', 'GNU.sparse.size', 'comment', 'hdrcharset', ''];
const paxValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('0', '-1', '1e400', '99999999999999999999999', '1.5', '1700000000.123456789', 'NaN', '0x10', '', '12a', '/', '../../x', 'a\u0000b', 'x'.repeat(5000)),
  fc.uint8Array({ maxLength: 20 }),
);
const paxArb = fc.record({
  records: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PAX_KEYS), fc.string({ maxLength: 8 })), paxValue, fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -5, max: 5 }) })), { maxLength: 5 }),
  global: fc.boolean(),
  /** Lie about the PAX body's size in its header. */
  sizeDelta: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -600, max: 600 }) }),
  trailingNul: fc.boolean(),
  then: fc.constantFrom('file', 'none', 'zero', 'pax-again'),
  data: fc.uint8Array({ maxLength: 100 }),
});

function paxArchive(p: ValueOf<typeof paxArb>): Uint8Array {
  const body = concat([...p.records.map(([k, v, d]) => paxRecord(k, v, d)), p.trailingNul ? new Uint8Array(3) : new Uint8Array(0)]);
  const parts = [headerBlock('PaxHeaders/x', p.global ? 'g' : 'x', Math.max(0, body.length + p.sizeDelta)), body, pad(body.length)];
  if (p.then === 'file') parts.push(headerBlock('f', '0', p.data.length), p.data, pad(p.data.length));
  if (p.then === 'pax-again') parts.push(headerBlock('PaxHeaders/y', 'x', 0), headerBlock('g', '0', 0));
  if (p.then !== 'none') parts.push(new Uint8Array(1024));
  return concat(parts);
}

const longArb = fc.record({
  kind: fc.constantFrom('L', 'K'),
  name: fc.oneof(fc.string({ maxLength: 700 }), fc.constant('a/'.repeat(300)), fc.constant('')),
  nul: fc.boolean(),
  sizeDelta: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -20, max: 20 }) }),
  twice: fc.boolean(),
  then: fc.constantFrom('0', '1', '2', '5', 'none'),
});

function longArchive(l: ValueOf<typeof longArb>): Uint8Array {
  const body = new TextEncoder().encode(l.nul ? `${l.name}\u0000` : l.name);
  const rec = [headerBlock('././@LongLink', l.kind, Math.max(0, body.length + l.sizeDelta)), body, pad(body.length)];
  const parts = l.twice ? [...rec, ...rec] : rec;
  if (l.then !== 'none') parts.push(headerBlock('short', l.then, 0, 'target'));
  parts.push(new Uint8Array(1024));
  return concat(parts);
}

describe('fuzz: tar reader', () => {
  it('random bytes (some with a ustar header in front): both readers agree, only INVALID_TAR', async () => {
    const arb = fc.record({
      bytes: fc.uint8Array({ maxLength: 3000 }),
      prefix: fc.constantFrom('none', 'header', 'zero'),
      cuts: cutsArb,
    });
    await fuzz('tar-random-bytes', 100, arb, async ({ bytes, prefix, cuts }) => {
      const head = prefix === 'header' ? headerBlock('f', '0', bytes.length) : prefix === 'zero' ? new Uint8Array(512) : new Uint8Array(0);
      await bothReaders(concat([head, bytes]), cuts);
    });
  });

  it('valid archives read back exactly through any split of the stream', async () => {
    await fuzz('tar-roundtrip-splits', 80, fc.record({ entries: archiveArb, cuts: cutsArb }), async ({ entries, cuts }) => {
      const tar = encodeTar(entries);
      const r = await bothReaders(tar, cuts);
      expect('ok' in r && r.ok.map((e) => e.header.path)).toEqual(entries.map((e) => (e.header.type === 'directory' && !e.header.path.endsWith('/') ? `${e.header.path}/` : e.header.path)));
      if ('ok' in r) r.ok.forEach((e, i) => expect(Buffer.from(e.data).equals(Buffer.from(entries[i]!.data ?? new Uint8Array(0)))).toBe(true));
    });
  });

  it('header fields overwritten (checksum fixed or not): both readers agree, only INVALID_TAR', async () => {
    await fuzz('tar-header-mutations', 150, fc.record({ entries: archiveArb, muts: fc.array(mutationArb, { minLength: 1, maxLength: 3 }), cuts: cutsArb }), async ({ entries, muts, cuts }) => {
      await bothReaders(mutate(encodeTar(entries), muts), cuts);
    });
  });

  it('byte flips anywhere: both readers agree, only INVALID_TAR', async () => {
    const arb = fc.record({ entries: archiveArb, flips: fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 6 }), cuts: cutsArb });
    await fuzz('tar-byte-flips', 80, arb, async ({ entries, flips, cuts }) => {
      const tar = encodeTar(entries).slice();
      for (const [at, v] of flips) tar[at % tar.length] = v;
      await bothReaders(tar, cuts);
    });
  });

  it('PAX bodies of random, lying and oversized records: both readers agree, only INVALID_TAR', async () => {
    await fuzz('tar-pax-records', 100, fc.record({ p: paxArb, cuts: cutsArb }), async ({ p, cuts }) => {
      await bothReaders(paxArchive(p), cuts);
    });
  });

  it('GNU long names and links (L, K) of any size: both readers agree, only INVALID_TAR', async () => {
    await fuzz('tar-gnu-longnames', 60, fc.record({ l: longArb, cuts: cutsArb }), async ({ l, cuts }) => {
      const r = await bothReaders(longArchive(l), cuts);
      // A well-formed L record names the entry that follows (GNU tar; up to the first NUL).
      if ('ok' in r && l.kind === 'L' && !l.twice && l.sizeDelta === 0 && l.then === '0' && l.name !== '' && !l.name.includes('\0')) {
        expect(r.ok[0]?.header.path).toBe(l.name);
      }
    });
  });

  it('an archive cut anywhere yields exactly its complete entries, or INVALID_TAR when cut inside a header or content (rule 6)', async () => {
    await fuzz('tar-truncation', 100, fc.record({ entries: archiveArb, cut: fc.nat(), cuts: cutsArb }), async ({ entries, cut, cuts }) => {
      const tar = encodeTar(entries);
      const full = parseTarSync(tar);
      const at = cut % (tar.length + 1);
      const r = await bothReaders(tar.subarray(0, at), cuts);
      // Where each entry's headers start and its content ends.
      const starts = [0];
      for (const e of full) starts.push(e.offset + e.header.size + ((512 - (e.header.size % 512)) % 512));
      let complete = 0;
      while (complete < full.length && at >= full[complete]!.offset + full[complete]!.header.size) complete++;
      // Inside the headers (PAX/long-name ones too) of entry k, or inside its content: must fail.
      const insideEntry = complete < full.length && at > starts[complete]! && at < full[complete]!.offset + full[complete]!.header.size;
      const insideHeader = complete < full.length && at > starts[complete]! && at < full[complete]!.offset;
      if (at === 0) return; // an empty input: either answer is defensible (GNU tar accepts it)
      if (insideEntry || insideHeader) {
        expect(r).toEqual({ code: 'INVALID_TAR' });
      } else {
        expect('ok' in r && r.ok.length).toBe(complete);
      }
    });
  });
});
