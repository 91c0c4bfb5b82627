import { LayerfsError } from './LayerfsError.js';

/** A file operation on a directory (like EISDIR). */
export class IsADirectoryError extends LayerfsError {
  static readonly code = 'IS_A_DIRECTORY';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('IS_A_DIRECTORY', message, data, options);
  }
}
