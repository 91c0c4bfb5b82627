import { LayerfsError } from './LayerfsError.js';

/** A registry answered with an error that has no more specific class. */
export class RegistryError extends LayerfsError {
  static readonly code = 'REGISTRY_ERROR';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('REGISTRY_ERROR', message, data, options);
  }
}
