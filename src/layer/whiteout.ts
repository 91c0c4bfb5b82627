/**
 * Whiteout names (OCI image-spec layer.md, "Whiteouts"): `.wh.NAME` deletes
 * NAME from the lower layers; `.wh..wh..opq` in a directory makes it opaque.
 * CONFORMANCE.md rule 11: a bare `.wh.`, `.wh..`, `.wh..wh.` prefixes other
 * than the opaque marker, and a target with a `/` are invalid.
 */
import { InvalidWhiteoutError } from '../errors/InvalidWhiteoutError.js';
import { baseName, joinPath, parentPath } from './path.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';

export type WhiteoutInfo =
  | { kind: 'whiteout'; /** clean path that is deleted */ target: string; dir: string }
  | { kind: 'opaque'; /** clean path of the opaque directory */ dir: string };

/** The whiteout entry name that deletes `path` (clean). */
export function whiteoutName(path: string): string {
  return joinPath(parentPath(path), WHITEOUT_PREFIX + baseName(path));
}

/** The opaque marker's path inside directory `dir` (clean). */
export function opaqueName(dir: string): string {
  return joinPath(dir, OPAQUE_MARKER);
}

/** True when a base name starts with `.wh.` (whiteout, opaque marker, or invalid). */
export function isWhiteoutBase(base: string): boolean {
  return base.startsWith(WHITEOUT_PREFIX);
}

/**
 * Classifies a clean entry path: undefined for an ordinary entry, else the
 * whiteout it expresses. Throws INVALID_WHITEOUT for the forms rule 11 forbids.
 */
export function parseWhiteout(path: string): WhiteoutInfo | undefined {
  const base = baseName(path);
  if (!base.startsWith(WHITEOUT_PREFIX)) return undefined;
  const dir = parentPath(path);
  if (base === OPAQUE_MARKER) return { kind: 'opaque', dir };
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '' || name === '.' || name === '..') {
    throw new InvalidWhiteoutError(`invalid whiteout ${JSON.stringify(path)}: no target name`, { path });
  }
  if (name.startsWith(WHITEOUT_PREFIX)) {
    // `.wh..wh.X` other than the opaque marker is reserved by the spec.
    throw new InvalidWhiteoutError(`invalid whiteout ${JSON.stringify(path)}: reserved .wh..wh. prefix`, { path });
  }
  return { kind: 'whiteout', target: joinPath(dir, name), dir };
}
