/**
 * Base class of every error layerfs throws on purpose. `code` is stable
 * across releases (callers and the CLI switch on it); `message` says what was
 * wrong and where. Subclasses live one per file, as isomorphic-git does.
 */
export class LayerfsError extends Error {
  readonly code: string;
  /** Extra machine-readable facts (a path, a digest, a repository...). */
  readonly data: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.data = Object.freeze({ ...data });
  }
}

/** True when `e` is a LayerfsError, optionally with the given code. */
export function isLayerfsError(e: unknown, code?: string): e is LayerfsError {
  return e instanceof LayerfsError && (code === undefined || e.code === code);
}
