import { LayerfsError } from './LayerfsError.js';

/** A registry answered 403: the credentials may not do this. */
export class DeniedError extends LayerfsError {
  static readonly code = 'DENIED';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('DENIED', message, data, options);
  }
}
