/**
 * The browser backend: the Origin Private File System
 * (navigator.storage.getDirectory(), File System Access API), laid out
 * like the disk backend:
 *
 *   <root>/blobs/<alg>/<hex>, tmp/<name>, records/<kind>/<key>.json, areas/<kind>/<id>/
 *
 * Writes go to tmp/ under a unique name; commit moves the file into place
 * with FileSystemFileHandle.move() where the browser has it (Chromium) and
 * otherwise copies it through createWritable(), whose swap file only
 * replaces the target when closed, so a reader never sees a partial blob.
 * Keys are percent-encoded as on disk. Areas are OpfsTrees (opfs-tree.ts):
 * file bytes in OPFS files, structure and attributes in an inode table.
 */
import { BlobUnknownError } from '../errors/BlobUnknownError.js';
import { CorruptStoreError } from '../errors/CorruptStoreError.js';
import { checkDigest } from '../image/hashing.js';
import type { Tree } from '../tree/types.js';
import { OpfsTree } from './opfs-tree.js';
import type { BlobInfo, PendingBlob, StoreBackend, StoredRecord } from './types.js';

/** The async-iteration part of FileSystemDirectoryHandle that TypeScript's DOM lib leaves out. */
interface IterableDir extends FileSystemDirectoryHandle {
  keys(): AsyncIterableIterator<string>;
}
interface MovableFile extends FileSystemFileHandle {
  move?(dir: FileSystemDirectoryHandle, name: string): Promise<void>;
}

