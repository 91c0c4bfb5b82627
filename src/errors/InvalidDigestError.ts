import { LayerfsError } from './LayerfsError.js';

/** A digest string that is not `sha256:` + 64 lowercase hex or `sha512:` + 128 (OCI image-spec descriptor.md, Digests). */
export class InvalidDigestError extends LayerfsError {
  static readonly code = 'INVALID_DIGEST';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('INVALID_DIGEST', message, data, options);
  }
}
