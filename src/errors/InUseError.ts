import { LayerfsError } from './LayerfsError.js';

/** A resource still used by something else (a volume mounted by a container). */
export class InUseError extends LayerfsError {
  static readonly code = 'IN_USE';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('IN_USE', message, data, options);
  }
}
