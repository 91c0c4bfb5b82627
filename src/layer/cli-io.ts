/**
 * File plumbing the diff/apply/layer-ls commands share (Node only; reached
 * from src/cli only): a file as a Web Stream, and a file written through a
 * temporary name so that nothing half-written stays behind.
 */
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { NotFoundError } from '../errors/NotFoundError.js';

export async function fileStream(path: string): Promise<ReadableStream<Uint8Array>> {
  const st = await fsp.stat(path).catch(() => undefined);
  if (!st || !st.isFile()) throw new NotFoundError(`no such file: ${path}`, { path });
  return Readable.toWeb(createReadStream(path)) as unknown as ReadableStream<Uint8Array>;
}

export async function requireDir(path: string): Promise<void> {
  const st = await fsp.stat(path).catch(() => undefined);
  if (!st || !st.isDirectory()) throw new NotFoundError(`no such directory: ${path}`, { path });
}

/** Runs `write` against a stream to `${path}.tmp-*`, then renames it into place (removed on failure). */
export async function writeFileAtomic<T>(path: string, write: (out: WritableStream<Uint8Array>) => Promise<T>): Promise<T> {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const node = createWriteStream(tmp);
  try {
    const result = await write(Writable.toWeb(node) as unknown as WritableStream<Uint8Array>);
    await fsp.rename(tmp, path);
    return result;
  } catch (e) {
    node.destroy();
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}
