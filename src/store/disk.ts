/**
 * The disk backend (Node only): a directory laid out as
 *
 *   blobs/<alg>/<hex>                 content, named by digest
 *   tmp/<hex>.<host>-<pid>.<random>  blobs and records being written
 *   records/<kind>/<key>.json         small JSON documents (tags are kind 'refs')
 *   records/<kind>/<key>.bin          a record's binary attachment (a layer's union table)
 *   areas/<kind>/<id>/                writable trees (containers, volumes)
 *
 * Keys and ids are percent-encoded (every byte outside [A-Za-z0-9_-]), so no
 * key can name a path outside its directory. Every write goes to tmp/ under
 * a unique name and is renamed into place, so readers never see a partial
 * file and concurrent writers of one blob are safe (rename over an
 * identical file). The blob directory is not an OCI layout on purpose:
 * records and areas have no place there.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import * as fs from 'node:fs/promises';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { BlobUnknownError } from '../errors/BlobUnknownError.js';
import { CorruptStoreError } from '../errors/CorruptStoreError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { checkDigest } from '../image/hashing.js';
import { NodeDirTree } from '../tree/node-dir.js';
import type { Tree } from '../tree/types.js';
import { workerHasher } from './disk-hasher.js';
import type { BlobHasher, BlobInfo, BlobWriter, PendingBlob, StoreBackend, StoredRecord } from './types.js';

export function encodeKey(key: string): string {
  return Array.from(new TextEncoder().encode(key), (b) =>
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f || b === 0x2d
      ? String.fromCharCode(b)
      : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');
}

export function decodeKey(name: string): string {
  return decodeURIComponent(name);
}

/** A short name of this host, so a store shared over a network file system never judges another host's pids. */
const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const OWNER = /^([0-9a-f]{8})-(\d+)$/;

