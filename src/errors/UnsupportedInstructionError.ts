import { LayerfsError } from './LayerfsError.js';

/** A Dockerfile instruction that needs a process (RUN, HEALTHCHECK, ...); layerfs builds without one. */
export class UnsupportedInstructionError extends LayerfsError {
  static readonly code = 'UNSUPPORTED_INSTRUCTION';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('UNSUPPORTED_INSTRUCTION', message, data, options);
  }
}
