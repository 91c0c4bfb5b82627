import { LayerfsError } from './LayerfsError.js';

/** A whiteout that the OCI image-spec (layer.md, Whiteouts) forbids, or a real file named `.wh.*`. */
export class InvalidWhiteoutError extends LayerfsError {
  static readonly code = 'INVALID_WHITEOUT';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('INVALID_WHITEOUT', message, data, options);
  }
}
