import { LayerfsError } from './LayerfsError.js';

/** A registry answered 401: credentials missing or wrong. */
export class UnauthorizedError extends LayerfsError {
  static readonly code = 'UNAUTHORIZED';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('UNAUTHORIZED', message, data, options);
  }
}
