/**
 * Tar archives of a directory (Node): extracting one to a temporary
 * directory and writing a directory out as one, with the streaming tar
 * reader and writer of src/tar. oci-archive: and docker-archive: go through
 * a temporary directory, as containers/image does, so their blobs can be
 * read in any order.
 */
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { NotFoundError } from '../errors/NotFoundError.js';
import { cleanPath } from '../layer/path.js';
import { tarHeader } from '../tar/encode.js';
import { parseTar } from '../tar/reader.js';
import { createTarWriter } from '../tar/writer.js';
import { writeStreamToFile } from './node-layout-fs.js';
import { copyBytes } from '../tar/bytes.js';

/** Our temp dirs: `layerfs-<prefix>-<pid>-<random>` (mkdtemp adds 6 characters). */
const TEMP_DIR = /^layerfs-(docker-archive|docker-archive-out|oci-archive|oci-archive-out)-(\d+)-[A-Za-z0-9]{6}$/;

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * A temp dir named with this process, so the next one made on this host
 * can remove those a killed process (kill -9: no cleanup ran) left behind;
 * an archive's extraction is as large as the archive.
 */
export async function makeTempDir(prefix: string): Promise<string> {
  const tmp = os.tmpdir();
  for (const name of await fs.readdir(tmp).catch(() => [] as string[])) {
    const m = TEMP_DIR.exec(name);
    if (m && Number(m[2]) !== process.pid && processGone(Number(m[2]))) await fs.rm(path.join(tmp, name), { recursive: true, force: true }).catch(() => {});
  }
  return fs.mkdtemp(path.join(tmp, `layerfs-${prefix}-${process.pid}-`));
}

export function fileStream(p: string): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(p, { highWaterMark: 1 << 20 })) as unknown as ReadableStream<Uint8Array>;
}

/**
 * Extract the regular files and directories of the tar at `file` into `dir`
 * (names are cleaned: nothing lands outside). Symlinks and hardlinks are not
 * created; they are returned (clean path -> target as stored) so a reader can
 * follow them inside the archive — `docker save` links a repeated layer's
 * `<id>/layer.tar` to the first copy.
 */
export async function extractArchive(file: string, dir: string): Promise<Map<string, { target: string; hard: boolean }>> {
  const links = new Map<string, { target: string; hard: boolean }>();
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new InvalidArgumentError(`${file} is not a file`, { path: file });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`archive ${file} does not exist`, { path: file });
    throw e;
  }
  for await (const entry of parseTar(fileStream(file))) {
    const rel = cleanPath(entry.header.path);
    if (rel === '') continue;
    const dest = path.join(dir, ...rel.split('/'));
    if (entry.header.type === 'directory') {
      await fs.mkdir(dest, { recursive: true });
    } else if (entry.header.type === 'file') {
      await fs.mkdir(path.dirname(dest), { recursive: true });
      await fs.rm(dest, { force: true });
      const body = entry.body[Symbol.asyncIterator]();
      const stream = new ReadableStream<Uint8Array>({
        async pull(c) {
          const r = await body.next();
          if (r.done) c.close();
          else c.enqueue(copyBytes(r.value));
        },
      });
      await writeStreamToFile(dest, stream);
    }
    else if (entry.header.type === 'symlink' || entry.header.type === 'hardlink') {
      links.set(rel, { target: entry.header.linkname, hard: entry.header.type === 'hardlink' });
    }
    // Devices and FIFOs have no place in an image archive: skipped.
  }
  return links;
}

/**
 * The extracted file a name inside the archive stands for, following the
 * archive's links (relative symlinks from their directory, hardlinks and
 * absolute targets from the archive root), never leaving `dir`.
 */
export function resolveInArchive(dir: string, links: Map<string, { target: string; hard: boolean }>, name: string): string {
  let rel = cleanPath(name);
  for (let hops = 0; hops < 40; hops++) {
    const l = links.get(rel);
    if (!l) return path.join(dir, ...rel.split('/'));
    const base = l.hard || l.target.startsWith('/') ? '' : rel.split('/').slice(0, -1).join('/');
    rel = cleanPath(base ? `${base}/${l.target}` : l.target);
  }
  throw new InvalidArgumentError(`too many links resolving ${name} in the archive`, { path: name });
}

async function walkFiles(dir: string, rel = ''): Promise<Array<{ rel: string; dir: boolean; size: number }>> {
  const out: Array<{ rel: string; dir: boolean; size: number }> = [];
  const names = (await fs.readdir(path.join(dir, rel))).sort();
  for (const n of names) {
    const r = rel ? `${rel}/${n}` : n;
    const st = await fs.stat(path.join(dir, r));
    if (st.isDirectory()) {
      out.push({ rel: r, dir: true, size: 0 });
      out.push(...(await walkFiles(dir, r)));
    } else if (st.isFile()) out.push({ rel: r, dir: false, size: st.size });
  }
  return out;
}

/**
 * Write `dir` as a tar to `file` (through `file`.tmp + rename). `order`
 * puts some names first (docker-archive readers like manifest.json early
 * but do not require it). mtimes are 0 so the same content gives the same bytes.
 */
export async function writeArchive(dir: string, file: string): Promise<void> {
  const entries = await walkFiles(dir);
  const w = createTarWriter();
  const tmp = `${file}.layerfs-tmp-${process.pid}-${Date.now()}`;
  const sink = writeStreamToFile(tmp, w.readable);
  try {
    for (const e of entries) {
      if (e.dir) await w.add(tarHeader({ path: `${e.rel}/`, type: 'directory', mode: 0o755 }));
      else await w.add(tarHeader({ path: e.rel, type: 'file', mode: 0o644, size: e.size }), fileStream(path.join(dir, e.rel)));
    }
    await w.finish();
    await sink;
    await fs.rename(tmp, file);
  } catch (e) {
    await w.abort(e).catch(() => {});
    await sink.catch(() => {});
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
