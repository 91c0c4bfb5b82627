import { LayerfsError } from './LayerfsError.js';

/**
 * The file system refused an operation for a reason no other class names
 * (permission denied, read-only, no space, name too long...); `data.errno`
 * holds the system code (EACCES, EROFS, ENOSPC, ...) and `data.path` the path.
 */
export class FileSystemError extends LayerfsError {
  static readonly code = 'FILESYSTEM';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('FILESYSTEM', message, data, options);
  }
}
