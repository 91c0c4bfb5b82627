import { LayerfsError } from './LayerfsError.js';

/** Content whose hash (or size) is not the one its descriptor names. */
export class DigestMismatchError extends LayerfsError {
  static readonly code = 'DIGEST_MISMATCH';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('DIGEST_MISMATCH', message, data, options);
  }
}
