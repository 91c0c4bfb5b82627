import { LayerfsError } from './LayerfsError.js';

/** An operation cancelled through its AbortSignal. */
export class AbortError extends LayerfsError {
  static readonly code = 'ABORTED';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('ABORTED', message, data, options);
  }
}
