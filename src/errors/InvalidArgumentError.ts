import { LayerfsError } from './LayerfsError.js';

/** An API call with an argument of the wrong kind or range. */
export class InvalidArgumentError extends LayerfsError {
  static readonly code = 'INVALID_ARGUMENT';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('INVALID_ARGUMENT', message, data, options);
  }
}
