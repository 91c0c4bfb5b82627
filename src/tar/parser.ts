/**
 * The synchronous push parser at the core of the tar reader: feed it chunks
 * of any size with push(), call end() at the end of input, and it calls back
 * for each entry header, each slice of content (views into the chunks fed,
 * no copies) and each entry's end. No promises per block, so a caller can
 * hash, index and count a 1 GiB layer in one pass with bounded memory.
 *
 * Rules (CONFORMANCE.md 5 and 6; behaviour matched with Go's archive/tar and
 * GNU tar): ustar, PAX ('x') and GNU long names ('L', 'K') are read; a PAX
 * `path`/`linkpath` wins over a GNU long name and over the header's name;
 * PAX global headers ('g') are skipped; typeflag '\0' is a regular file (a
 * directory if its name ends in '/', as V7 tar wrote them); unknown
 * typeflags, bad checksums and input that ends inside a header or an entry
 * are INVALID_TAR. The archive may end with two zero blocks (anything after
 * them is ignored), with one, or with none after an entry's complete content,
 * even before its padding (umoci 0.4.7 `insert` writes such layers).
 */
import { InvalidTarError } from '../errors/InvalidTarError.js';
import type { EntryType, TarHeader } from './types.js';
import { BLOCK, decodeRawHeader, isZeroBlock, type RawHeader } from './header.js';
import { parsePax, paxString, type PaxRecords } from './pax.js';
import { copyBytes } from './bytes.js';

/** Largest PAX or GNU long-name record accepted (they are buffered whole). */
export const MAX_META_SIZE = 16 * 1024 * 1024;

export interface TarParserHandler {
  /** An entry; `dataOffset` is the position in the tar of its first content byte. */
  onHeader(header: TarHeader, dataOffset: number): void;
  /** Content of the current entry, in order; a view into the chunk passed to push(). */
  onData(chunk: Uint8Array): void;
  /** All content of the current entry has been delivered. */
  onEntryEnd(): void;
}

const S_HEADER = 0;
const S_DATA = 1;
const S_SKIP = 2;
const S_META = 3;
const S_ZERO = 4;
const S_DONE = 5;
const S_FAILED = 6;

const META_PAX = 1;
const META_GLOBAL = 2;
const META_LONGNAME = 3;
const META_LONGLINK = 4;

const TYPES: Record<number, EntryType> = {
  0x30: 'file', // '0'
  0x37: 'file', // '7' contiguous file: a regular file to every reader (POSIX)
  0x31: 'hardlink',
  0x32: 'symlink',
  0x33: 'char',
  0x34: 'block',
  0x35: 'directory',
  0x36: 'fifo',
};

export class TarParser {
  /** Bytes consumed so far (the position in the tar). */
  position = 0;
  /** Bytes seen after the end-of-archive blocks. */
  trailing = 0;

  private state = S_HEADER;
  private readonly block = new Uint8Array(BLOCK);
  private fill = 0;
  private remaining = 0;
  private padAfter = 0;
  private skip = 0;
  private meta: Uint8Array | null = null;
  private metaFill = 0;
  private metaKind = 0;
  private pax: PaxRecords | null = null;
  private longName: string | null = null;
  private longLink: string | null = null;
  private headerOffset = 0;
  private entries = 0;

  constructor(private readonly handler: TarParserHandler) {}

  /** True once the end-of-archive zero blocks have been read. */
  get ended(): boolean {
    return this.state === S_DONE;
  }

  push(chunk: Uint8Array): void {
    if (this.state === S_FAILED) throw new InvalidTarError('tar parser used after an error');
    try {
      this.run(chunk);
    } catch (e) {
      this.state = S_FAILED;
      throw e;
    }
  }

