import { LayerfsError } from './LayerfsError.js';

/** A path component that must be a directory is not one (like ENOTDIR). */
export class NotADirectoryError extends LayerfsError {
  static readonly code = 'NOT_A_DIRECTORY';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('NOT_A_DIRECTORY', message, data, options);
  }
}
