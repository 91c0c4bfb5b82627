/**
 * Node file-system errors (errno codes) as typed LayerfsErrors, so a tree
 * on disk fails the way the rest of layerfs does (Node only).
 */
import { AlreadyExistsError } from '../errors/AlreadyExistsError.js';
import { DirectoryNotEmptyError } from '../errors/DirectoryNotEmptyError.js';
import { FileSystemError } from '../errors/FileSystemError.js';
import { IsADirectoryError } from '../errors/IsADirectoryError.js';
import { LayerfsError } from '../errors/LayerfsError.js';
import { NotADirectoryError } from '../errors/NotADirectoryError.js';
import { NotFoundError } from '../errors/NotFoundError.js';

/** `e` unchanged when it is already typed (or not an errno error), else the matching LayerfsError. */
export function mapFsError(e: unknown, path: string): unknown {
  if (e instanceof LayerfsError || typeof e !== 'object' || e === null) return e;
  const errno = (e as { code?: unknown }).code;
  if (typeof errno !== 'string' || !/^E[A-Z]+$/.test(errno)) return e;
  const what = `${errno} on ${JSON.stringify(path)}: ${(e as Error).message}`;
  const data = { path, errno };
  switch (errno) {
    case 'ENOENT':
      return new NotFoundError(what, data, { cause: e });
    case 'EEXIST':
      return new AlreadyExistsError(what, data, { cause: e });
    case 'ENOTDIR':
      return new NotADirectoryError(what, data, { cause: e });
    case 'EISDIR':
      return new IsADirectoryError(what, data, { cause: e });
    case 'ENOTEMPTY':
      return new DirectoryNotEmptyError(what, data, { cause: e });
    default:
      return new FileSystemError(what, data, { cause: e });
  }
}
