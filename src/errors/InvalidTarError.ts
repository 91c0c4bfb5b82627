import { LayerfsError } from './LayerfsError.js';

/** A tar stream that is malformed: bad checksum, unknown typeflag, truncated entry. */
export class InvalidTarError extends LayerfsError {
  static readonly code = 'INVALID_TAR';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('INVALID_TAR', message, data, options);
  }
}