  /** The input has ended. Throws INVALID_TAR if it ended inside a header or an entry. */
  end(): void {
    switch (this.state) {
      case S_DONE:
      case S_ZERO:
        return;
      case S_SKIP:
        // The last entry's content is complete and only its padding is
        // missing: umoci 0.4.7 `insert` ends layers this way, and Go's
        // archive/tar (hence containerd and umoci itself) reads them.
        if (this.pax || this.longName !== null || this.longLink !== null) {
          throw this.fail(`tar ends after an extended header with no entry at byte ${this.headerOffset}`);
        }
        return;
      case S_HEADER:
        if (this.fill > 0) {
          let zeros = true;
          for (let i = 0; i < this.fill; i++) if (this.block[i] !== 0) zeros = false;
          if (!zeros) throw this.fail(`tar ends inside a header at byte ${this.position - this.fill}`);
        }
        if (this.pax || this.longName !== null || this.longLink !== null) {
          throw this.fail(`tar ends after an extended header with no entry at byte ${this.headerOffset}`);
        }
        return;
      case S_FAILED:
        throw new InvalidTarError('tar parser used after an error');
      default:
        throw this.fail(`tar is truncated inside the entry whose header is at byte ${this.headerOffset}`);
    }
  }

  private fail(message: string): InvalidTarError {
    this.state = S_FAILED;
    return new InvalidTarError(message, { offset: this.position });
  }

  private run(chunk: Uint8Array): void {
    const n = chunk.length;
    let p = 0;
    while (p < n) {
      switch (this.state) {
        case S_DATA: {
          const take = Math.min(this.remaining, n - p);
          this.handler.onData(p === 0 && take === n ? chunk : chunk.subarray(p, p + take));
          p += take;
          this.position += take;
          this.remaining -= take;
          if (this.remaining === 0) this.finishEntry();
          break;
        }
        case S_SKIP: {
          const take = Math.min(this.skip, n - p);
          p += take;
          this.position += take;
          this.skip -= take;
          if (this.skip === 0) this.state = S_HEADER;
          break;
        }
        case S_META: {
          const meta = this.meta!;
          const take = Math.min(meta.length - this.metaFill, n - p);
          meta.set(chunk.subarray(p, p + take), this.metaFill);
          this.metaFill += take;
          p += take;
          this.position += take;
          if (this.metaFill === meta.length) this.finishMeta();
          break;
        }
        case S_HEADER:
        case S_ZERO: {
          if (this.fill === 0 && n - p >= BLOCK) {
            const b = chunk.subarray(p, p + BLOCK);
            p += BLOCK;
            this.position += BLOCK;
            this.onBlock(b);
          } else {
            const take = Math.min(BLOCK - this.fill, n - p);
            this.block.set(chunk.subarray(p, p + take), this.fill);
            this.fill += take;
            p += take;
            this.position += take;
            if (this.fill === BLOCK) {
              this.fill = 0;
              this.onBlock(this.block);
            }
          }
          break;
        }
        case S_DONE:
          this.trailing += n - p;
          this.position += n - p;
          p = n;
          break;
        default:
          throw new InvalidTarError('tar parser used after an error');
      }
    }
  }

  private onBlock(b: Uint8Array): void {
    const at = this.position - BLOCK;
    if (this.state === S_ZERO) {
      // Go's archive/tar: a zero block must be followed by a second one.
      if (!isZeroBlock(b)) throw this.fail(`lone zero block followed by data at byte ${at - BLOCK}`);
      if (this.pax || this.longName !== null || this.longLink !== null) {
        throw this.fail(`extended header at byte ${this.headerOffset} is followed by the end of the archive`);
      }
      this.state = S_DONE;
      return;
    }
    if (b[0] === 0 && isZeroBlock(b)) {
      this.state = S_ZERO;
      return;
    }
    this.headerOffset = at;
    const raw = decodeRawHeader(b, at);
    const tf = raw.typeflag;
    if (tf === 0x78 || tf === 0x67 || tf === 0x4c || tf === 0x4b) {
      // 'x' PAX, 'g' PAX global, 'L' GNU long name, 'K' GNU long link name.
      if (raw.size > MAX_META_SIZE) throw this.fail(`extended header at byte ${at} is too large (${raw.size} bytes)`);
      this.metaKind = tf === 0x78 ? META_PAX : tf === 0x67 ? META_GLOBAL : tf === 0x4c ? META_LONGNAME : META_LONGLINK;
      this.padAfter = (BLOCK - (raw.size % BLOCK)) % BLOCK;
      if (raw.size === 0) {
        this.meta = new Uint8Array(0);
        this.metaFill = 0;
        this.finishMeta();
        return;
      }
      this.meta = new Uint8Array(raw.size);
      this.metaFill = 0;
      this.state = S_META;
      return;
    }
    const header = this.buildHeader(raw, at);
    this.entries++;
    const dataLen = header.type === 'file' ? header.size : 0;
    this.handler.onHeader(header, this.position);
    this.remaining = dataLen;
    this.padAfter = (BLOCK - (dataLen % BLOCK)) % BLOCK;
    if (dataLen === 0) this.finishEntry();
    else this.state = S_DATA;
  }

