/**
 * Names of images in the local store: `NAME[:TAG]` or `NAME@DIGEST`, with
 * the tag `latest` when it is left out (as docker and podman do). NAME is a
 * Docker-style repository path: lowercase components `[a-z0-9]+([._-][a-z0-9]+)*`
 * joined by `/`, optionally starting with a registry host (`host[:port]/`).
 */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { isDigest } from '../image/hashing.js';

export interface LocalName {
  /** Repository path, e.g. `alpine` or `localhost:5000/team/app`. */
  name: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$|^\[[0-9a-fA-F:]+\](?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;

function bad(s: string, why: string): never {
  throw new InvalidArgumentError(`invalid image name ${JSON.stringify(s)}: ${why}`, { ref: s });
}

/** Parse `NAME[:TAG]` / `NAME@DIGEST`; the tag defaults to `latest` unless a digest is given. */
export function parseLocalName(s: string): LocalName {
  if (s === '') bad(s, 'empty');
  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) bad(s, `${JSON.stringify(digest)} is not a digest`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) bad(s, `${JSON.stringify(tag)} is not a valid tag`);
  }
  const parts = rest.split('/');
  const first = parts[0]!;
  const hasHost = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasHost && !HOST.test(first)) bad(s, `${JSON.stringify(first)} is not a valid registry host`);
  for (const p of hasHost ? parts.slice(1) : parts) {
    if (!COMPONENT.test(p)) bad(s, `${JSON.stringify(p)} is not a valid name component (lowercase letters, digits, separators)`);
  }
  if (rest.length > 255) bad(s, 'longer than 255 characters');
  const out: LocalName = { name: rest };
  if (tag !== undefined) out.tag = tag;
  else if (!digest) out.tag = 'latest';
  if (digest) out.digest = digest;
  return out;
}

/** `name:tag` (or `name@digest`) — the key of a reference record. */
export function formatLocalName(n: LocalName): string {
  return n.digest && !n.tag ? `${n.name}@${n.digest}` : `${n.name}:${n.tag ?? 'latest'}`;
}

/** Normalise `s` to the key form (`alpine` -> `alpine:latest`). */
export function normalizeLocalName(s: string): string {
  return formatLocalName(parseLocalName(s));
}
