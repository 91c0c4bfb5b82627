/** LayoutFs over a directory with node:fs (temp file in the directory, then rename — as containers/image's oci dest does). */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { LayoutFs, StagedFile } from './layout-fs.js';

function notFound(e: unknown): boolean {
  const c = (e as NodeJS.ErrnoException)?.code;
  return c === 'ENOENT' || c === 'ENOTDIR';
}

export async function writeStreamToFile(file: string, data: ReadableStream<Uint8Array> | Uint8Array): Promise<number> {
  const fh = await fs.open(file, 'wx', 0o644);
  let n = 0;
  try {
    if (data instanceof Uint8Array) {
      await fh.writeFile(data);
      n = data.byteLength;
    } else {
      const reader = data.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        let off = 0;
        while (off < value.byteLength) off += (await fh.write(value, off, value.byteLength - off)).bytesWritten;
        n += value.byteLength;
      }
    }
    await fh.close();
    return n;
  } catch (e) {
    await fh.close().catch(() => {});
    await fs.rm(file, { force: true });
    throw e;
  }
}

export function nodeLayoutFs(dir: string): LayoutFs {
  const root = path.resolve(dir);
  const abs = (rel: string) => path.join(root, ...rel.split('/'));
  return {
    description: root,
    async read(rel) {
      let fh: fs.FileHandle;
      try {
        fh = await fs.open(abs(rel), 'r');
        if (!(await fh.stat()).isFile()) {
          await fh.close();
          return undefined;
        }
      } catch (e) {
        if (notFound(e) || (e as NodeJS.ErrnoException)?.code === 'EISDIR') return undefined;
        throw e;
      }
      return Readable.toWeb(fh.createReadStream({ highWaterMark: 1 << 20 })) as unknown as ReadableStream<Uint8Array>;
    },
    async size(rel) {
      try {
        const st = await fs.stat(abs(rel));
        return st.isFile() ? st.size : undefined;
      } catch (e) {
        if (notFound(e)) return undefined;
        throw e;
      }
    },
    async stage(data): Promise<StagedFile> {
      await fs.mkdir(root, { recursive: true });
      const tmp = path.join(root, `.layerfs-tmp-${randomBytes(8).toString('hex')}`);
      await writeStreamToFile(tmp, data);
      let done = false;
      return {
        async commit(rel) {
          if (done) return;
          done = true;
          const dest = abs(rel);
          await fs.mkdir(path.dirname(dest), { recursive: true });
          await fs.rename(tmp, dest);
        },
        async discard() {
          done = true;
          await fs.rm(tmp, { force: true });
        },
      };
    },
    async list(rel) {
      try {
        return await fs.readdir(abs(rel));
      } catch (e) {
        if (notFound(e)) return [];
        throw e;
      }
    },
  };
}
