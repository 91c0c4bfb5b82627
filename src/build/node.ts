/**
 * Build contexts on disk (Node only): a directory is listed with NodeDirTree
 * (lstat, symlinks not followed) and files are read with node:fs. Importing
 * this module lets `build({ context: '/some/dir' })` take a path.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { resolve, join } from 'node:path';
import { Readable } from 'node:stream';
import { NotFoundError } from '../errors/NotFoundError.js';
import { NodeDirTree } from '../tree/node-dir.js';
import { setDirectoryContextOpener, treeContext, type BuildContext } from './context.js';

/** A directory as a build context. NotFoundError when it is not a directory. */
export async function nodeContext(dir: string): Promise<BuildContext> {
  const root = resolve(dir);
  const st = await fsp.stat(root).catch(() => undefined);
  if (!st?.isDirectory()) throw new NotFoundError(`build context ${JSON.stringify(dir)} is not a directory`, { path: dir });
  const base = treeContext(new NodeDirTree(root), root);
  return {
    description: root,
    list: () => base.list(),
    async readBytes(path) {
      try {
        return new Uint8Array(await fsp.readFile(join(root, path)));
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT') throw new NotFoundError(`${JSON.stringify(path)} is not in the build context ${root}`, { path });
        throw e;
      }
    },
    readStream(path) {
      return Readable.toWeb(createReadStream(join(root, path), { highWaterMark: 256 * 1024 })) as unknown as ReadableStream<Uint8Array>;
    },
  };
}

setDirectoryContextOpener(nodeContext);
