import { LayerfsError } from './LayerfsError.js';

/** A Dockerfile that does not parse; the message names line and column. */
export class DockerfileParseError extends LayerfsError {
  static readonly code = 'DOCKERFILE_PARSE';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('DOCKERFILE_PARSE', message, data, options);
  }
}
