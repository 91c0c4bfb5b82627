/**
 * Build contexts on disk (Node only). Importing this module lets
 * `build({ context: '/some/dir' })` take a path.
 *
 * Contexts are read many small files at a time, so this does not go
 * through NodeDirTree's async, bigint walk: the listing is one synchronous
 * readdir + lstat pass (symlinks not followed, sockets and devices left
 * out as `docker build` leaves them), and small files are read with one
 * synchronous call each — fs.promises.readFile costs five thread-pool round
 * trips per file, which dominates for a tree of 20,000 small files.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, fstatSync, lstatSync, openSync, promises as fsp, readdirSync, readlinkSync, readSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Readable } from 'node:stream';
import { NotFoundError } from '../errors/NotFoundError.js';
import { comparePaths } from '../layer/path.js';
import { setDirectoryContextOpener, type BuildContext, type ContextEntry } from './context.js';
import { DigestMemo } from './digest-memo.js';

/** Files up to this size are read in one synchronous call. */
const SMALL = 4 * 1024 * 1024;

function entryOf(path: string, st: Stats, abs: string): ContextEntry | undefined {
  // Whole seconds, as ustar headers hold them (a sub-second part would cost a PAX record per file).
  const mode = st.mode & 0o7777;
  const mtime = Math.floor(st.mtimeMs / 1000);
  // One object literal per kind (no spread): 20,000 of these per listing.
  if (st.isFile()) return { path, type: 'file', mode, mtime, size: st.size, linkname: '' };
  if (st.isDirectory()) return { path, type: 'directory', mode, mtime, size: 0, linkname: '' };
  if (st.isSymbolicLink()) return { path, type: 'symlink', mode: 0o777, mtime, size: 0, linkname: readlinkSync(abs) };
  return undefined;
}

/** A whole small file in one buffer: open, read, close (readFileSync adds an fstat and grows its buffer). */
function readSmall(abs: string, expected: number | undefined): Uint8Array {
  const fd = openSync(abs, 'r');
  try {
    const size = expected ?? fstatSync(fd).size;
    const buf = Buffer.allocUnsafeSlow(size);
    let n = 0;
    while (n < size) {
      const r = readSync(fd, buf, n, size - n, null);
      if (r === 0) break;
      n += r;
    }
    // A file that changed since it was listed: re-read it whole.
    if (n < size || readSync(fd, Buffer.allocUnsafe(1), 0, 1, null) !== 0) return expected === undefined ? buf.subarray(0, n) : readSmall(abs, undefined);
    return buf;
  } finally {
    closeSync(fd);
  }
}

function notFound(path: string, root: string, e: unknown): unknown {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return new NotFoundError(`${JSON.stringify(path)} is not a file of the build context ${root}`, { path });
  return e;
}

/**
 * Bytes read into `buf` from `fd` (until `want` or end of file). A regular
 * file reads short only at its end, so having the `expected` bytes (the size
 * it was listed with) and fewer than asked is the end: no second read to see
 * 0 (one system call in four for small files). A file that grew still shows:
 * its first read fills `want`.
 */
function readFully(fd: number, buf: Uint8Array, want: number, expected = -1): number {
  let n = 0;
  while (n < want) {
    const r = readSync(fd, buf, n, want - n, null);
    if (r === 0) break;
    n += r;
    if (n === expected && n < want) break;
  }
  return n;
}

/**
 * One buffer reused for every synchronous read of a context: a fresh buffer
 * per file costs page faults and GC for every byte, and the bytes are only
 * needed until they are hashed or copied into the layer.
 */
class Scratch {
  private buf = Buffer.allocUnsafeSlow(1 << 20);
  get(size: number): Buffer {
    if (this.buf.byteLength < size) this.buf = Buffer.allocUnsafeSlow(Math.max(size, 2 * this.buf.byteLength));
    return this.buf;
  }
}

