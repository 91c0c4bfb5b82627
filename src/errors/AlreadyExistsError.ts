import { LayerfsError } from './LayerfsError.js';

/** A name (tag, container, volume) that is already taken. */
export class AlreadyExistsError extends LayerfsError {
  static readonly code = 'ALREADY_EXISTS';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('ALREADY_EXISTS', message, data, options);
  }
}
