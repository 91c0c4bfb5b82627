import { LayerfsError } from './LayerfsError.js';

/** A path, symlink or hardlink that would reach outside the root it is applied to. */
export class UnsafePathError extends LayerfsError {
  static readonly code = 'UNSAFE_PATH';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('UNSAFE_PATH', message, data, options);
  }
}