/** False only when `owner` (HOST-pid) is a process of this host that no longer exists. */
function processAlive(owner: string): boolean {
  const m = OWNER.exec(owner);
  if (!m || m[1] !== HOST) return true;
  try {
    process.kill(Number(m[2]), 0);
    return true;
  } catch (e) {
    // EPERM: it exists under another user.
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'ENOENT';
}

async function readdirOr(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}

/**
 * Bytes gathered before one writev(2): network chunks are 16-64 KiB, and a
 * syscall (and thread-pool round trip) per chunk costs more than the write.
 * Kept well under a CPU's L2 cache: the kernel copies from chunks just
 * received, still warm; 1 MiB copied into a batch buffer first was slower.
 */
const WRITE_BATCH = 256 * 1024;
/** Bytes a writer holds (one writev in flight, the next batch gathering) before it asks the producer to wait. */
const WRITE_HIGH_WATER = 4 * 1024 * 1024;

/** Writes all of `parts` at the file position, going on after short writes. */
async function writeAll(fh: fs.FileHandle, parts: Uint8Array[], bytes: number): Promise<void> {
  let left = bytes;
  while (left > 0) {
    let { bytesWritten } = await fh.writev(parts);
    left -= bytesWritten;
    if (left === 0) break;
    // A short write (or more buffers than IOV_MAX): go on from the first byte not written.
    const rest: Uint8Array[] = [];
    for (const p of parts) {
      if (bytesWritten >= p.byteLength) bytesWritten -= p.byteLength;
      else {
        rest.push(bytesWritten ? p.subarray(bytesWritten) : p);
        bytesWritten = 0;
      }
    }
    parts = rest;
  }
}

/**
 * Appends chunks to a file, several per writev and without copying them,
 * with one writev in flight while the next batch gathers: the producer (a
 * download) waits only when WRITE_HIGH_WATER bytes are held.
 */
class PipelinedWriter {
  #parts: Uint8Array[] = [];
  #bytes = 0;
  #inflight: Promise<void> | undefined;
  #error: { e: unknown } | undefined;
  size = 0;

  constructor(private readonly fh: fs.FileHandle) {}

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.#error) throw this.#error.e;
    if (!chunk.byteLength) return;
    this.#parts.push(chunk);
    this.#bytes += chunk.byteLength;
    this.size += chunk.byteLength;
    if (!this.#inflight && this.#bytes >= WRITE_BATCH) this.#start();
    if (this.#bytes >= WRITE_HIGH_WATER) return this.#drained();
  }

  #start(): void {
    const parts = this.#parts;
    const bytes = this.#bytes;
    this.#parts = [];
    this.#bytes = 0;
    this.#inflight = writeAll(this.fh, parts, bytes).then(
      () => {
        this.#inflight = undefined;
        if (this.#bytes >= WRITE_BATCH) this.#start();
      },
      (e: unknown) => {
        this.#error = { e };
        this.#inflight = undefined;
      },
    );
  }

  async #drained(): Promise<void> {
    while (this.#inflight && this.#bytes >= WRITE_HIGH_WATER) await this.#inflight;
    if (this.#error) throw this.#error.e;
  }

  /** Everything written (or the first write error). */
  async flush(): Promise<void> {
    for (;;) {
      if (this.#inflight) {
        await this.#inflight;
        continue;
      }
      if (this.#error) throw this.#error.e;
      if (!this.#bytes) return;
      this.#start();
    }
  }

  /** No more writes; waits for the one in flight (so the file can be closed and removed). */
  async settle(): Promise<void> {
    this.#parts = [];
    this.#bytes = 0;
    while (this.#inflight) await this.#inflight;
  }
}

export class DiskBackend implements StoreBackend {
  readonly kind = 'disk';
  readonly location: string;
  readonly owner = `${HOST}-${process.pid}`;
  readonly #tmp: string;

  constructor(root: string) {
    // path.resolve would throw a raw TypeError for undefined; '' would silently mean the cwd.
    if (typeof root !== 'string' || root === '') throw new InvalidArgumentError(`a disk store needs a directory path, got ${root === '' ? 'an empty string' : String(root)}`);
    this.location = path.resolve(root);
    this.#tmp = path.join(this.location, 'tmp');
  }

  /** Create the directory skeleton (idempotent). */
  async init(): Promise<this> {
    for (const d of ['blobs/sha256', 'blobs/sha512', 'tmp', 'records', 'areas']) await fs.mkdir(path.join(this.location, d), { recursive: true });
    return this;
  }

  #blobPath(digest: string): string {
    const { algorithm, hex } = checkDigest(digest);
    return path.join(this.location, 'blobs', algorithm, hex);
  }

  /** Temp names carry their writer, so gc can sweep a killed writer's files at once (see sweepTemp). */
  #tempPath(hint: string): string {
    return path.join(this.#tmp, `${hint.slice(0, 16)}.${this.owner}.${randomBytes(8).toString('hex')}`);
  }

  ownerAlive(owner: string): boolean {
    return processAlive(owner);
  }

  async hasBlob(digest: string): Promise<boolean> {
    return (await this.blobSize(digest)) !== undefined;
  }

  async blobSize(digest: string): Promise<number | undefined> {
    try {
      const st = await fs.stat(this.#blobPath(digest));
      return st.isFile() ? st.size : undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async getBlob(digest: string): Promise<ReadableStream<Uint8Array>> {
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(this.#blobPath(digest), fsc.O_RDONLY);
    } catch (e) {
      if (isNotFound(e)) throw new BlobUnknownError(`blob ${digest} is not in the store`, { digest });
      throw e;
    }
    // Read through the handle already open: a gc that unlinks the file meanwhile cannot break the read.
    return Readable.toWeb(fh.createReadStream({ highWaterMark: 1 << 20 })) as unknown as ReadableStream<Uint8Array>;
  }

  async putBlob(digest: string, data: ReadableStream<Uint8Array>): Promise<PendingBlob> {
    const w = await this.openBlobWriter(digest);
    try {
      const reader = data.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const p = w.write(value);
        if (p) await p;
      }
      return await w.close();
    } catch (e) {
      await w.abort();
      throw e;
    }
  }

  /** sha256/sha512 on a worker thread (see disk-hasher.ts): a pull's hashing runs beside its downloads. */
  blobHasher(algorithm: 'sha256' | 'sha512'): BlobHasher | undefined {
    return workerHasher(algorithm);
  }

  /** A temp file written through a PipelinedWriter; close() flushes and closes it, commit() renames it into place. */
  async openBlobWriter(digest: string): Promise<BlobWriter> {
    const final = this.#blobPath(digest);
    const tmp = this.#tempPath(digest.slice(digest.indexOf(':') + 1));
    await fs.mkdir(this.#tmp, { recursive: true });
    const fh = await fs.open(tmp, 'wx', 0o644);
    const out = new PipelinedWriter(fh);
    let state: 'open' | 'closed' | 'gone' = 'open';
    const pending = (size: number): PendingBlob => {
      let done = false;
      return {
        digest,
        size,
        commit: async () => {
          if (done) return;
          done = true;
          await fs.mkdir(path.dirname(final), { recursive: true });
          await fs.rename(tmp, final);
        },
        discard: async () => {
          if (done) return;
          done = true;
          await fs.rm(tmp, { force: true });
        },
      };
    };
    return {
      write: (chunk) => {
        if (state !== 'open') throw new InvalidArgumentError(`blob ${digest}: write after close`);
        return out.write(chunk);
      },
      close: async () => {
        if (state !== 'open') throw new InvalidArgumentError(`blob ${digest}: writer already closed`);
        await out.flush();
        state = 'closed';
        await fh.close();
        return pending(out.size);
      },
      abort: async () => {
        if (state === 'gone') return;
        const wasOpen = state === 'open';
        state = 'gone';
        if (wasOpen) {
          await out.settle();
          await fh.close().catch(() => {});
        }
        await fs.rm(tmp, { force: true });
      },
    };
  }

  async deleteBlob(digest: string): Promise<void> {
    await fs.rm(this.#blobPath(digest), { force: true });
  }

  async listBlobs(): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    for (const alg of ['sha256', 'sha512']) {
      const dir = path.join(this.location, 'blobs', alg);
      for (const hex of await readdirOr(dir)) {
        const digest = `${alg}:${hex}`;
        const st = await fs.stat(path.join(dir, hex)).catch(() => undefined);
        if (st?.isFile()) out.push({ digest, size: st.size });
      }
    }
    return out;
  }

  #recordPath(kind: string, key: string): string {
    return path.join(this.location, 'records', encodeKey(kind), `${encodeKey(key)}.json`);
  }

  async getRecord<T>(kind: string, key: string): Promise<StoredRecord<T> | undefined> {
    const p = this.#recordPath(kind, key);
    let text: string;
    try {
      text = await fs.readFile(p, 'utf8');
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
    try {
      return JSON.parse(text) as StoredRecord<T>;
    } catch {
      throw new CorruptStoreError(`record ${kind}/${key} is not valid JSON`, { path: p });
    }
  }

  async putRecord<T>(kind: string, key: string, record: StoredRecord<T>): Promise<void> {
    await this.#replace(this.#recordPath(kind, key), JSON.stringify(record));
  }

  /** Writes `data` to a temp name and renames it over `p`: readers see the old file or the new one. */
  async #replace(p: string, data: string | Uint8Array): Promise<void> {
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.mkdir(this.#tmp, { recursive: true });
    const tmp = this.#tempPath('record');
    await fs.writeFile(tmp, data, { flag: 'wx' });
    await fs.rename(tmp, p);
  }

  #attachmentPath(kind: string, key: string): string {
    return path.join(this.location, 'records', encodeKey(kind), `${encodeKey(key)}.bin`);
  }

  async getRecordBytes(kind: string, key: string): Promise<Uint8Array | undefined> {
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(this.#attachmentPath(kind, key), 'r');
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
    try {
      // One read of the size fstat gives (the file is replaced by rename,
      // never written in place). fs.readFile reads in 512 KiB rounds through
      // the thread pool: 7-31 ms against 6-8 ms for ten tables of 5.5 MB.
      const { size } = await fh.stat();
      const out = new Uint8Array(size);
      let got = 0;
      while (got < size) {
        const { bytesRead } = await fh.read(out, got, size - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got !== size) throw new CorruptStoreError(`record attachment ${kind}/${key} ended after ${got} of ${size} bytes`, { kind, key });
      return out;
    } finally {
      await fh.close();
    }
  }

  async putRecordBytes(kind: string, key: string, bytes: Uint8Array): Promise<void> {
    await this.#replace(this.#attachmentPath(kind, key), bytes);
  }

  async deleteRecord(kind: string, key: string): Promise<boolean> {
    await fs.rm(this.#attachmentPath(kind, key), { force: true });
    try {
      await fs.unlink(this.#recordPath(kind, key));
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async listRecords(kind: string): Promise<string[]> {
    const names = await readdirOr(path.join(this.location, 'records', encodeKey(kind)));
    return names.filter((n) => n.endsWith('.json')).map((n) => decodeKey(n.slice(0, -5))).sort();
  }

  async listKinds(): Promise<string[]> {
    const out: string[] = [];
    for (const k of await readdirOr(path.join(this.location, 'records'))) {
      if ((await readdirOr(path.join(this.location, 'records', k))).some((n) => n.endsWith('.json'))) out.push(decodeKey(k));
    }
    return out.sort();
  }

  #areaPath(kind: string, id: string): string {
    return path.join(this.location, 'areas', encodeKey(kind), encodeKey(id));
  }

  async openArea(kind: string, id: string): Promise<Tree> {
    const p = this.#areaPath(kind, id);
    await fs.mkdir(p, { recursive: true });
    return new NodeDirTree(p);
  }

  /** The directory behind an area (for tools that want a path, like unpack). */
  areaPath(kind: string, id: string): string {
    return this.#areaPath(kind, id);
  }

  async deleteArea(kind: string, id: string): Promise<boolean> {
    const p = this.#areaPath(kind, id);
    const existed = await fs.stat(p).then(() => true, () => false);
    await fs.rm(p, { recursive: true, force: true });
    return existed;
  }

  async listAreas(kind: string): Promise<string[]> {
    return (await readdirOr(path.join(this.location, 'areas', encodeKey(kind)))).map(decodeKey).sort();
  }

  /** Temp files older than `olderThanMs`, and at any age those whose writer (named in the file name) has died. */
  async sweepTemp(olderThanMs: number): Promise<{ count: number; bytes: number }> {
    let count = 0;
    let bytes = 0;
    const now = Date.now();
    for (const n of await readdirOr(this.#tmp)) {
      const p = path.join(this.#tmp, n);
      const st = await fs.stat(p).catch(() => undefined);
      const writer = n.split('.')[1];
      const dead = writer !== undefined && OWNER.test(writer) && !processAlive(writer);
      if (!st || (!dead && now - st.mtimeMs < olderThanMs)) continue;
      await fs.rm(p, { recursive: true, force: true });
      count++;
      bytes += st.size;
    }
    return { count, bytes };
  }
}
