import { LayerfsError } from './LayerfsError.js';

/** A media type, algorithm, platform or feature that layerfs does not handle. */
export class UnsupportedError extends LayerfsError {
  static readonly code = 'UNSUPPORTED';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('UNSUPPORTED', message, data, options);
  }
}
