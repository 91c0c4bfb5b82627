import { LayerfsError } from './LayerfsError.js';

/** A reference, path, container or volume that does not exist. */
export class NotFoundError extends LayerfsError {
  static readonly code = 'NOT_FOUND';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('NOT_FOUND', message, data, options);
  }
}
