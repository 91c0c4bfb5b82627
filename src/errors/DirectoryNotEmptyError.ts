import { LayerfsError } from './LayerfsError.js';

/** A directory that must be empty is not (like ENOTEMPTY: rmdir, rename over a directory). */
export class DirectoryNotEmptyError extends LayerfsError {
  static readonly code = 'DIRECTORY_NOT_EMPTY';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('DIRECTORY_NOT_EMPTY', message, data, options);
  }
}
