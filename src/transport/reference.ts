/**
 * Image references with a transport, named as skopeo names them
 * (containers-transports(5)):
 *
 *   oci:DIR[:TAG]                 an OCI image layout directory (image-layout.md)
 *   oci-archive:FILE[:TAG]        a tar of an OCI image layout
 *   docker-archive:FILE[:REF]     `docker save` output
 *   docker://HOST/REPO[:TAG|@DIGEST]  a registry (src/transport/registry)
 *   NAME[:TAG] | NAME@DIGEST      the local store (tag `latest` when left out)
 *
 * As in containers/image, the path ends at the FIRST ':' after the
 * transport name, so a path cannot contain ':'.
 */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { parseLocalName } from '../store/names.js';

export type TransportName = 'oci' | 'oci-archive' | 'docker-archive' | 'docker' | 'local';

export type TransportRef =
  | { transport: 'oci'; path: string; tag?: string }
  | { transport: 'oci-archive'; path: string; tag?: string }
  | { transport: 'docker-archive'; path: string; ref?: string }
  | { transport: 'docker'; ref: string }
  | { transport: 'local'; name: string };

const PREFIXES: Array<[string, TransportName]> = [
  ['oci-archive:', 'oci-archive'],
  ['docker-archive:', 'docker-archive'],
  ['oci:', 'oci'],
  ['docker://', 'docker'],
];

function splitPath(s: string, whole: string): [string, string | undefined] {
  const i = s.indexOf(':');
  const p = i < 0 ? s : s.slice(0, i);
  const rest = i < 0 ? undefined : s.slice(i + 1);
  if (p === '') throw new InvalidArgumentError(`no path in ${JSON.stringify(whole)}`, { ref: whole });
  return [p, rest === '' ? undefined : rest];
}

/** Parse `TRANSPORT:DETAILS` or a bare local name. InvalidArgumentError for malformed input. */
export function parseImageReference(s: string): TransportRef {
  for (const [prefix, transport] of PREFIXES) {
    if (!s.startsWith(prefix)) continue;
    const rest = s.slice(prefix.length);
    switch (transport) {
      case 'oci':
      case 'oci-archive': {
        const [path, tag] = splitPath(rest, s);
        // image-layout.md: ref.name follows the tag grammar in practice; skopeo accepts more, so only reject separators.
        if (tag !== undefined && /[\s/]/.test(tag)) throw new InvalidArgumentError(`invalid tag ${JSON.stringify(tag)} in ${JSON.stringify(s)}`, { ref: s });
        return tag === undefined ? { transport, path } : { transport, path, tag };
      }
      case 'docker-archive': {
        const [path, ref] = splitPath(rest, s);
        if (ref !== undefined && !ref.startsWith('@')) parseLocalName(ref);
        return ref === undefined ? { transport, path } : { transport, path, ref };
      }
      case 'docker':
        if (rest === '') throw new InvalidArgumentError(`no image in ${JSON.stringify(s)}`, { ref: s });
        return { transport, ref: rest };
    }
  }
  const m = /^([a-z][a-z0-9-]*):(?!\d)/.exec(s);
  if (m && !s.slice(m[0].length).includes('/') && ['containers-storage', 'dir', 'docker-daemon', 'ostree', 'sif'].includes(m[1]!)) {
    throw new InvalidArgumentError(`transport ${m[1]}: is not supported (layerfs reads oci:, oci-archive:, docker-archive:, docker:// and local names)`, { ref: s });
  }
  // Kept as written: a local source may also be an image id or digest (store.resolve); destinations normalise it.
  if (!/^(sha256:|sha512:)?[0-9a-f]{4,128}$/.test(s)) parseLocalName(s);
  return { transport: 'local', name: s };
}

export function formatImageReference(r: TransportRef): string {
  switch (r.transport) {
    case 'oci':
    case 'oci-archive':
      return `${r.transport}:${r.path}${r.tag ? `:${r.tag}` : ''}`;
    case 'docker-archive':
      return `docker-archive:${r.path}${r.ref ? `:${r.ref}` : ''}`;
    case 'docker':
      return `docker://${r.ref}`;
    case 'local':
      return r.name;
  }
}
