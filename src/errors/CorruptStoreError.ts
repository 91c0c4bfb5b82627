import { LayerfsError } from './LayerfsError.js';

/** A store entry (reference, container, index) that cannot be trusted. */
export class CorruptStoreError extends LayerfsError {
  static readonly code = 'CORRUPT_STORE';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('CORRUPT_STORE', message, data, options);
  }
}