  private finishEntry(): void {
    this.handler.onEntryEnd();
    this.skip = this.padAfter;
    this.state = this.skip > 0 ? S_SKIP : S_HEADER;
  }

  private finishMeta(): void {
    const data = this.meta!;
    this.meta = null;
    switch (this.metaKind) {
      case META_PAX: {
        const recs = parsePax(data);
        if (!this.pax) this.pax = recs;
        else for (const [k, v] of recs) this.pax.set(k, v);
        break;
      }
      case META_GLOBAL:
        // Ignored (CONFORMANCE 5): a layer's entries must not depend on a global record.
        break;
      case META_LONGNAME:
        this.longName = trimNul(data);
        break;
      case META_LONGLINK:
        this.longLink = trimNul(data);
        break;
    }
    this.skip = this.padAfter;
    this.state = this.skip > 0 ? S_SKIP : S_HEADER;
  }

  private buildHeader(raw: RawHeader, at: number): TarHeader {
    const pax = this.pax;
    let path = this.longName ?? raw.name;
    let linkname = this.longLink ?? raw.linkname;
    let { size, uid, gid, uname, gname, mtime } = raw;
    const xattrs: Record<string, Uint8Array> = {};
    if (pax) {
      for (const [key, value] of pax) {
        if (key.startsWith('SCHILY.xattr.')) {
          xattrs[key.slice(13)] = copyBytes(value); // raw bytes; an empty value is a real (empty) xattr
          continue;
        }
        if (value.length === 0) continue; // an empty value deletes the record: keep the header's field
        switch (key) {
          case 'path':
            path = paxString(value);
            break;
          case 'linkpath':
            linkname = paxString(value);
            break;
          case 'size':
            size = paxInteger(value, key, at);
            break;
          case 'uid':
            uid = paxInteger(value, key, at);
            break;
          case 'gid':
            gid = paxInteger(value, key, at);
            break;
          case 'uname':
            uname = paxString(value);
            break;
          case 'gname':
            gname = paxString(value);
            break;
          case 'mtime':
            mtime = paxTime(value, at);
            break;
        }
      }
    }
    this.pax = null;
    this.longName = null;
    this.longLink = null;
    const tf = raw.typeflag;
    let type: EntryType | undefined;
    if (tf === 0) type = path.endsWith('/') ? 'directory' : 'file';
    else type = TYPES[tf];
    if (type === undefined) {
      throw this.fail(`unsupported tar typeflag ${JSON.stringify(String.fromCharCode(tf))} at byte ${at}`);
    }
    if (size < 0) throw this.fail(`negative size in the tar header at byte ${at}`);
    return {
      path,
      type,
      mode: raw.mode,
      uid,
      gid,
      uname,
      gname,
      size: type === 'file' ? size : 0,
      mtime,
      linkname: type === 'hardlink' || type === 'symlink' ? linkname : '',
      devmajor: type === 'char' || type === 'block' ? raw.devmajor : 0,
      devminor: type === 'char' || type === 'block' ? raw.devminor : 0,
      xattrs,
    };
  }
}

function trimNul(data: Uint8Array): string {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  const nul = data.indexOf(0);
  if (nul >= 0 && nul < end) end = nul;
  return paxString(data.subarray(0, end));
}

function paxInteger(v: Uint8Array, key: string, at: number): number {
  const s = paxString(v);
  if (!/^[0-9]+$/.test(s) || !Number.isSafeInteger(Number(s))) {
    throw new InvalidTarError(`PAX ${key} is not a decimal integer: ${JSON.stringify(s)} (header at byte ${at})`, { offset: at, key });
  }
  return Number(s);
}

function paxTime(v: Uint8Array, at: number): number {
  const s = paxString(v);
  if (!/^-?[0-9]+(\.[0-9]*)?$/.test(s)) {
    throw new InvalidTarError(`PAX mtime is not a decimal time: ${JSON.stringify(s)} (header at byte ${at})`, { offset: at, key: 'mtime' });
  }
  return Number(s);
}
