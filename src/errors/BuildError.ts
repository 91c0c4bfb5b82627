import { LayerfsError } from './LayerfsError.js';

/** A Dockerfile step that cannot be carried out (a COPY into a file, several sources to one file...); the message names the line. */
export class BuildError extends LayerfsError {
  static readonly code = 'BUILD_FAILED';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('BUILD_FAILED', message, data, options);
  }
}