/**
 * `sha256:<hex>` of bytes in one call: crypto.hash (Node 20.12+) makes no
 * Hash object, which is a measurable part of hashing 20,000 small files.
 */
const oneShot = (nodeCrypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex') => string }).hash;
function sha256Hex(bytes: Uint8Array): string {
  return `sha256:${oneShot ? oneShot('sha256', bytes, 'hex') : createHash('sha256').update(bytes).digest('hex')}`;
}

/** Bytes of files digested between two turns of the event loop (progress, abort, other work). */
const DIGEST_SLICE = 32 << 20;

/**
 * A second thread for digestMany: reading and hashing a context is mostly
 * system calls (open, read, close: ~10 µs each here) and sha256, and a
 * fully cached build does nothing else, so this worker takes files of each
 * batch as the main thread does (a shared counter) and the cached build uses
 * both cores. One per process, started on
 * first use, holding the process open only while it has work.
 */
const HASH_WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash, hash: oneShot } = require('node:crypto');
const { join } = require('node:path');
let buf = Buffer.allocUnsafeSlow(1 << 20);
const { readdirSync, lstatSync, readlinkSync } = require('node:fs');
// Listing: [path, type, mode, size, mtimeMs, linkname, ino, ctimeMs] of every entry below dirs (any order: the caller sorts).
function list(root, dirs) {
  const out = [];
  const prefix = root.endsWith('/') ? root : root + '/';
  const visit = (rel) => {
    for (const name of readdirSync(prefix + rel)) {
      const path = rel + '/' + name;
      const abs = prefix + path;
      const st = lstatSync(abs);
      if (st.isFile()) out.push([path, 'file', st.mode, st.size, st.mtimeMs, '', st.ino, st.ctimeMs]);
      else if (st.isDirectory()) {
        out.push([path, 'directory', st.mode, 0, st.mtimeMs, '']);
        visit(path);
      } else if (st.isSymbolicLink()) out.push([path, 'symlink', st.mode, 0, st.mtimeMs, readlinkSync(abs)]);
    }
  };
  for (const d of dirs) visit(d);
  return out;
}
parentPort.on('message', ({ id, op, root, dirs, paths, sizes, small, next, step }) => {
  if (op === 'list') {
    try {
      parentPort.postMessage({ id, listed: list(root, dirs) });
    } catch (e) {
      parentPort.postMessage({ id, error: { message: String(e && e.message), code: e && e.code, index: 0 } });
    }
    return;
  }
  // Files are claimed a few at a time from the shared counter, as the main thread claims them.
  const counter = new Int32Array(next);
  const prefix = root && root.endsWith('/') ? root : root + '/';
  const done = [];
  const digests = [];
  let i = 0;
  try {
    for (;;) {
      const from = Atomics.add(counter, 0, step);
      if (from >= paths.length) break;
      for (i = from; i < Math.min(from + step, paths.length); i++) {
        const want = Math.min(sizes[i] + 1, small);
        if (buf.byteLength < want) buf = Buffer.allocUnsafeSlow(Math.max(want, 2 * buf.byteLength));
        let h = null;
        let hex = '';
        const fd = openSync(prefix + paths[i], 'r');
        try {
          for (;;) {
            let n = 0;
            while (n < buf.byteLength) {
              const r = readSync(fd, buf, n, buf.byteLength - n, null);
              if (r === 0) break;
              n += r;
              if (n === sizes[i] && sizes[i] < small) break; // short read at the listed size: the end (see readFully)
            }
            if (h === null && n < buf.byteLength && oneShot) {
              hex = oneShot('sha256', buf.subarray(0, n), 'hex'); // the whole file in one read
              break;
            }
            h = h || createHash('sha256');
            if (n > 0) h.update(buf.subarray(0, n));
            if (n < buf.byteLength) {
              hex = h.digest('hex');
              break;
            }
          }
        } finally {
          closeSync(fd);
        }
        done.push(i);
        digests.push('sha256:' + hex);
      }
    }
    parentPort.postMessage({ id, done, digests });
  } catch (e) {
    Atomics.store(counter, 0, paths.length); // the main thread stops claiming too
    parentPort.postMessage({ id, error: { message: String(e && e.message), code: e && e.code, index: i } });
  }
});
`;

interface HashReply {
  id: number;
  /** Indexes of the files the worker hashed, and their digests. */
  done?: number[];
  digests?: string[];
  listed?: Array<[string, 'file' | 'directory' | 'symlink', number, number, number, string, number?, number?]>;
  error?: { message: string; code?: string; index: number };
}

let hashWorker: { worker: Worker; pending: Map<number, (r: HashReply) => void>; next: number } | null | undefined;

/** Files claimed at once from the shared counter (small: the two threads finish together). */
const CLAIM = 4;

function workerDigests(root: string, paths: string[], sizes: number[], next: SharedArrayBuffer): Promise<HashReply> | undefined {
  return askWorker({ root, paths, sizes, small: SMALL, next, step: CLAIM });
}

function askWorker(msg: Record<string, unknown>): Promise<HashReply> | undefined {
  if (hashWorker === undefined) {
    try {
      const worker = new Worker(HASH_WORKER_SOURCE, { eval: true });
      const state = { worker, pending: new Map<number, (r: HashReply) => void>(), next: 0 };
      worker.on('message', (r: HashReply) => {
        const done = state.pending.get(r.id);
        state.pending.delete(r.id);
        if (state.pending.size === 0) worker.unref();
        done?.(r);
      });
      const broken = (e: unknown) => {
        // Work in flight fails over to the main thread (the caller hashes those files itself).
        hashWorker = null;
        for (const done of state.pending.values()) done({ id: -1, error: { message: String((e as Error)?.message ?? e), code: 'WORKER', index: 0 } });
        state.pending.clear();
      };
      worker.on('error', broken);
      worker.on('exit', broken);
      worker.unref();
      hashWorker = state;
    } catch {
      hashWorker = null;
    }
  }
  const w = hashWorker;
  if (!w) return undefined;
  const id = w.next++;
  if (w.pending.size === 0) w.worker.ref();
  return new Promise<HashReply>((res) => {
    w.pending.set(id, res);
    w.worker.postMessage({ id, ...msg });
  });
}

/** Below this many bytes a batch is hashed on the main thread alone (a message round trip costs more). */
const SPLIT_MIN_BYTES = 2 << 20;

/** A directory as a build context. NotFoundError when it is not a directory. */
export async function nodeContext(dir: string): Promise<BuildContext> {
  const root = resolve(dir);
  const st = await fsp.stat(root).catch(() => undefined);
  if (!st?.isDirectory()) throw new NotFoundError(`build context ${JSON.stringify(dir)} is not a directory`, { path: dir });
  const sizes = new Map<string, number>();
  const scratch = new Scratch();
  const memo = new DigestMemo(root);
  // Context paths are clean and relative: concatenation is path.join without its normalising pass.
  const prefix = root.endsWith('/') ? root : `${root}/`;
  /** sha256 of files [from, to) into out[from, to), read through the scratch buffer on this thread. */
  const digestHere = async (paths: string[], sizes: number[], from: number, to: number, out: string[]) => {
    let slice = 0;
    for (let i = from; i < to; i++) {
      if (slice >= DIGEST_SLICE) {
        slice = 0;
        await new Promise<void>((res) => setImmediate(res));
      }
      const abs = prefix + paths[i]!;
      try {
        const fd = openSync(abs, 'r');
        try {
          // Small files in one read; big ones in 4 MiB pieces through the same buffer.
          const buf = scratch.get(Math.min(sizes[i]! + 1, SMALL));
          let h: ReturnType<typeof createHash> | undefined;
          for (;;) {
            const n = readFully(fd, buf, buf.byteLength, sizes[i]! < SMALL ? sizes[i]! : -1);
            slice += n;
            if (h === undefined && n < buf.byteLength) {
              out[i] = sha256Hex(buf.subarray(0, n)); // the whole file in one read
              break;
            }
            h ??= createHash('sha256');
            if (n > 0) h.update(buf.subarray(0, n));
            if (n < buf.byteLength) {
              out[i] = `sha256:${h.digest('hex')}`;
              break;
            }
          }
        } finally {
          closeSync(fd);
        }
      } catch (e) {
        throw notFound(paths[i]!, root, e);
      }
    }
  };
  /** sha256 of the files `paths`, read and hashed on this thread and the hash worker. */
  const readAndHash = async (paths: string[], sizes: number[]): Promise<string[]> => {
    const out = new Array<string>(paths.length);
    const total = sizes.reduce((x, y) => x + y, 0);
    // Both threads claim files from one shared counter (work stealing): neither
    // waits for the other at the end of a batch, whatever the file sizes.
    const next = new SharedArrayBuffer(4);
    const counter = new Int32Array(next);
    const far = total >= SPLIT_MIN_BYTES && paths.length >= 2 ? workerDigests(root, paths, sizes, next) : undefined;
    try {
      for (;;) {
        const from = Atomics.add(counter, 0, CLAIM);
        if (from >= paths.length) break;
        await digestHere(paths, sizes, from, Math.min(from + CLAIM, paths.length), out);
      }
    } catch (e) {
      Atomics.store(counter, 0, paths.length); // stop the worker claiming more
      throw e;
    }
    if (far) {
      const r = await far;
      if (r.error && r.error.code !== 'WORKER') {
        const path = paths[r.error.index]!;
        throw notFound(path, root, Object.assign(new Error(r.error.message), { code: r.error.code }));
      }
      r.done?.forEach((i, k) => (out[i] = r.digests![k]!));
      // The worker died: what it claimed and did not report is hashed here.
      for (let i = 0; i < paths.length; i++) if (out[i] === undefined) await digestHere(paths, sizes, i, i + 1, out);
    }
    return out;
  };
  return {
    description: root,
    digestMemo: memo,
    async list() {
      const out: ContextEntry[] = [];
      const listedAt = Date.now();
      // Top-level directories after the first go to the worker (lstat is ~10 µs a call here; two threads halve it).
      const top = readdirSync(root).sort(comparePaths);
      const dirs = top.filter((n) => {
        try {
          return lstatSync(join(root, n)).isDirectory();
        } catch {
          return false;
        }
      });
      const farDirs = dirs.length >= 2 ? dirs.filter((_, i) => i % 2 === 1) : [];
      const far = farDirs.length ? askWorker({ op: 'list', root, dirs: farDirs }) : undefined;
      const skip = new Set(far ? farDirs : []);
      const visit = (rel: string) => {
        const names = readdirSync(rel === '' ? root : join(root, rel)).sort(comparePaths);
        for (const name of names) {
          const path = rel === '' ? name : `${rel}/${name}`;
          const abs = prefix + path;
          const st = lstatSync(abs);
          const e = entryOf(path, st, abs);
          if (!e) continue;
          out.push(e);
          if (e.type === 'file') {
            sizes.set(path, e.size);
            memo.saw(path, st.ino, st.size, st.mtimeMs, st.ctimeMs, listedAt);
          }
          if (e.type === 'directory' && !skip.has(path)) visit(path);
        }
      };
      visit('');
      if (far) {
        const r = await far;
        if (r.error?.code === 'WORKER') for (const d of farDirs) visit(d);
        else if (r.error) throw Object.assign(new Error(r.error.message), { code: r.error.code });
        else {
          for (const [path, type, mode, size, mtimeMs, linkname, ino, ctimeMs] of r.listed!) {
            // Same fields as entryOf: whole-second mtimes, symlinks 0777.
            const e: ContextEntry = { path, type, mode: type === 'symlink' ? 0o777 : mode & 0o7777, size: type === 'file' ? size : 0, mtime: Math.floor(mtimeMs / 1000), linkname };
            out.push(e);
            if (type === 'file') {
              sizes.set(path, size);
              memo.saw(path, ino!, size, mtimeMs, ctimeMs!, listedAt);
            }
          }
          out.sort((a, b) => comparePaths(a.path, b.path));
        }
      }
      return out;
    },
    async readBytes(path) {
      try {
        const size = sizes.get(path);
        if (size !== undefined && size <= SMALL) return readSmall(join(root, path), size);
        return new Uint8Array(await fsp.readFile(join(root, path)));
      } catch (e) {
        throw notFound(path, root, e);
      }
    },
    async readMany(paths, sizes) {
      // One buffer for the batch: per-file allocations cost more in GC than the reads.
      const total = sizes.reduce((a, b) => a + b, 0);
      const arena = Buffer.allocUnsafeSlow(total);
      const out: Uint8Array[] = [];
      let off = 0;
      for (let i = 0; i < paths.length; i++) {
        const abs = join(root, paths[i]!);
        const size = sizes[i]!;
        try {
          const fd = openSync(abs, 'r');
          let n = 0;
          try {
            while (n < size) {
              const r = readSync(fd, arena, off + n, size - n, null);
              if (r === 0) break;
              n += r;
            }
            const more = n === size && size > 0 ? readSync(fd, Buffer.allocUnsafe(1), 0, 1, null) : 0;
            out.push(n === size && more === 0 ? arena.subarray(off, off + size) : readSmall(abs, undefined)); // changed since listed
          } finally {
            closeSync(fd);
          }
        } catch (e) {
          throw notFound(paths[i]!, root, e);
        }
        off += size;
      }
      return out;
    },
    readTransient(path, size, onDigest) {
      if (size > SMALL) return undefined;
      const abs = prefix + path;
      try {
        const fd = openSync(abs, 'r');
        try {
          // One byte more than expected tells a file that grew since it was listed.
          const buf = scratch.get(size + 1);
          const n = readFully(fd, buf, size + 1, size);
          const bytes = n === size ? buf.subarray(0, n) : readSmall(abs, undefined); // changed since listed: the writer reports the size mismatch
          if (onDigest) {
            const digest = sha256Hex(bytes);
            if (n === size) memo.learn(path, digest); // (a file that changed since it was listed has another stamp by now)
            onDigest(digest);
          }
          return bytes;
        } finally {
          closeSync(fd);
        }
      } catch (e) {
        throw notFound(path, root, e);
      }
    },
    async digestMany(paths, sizes) {
      // Files whose stamp is the one an earlier build hashed them with are not read again.
      const out = new Array<string>(paths.length);
      const at: number[] = [];
      for (let i = 0; i < paths.length; i++) {
        const known = memo.known(paths[i]!);
        if (known !== undefined) out[i] = known;
        else at.push(i);
      }
      if (at.length > 0) {
        const all = at.length === paths.length;
        const got = await readAndHash(all ? paths : at.map((i) => paths[i]!), all ? sizes : at.map((i) => sizes[i]!));
        at.forEach((i, k) => {
          out[i] = got[k]!;
          memo.learn(paths[i]!, got[k]!);
        });
      }
      return out;
    },
    readStream(path) {
      const size = sizes.get(path);
      if (size !== undefined && size <= SMALL) {
        return new ReadableStream<Uint8Array>({
          pull(c) {
            let b: Uint8Array;
            try {
              b = readSmall(join(root, path), size);
            } catch (e) {
              throw notFound(path, root, e);
            }
            if (b.byteLength) c.enqueue(b);
            c.close();
          },
        });
      }
      return Readable.toWeb(createReadStream(join(root, path), { highWaterMark: 1024 * 1024 })) as unknown as ReadableStream<Uint8Array>;
    },
  };
}

setDirectoryContextOpener(nodeContext);
