import { LayerfsError } from './LayerfsError.js';

/** A manifest, index, config or descriptor that does not follow the OCI image-spec; the message names the JSON path at fault. */
export class ManifestInvalidError extends LayerfsError {
  static readonly code = 'MANIFEST_INVALID';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('MANIFEST_INVALID', message, data, options);
  }
}
