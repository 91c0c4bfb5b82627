import { LayerfsError } from './LayerfsError.js';

/** Too many symbolic links met while resolving a path (40, as Linux's ELOOP). */
export class SymlinkLoopError extends LayerfsError {
  static readonly code = 'SYMLINK_LOOP';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('SYMLINK_LOOP', message, data, options);
  }
}