export function encodeOpfsKey(key: string): string {
  return Array.from(new TextEncoder().encode(key), (b) =>
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f || b === 0x2d
      ? String.fromCharCode(b)
      : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');
}

function isNotFound(e: unknown): boolean {
  return (e as { name?: string })?.name === 'NotFoundError' || (e as { name?: string })?.name === 'TypeMismatchError';
}

function randomName(): string {
  const b = new Uint8Array(8);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

async function names(dir: FileSystemDirectoryHandle): Promise<string[]> {
  const out: string[] = [];
  for await (const k of (dir as IterableDir).keys()) out.push(k);
  return out.sort();
}

export class OpfsBackend implements StoreBackend {
  readonly kind = 'opfs';
  readonly location: string;
  readonly #root: FileSystemDirectoryHandle;

  constructor(root: FileSystemDirectoryHandle, location = `opfs:/${root.name}`) {
    this.#root = root;
    this.location = location;
  }

  async #dir(parts: string[], create: boolean): Promise<FileSystemDirectoryHandle | undefined> {
    let d = this.#root;
    for (const p of parts) {
      try {
        d = await d.getDirectoryHandle(p, { create });
      } catch (e) {
        if (!create && isNotFound(e)) return undefined;
        throw e;
      }
    }
    return d;
  }

  async #file(parts: string[], name: string): Promise<FileSystemFileHandle | undefined> {
    const d = await this.#dir(parts, false);
    if (!d) return undefined;
    try {
      return await d.getFileHandle(name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async #writeTemp(data: ReadableStream<Uint8Array>): Promise<{ handle: FileSystemFileHandle; name: string; size: number }> {
    const tmp = (await this.#dir(['tmp'], true))!;
    const name = `${randomName()}.${Date.now()}`;
    const handle = await tmp.getFileHandle(name, { create: true });
    const w = await handle.createWritable();
    let size = 0;
    try {
      const r = data.getReader();
      for (;;) {
        const { done, value } = await r.read();
        if (done) break;
        size += value.byteLength;
        await w.write(value as Uint8Array<ArrayBuffer>);
      }
      await w.close();
    } catch (e) {
      await w.abort().catch(() => {});
      await tmp.removeEntry(name).catch(() => {});
      throw e;
    }
    return { handle, name, size };
  }

  /** Move tmp/<name> to dir/<final> (move() where available, else an atomic createWritable copy). */
  async #place(handle: FileSystemFileHandle, tmpName: string, dir: FileSystemDirectoryHandle, final: string): Promise<void> {
    const m = handle as MovableFile;
    if (typeof m.move === 'function') {
      await m.move(dir, final);
      return;
    }
    const target = await dir.getFileHandle(final, { create: true });
    const w = await target.createWritable();
    try {
      const r = ((await handle.getFile()).stream() as ReadableStream<Uint8Array>).getReader();
      for (;;) {
        const { done, value } = await r.read();
        if (done) break;
        await w.write(value as Uint8Array<ArrayBuffer>);
      }
      await w.close();
    } catch (e) {
      await w.abort().catch(() => {});
      throw e;
    }
    const tmp = (await this.#dir(['tmp'], true))!;
    await tmp.removeEntry(tmpName).catch(() => {});
  }

  async hasBlob(digest: string): Promise<boolean> {
    return (await this.blobSize(digest)) !== undefined;
  }

  async blobSize(digest: string): Promise<number | undefined> {
    const { algorithm, hex } = checkDigest(digest);
    const f = await this.#file(['blobs', algorithm], hex);
    return f ? (await f.getFile()).size : undefined;
  }

  async getBlob(digest: string): Promise<ReadableStream<Uint8Array>> {
    const { algorithm, hex } = checkDigest(digest);
    const f = await this.#file(['blobs', algorithm], hex);
    if (!f) throw new BlobUnknownError(`blob ${digest} is not in the store`, { digest });
    return (await f.getFile()).stream() as ReadableStream<Uint8Array>;
  }

  async putBlob(digest: string, data: ReadableStream<Uint8Array>): Promise<PendingBlob> {
    const { algorithm, hex } = checkDigest(digest);
    const t = await this.#writeTemp(data);
    let done = false;
    return {
      digest,
      size: t.size,
      commit: async () => {
        if (done) return;
        done = true;
        await this.#place(t.handle, t.name, (await this.#dir(['blobs', algorithm], true))!, hex);
      },
      discard: async () => {
        if (done) return;
        done = true;
        await (await this.#dir(['tmp'], true))!.removeEntry(t.name).catch(() => {});
      },
    };
  }

  async deleteBlob(digest: string): Promise<void> {
    const { algorithm, hex } = checkDigest(digest);
    const d = await this.#dir(['blobs', algorithm], false);
    await d?.removeEntry(hex).catch((e) => {
      if (!isNotFound(e)) throw e;
    });
  }

  async listBlobs(): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    for (const alg of ['sha256', 'sha512']) {
      const d = await this.#dir(['blobs', alg], false);
      if (!d) continue;
      for (const hex of await names(d)) {
        const f = await d.getFileHandle(hex).catch(() => undefined);
        if (f) out.push({ digest: `${alg}:${hex}`, size: (await f.getFile()).size });
      }
    }
    return out;
  }

  async getRecord<T>(kind: string, key: string): Promise<StoredRecord<T> | undefined> {
    const f = await this.#file(['records', encodeOpfsKey(kind)], `${encodeOpfsKey(key)}.json`);
    if (!f) return undefined;
    const text = await (await f.getFile()).text();
    try {
      return JSON.parse(text) as StoredRecord<T>;
    } catch {
      throw new CorruptStoreError(`record ${kind}/${key} is not valid JSON`, { kind, key });
    }
  }

  async putRecord<T>(kind: string, key: string, record: StoredRecord<T>): Promise<void> {
    await this.#replaceRecordFile(kind, `${encodeOpfsKey(key)}.json`, JSON.stringify(record));
  }

  /** Writes a file of `kind`'s records folder: createWritable's swap file replaces it only on close (atomic). */
  async #replaceRecordFile(kind: string, name: string, data: string | Uint8Array<ArrayBuffer>): Promise<void> {
    const dir = (await this.#dir(['records', encodeOpfsKey(kind)], true))!;
    const w = await (await dir.getFileHandle(name, { create: true })).createWritable();
    await w.write(data);
    await w.close();
  }

  async getRecordBytes(kind: string, key: string): Promise<Uint8Array | undefined> {
    const f = await this.#file(['records', encodeOpfsKey(kind)], `${encodeOpfsKey(key)}.bin`);
    return f ? new Uint8Array(await (await f.getFile()).arrayBuffer()) : undefined;
  }

  async putRecordBytes(kind: string, key: string, bytes: Uint8Array): Promise<void> {
    await this.#replaceRecordFile(kind, `${encodeOpfsKey(key)}.bin`, bytes as Uint8Array<ArrayBuffer>);
  }

  async deleteRecord(kind: string, key: string): Promise<boolean> {
    const dir = await this.#dir(['records', encodeOpfsKey(kind)], false);
    if (!dir) return false;
    await dir.removeEntry(`${encodeOpfsKey(key)}.bin`).catch((e: unknown) => {
      if (!isNotFound(e)) throw e;
    });
    try {
      await dir.removeEntry(`${encodeOpfsKey(key)}.json`);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async listRecords(kind: string): Promise<string[]> {
    const dir = await this.#dir(['records', encodeOpfsKey(kind)], false);
    if (!dir) return [];
    return (await names(dir)).filter((n) => n.endsWith('.json')).map((n) => decodeURIComponent(n.slice(0, -5))).sort();
  }

  async listKinds(): Promise<string[]> {
    const dir = await this.#dir(['records'], false);
    if (!dir) return [];
    const out: string[] = [];
    for (const k of await names(dir)) {
      if ((await names(await dir.getDirectoryHandle(k))).some((n) => n.endsWith('.json'))) out.push(decodeURIComponent(k));
    }
    return out.sort();
  }

  async openArea(kind: string, id: string): Promise<Tree> {
    return OpfsTree.open((await this.#dir(['areas', encodeOpfsKey(kind), encodeOpfsKey(id)], true))!);
  }

  async deleteArea(kind: string, id: string): Promise<boolean> {
    const dir = await this.#dir(['areas', encodeOpfsKey(kind)], false);
    if (!dir) return false;
    try {
      await dir.removeEntry(encodeOpfsKey(id), { recursive: true });
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async listAreas(kind: string): Promise<string[]> {
    const dir = await this.#dir(['areas', encodeOpfsKey(kind)], false);
    return dir ? (await names(dir)).map((n) => decodeURIComponent(n)) : [];
  }

  async sweepTemp(olderThanMs: number): Promise<{ count: number; bytes: number }> {
    const tmp = await this.#dir(['tmp'], false);
    if (!tmp) return { count: 0, bytes: 0 };
    let count = 0;
    let bytes = 0;
    for (const n of await names(tmp)) {
      const f = await tmp.getFileHandle(n).catch(() => undefined);
      if (!f) continue;
      const file = await f.getFile();
      if (Date.now() - file.lastModified < olderThanMs) continue;
      await tmp.removeEntry(n).catch(() => {});
      count++;
      bytes += file.size;
    }
    return { count, bytes };
  }
}
