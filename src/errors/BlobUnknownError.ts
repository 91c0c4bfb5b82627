import { LayerfsError } from './LayerfsError.js';

/** A blob that the store or registry does not hold. */
export class BlobUnknownError extends LayerfsError {
  static readonly code = 'BLOB_UNKNOWN';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('BLOB_UNKNOWN', message, data, options);
  }
}
