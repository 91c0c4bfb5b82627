/**
 * Fuzz target: the manifest, index and config parsers (OCI image-spec
 * manifest.md, image-index.md, config.md, descriptor.md) and Image.fromBytes
 * over them. Inputs: valid OCI and Docker documents with one to three
 * mutations at random JSON paths (a field deleted, given the wrong type, a
 * huge or negative or fractional number, a bad digest, a bad media type, a
 * value nested thousands deep, an unknown key), byte-level mutations of the
 * serialised documents, and random JSON.
 * Invariants: only LayerfsErrors escape (MANIFEST_INVALID, DIGEST_MISMATCH,
 * ...); a document that parses parses again after a JSON round trip; an
 * Image built from mutated documents (config digest re-pointed so the
 * config's own checks are reached) answers its accessors without throwing.
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Image, MediaType, parseConfig, parseIndex, parseManifest, parseManifestOrIndex, selectManifest } from '../../src/index.js';
import { fuzz, typedOnly } from './harness.js';

const enc = new TextEncoder();
const sha = (s: string | Uint8Array) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

const CONFIG = {
  created: '2024-01-01T00:00:00Z',
  architecture: 'amd64',
  os: 'linux',
  config: { Env: ['PATH=/usr/bin'], Cmd: ['/bin/sh'], Labels: { a: 'b' }, ExposedPorts: { '80/tcp': {} }, WorkingDir: '/' },
  rootfs: { type: 'layers', diff_ids: [sha('l1'), sha('l2')] },
  history: [{ created_by: 'ADD a' }, { created_by: 'ENV x', empty_layer: true }, { created_by: 'ADD b' }],
};
const configBytes = enc.encode(JSON.stringify(CONFIG));
const MANIFEST = {
  schemaVersion: 2,
  mediaType: MediaType.ociManifest,
  config: { mediaType: MediaType.ociConfig, digest: sha(configBytes), size: configBytes.length },
  layers: [
    { mediaType: MediaType.ociLayerGzip, digest: sha('g1'), size: 10, annotations: { k: 'v' } },
    { mediaType: MediaType.ociLayer, digest: sha('g2'), size: 20, urls: ['https://example.com/x'] },
  ],
  annotations: { 'org.opencontainers.image.title': 't' },
};
const DOCKER_MANIFEST = {
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha(configBytes), size: configBytes.length },
  layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: sha('g1'), size: 10 }],
};
const INDEX = {
  schemaVersion: 2,
  mediaType: MediaType.ociIndex,
  manifests: [
    { mediaType: MediaType.ociManifest, digest: sha('m1'), size: 500, platform: { os: 'linux', architecture: 'amd64' } },
    { mediaType: MediaType.ociManifest, digest: sha('m2'), size: 501, platform: { os: 'linux', architecture: 'arm64', variant: 'v8', 'os.features': ['x'] } },
  ],
};
const DOCS = { manifest: MANIFEST, docker: DOCKER_MANIFEST, index: INDEX, config: CONFIG } as const;
type DocName = keyof typeof DOCS;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path (list of keys/indexes) in a JSON value, the root included. */
function paths(v: Json, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k]!, [...at, k], out);
  return out;
}

/**
 * A value nested `depth` deep stands in the document as a marker string and
 * is written out as text (JSON.stringify and structuredClone would overflow
 * the test's own stack on it).
 */
function nested(depth: number, kind: 'array' | 'object'): Json {
  return `\u0001DEEP:${kind}:${depth}`;
}

function serialise(v: Json): Uint8Array {
  const text = JSON.stringify(v).replace(/"\\u0001DEEP:(array|object):(\d+)"/g, (_, kind: string, n: string) =>
    kind === 'array' ? `${'['.repeat(Number(n))}1${']'.repeat(Number(n))}` : `${'{"a":'.repeat(Number(n))}1${'}'.repeat(Number(n))}`,
  );
  return enc.encode(text);
}

const badValue: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(
    1e308, -1, 1.5, 2 ** 53, 2 ** 64, -0, 0, 'NaN', '', '\u0000', 'x'.repeat(10_000), null, true, [], {},
    // digests
    'sha256:', 'sha256:abc', `sha256:${'A'.repeat(64)}`, `sha256:${'a'.repeat(63)}`, `sha512:${'a'.repeat(64)}`, `sha384:${'a'.repeat(96)}`, `md5:${'a'.repeat(32)}`, `sha256:${'a'.repeat(64)}\n`, `SHA256:${'a'.repeat(64)}`,
    // media types
    'application/', '/json', 'application/vnd.oci.image.manifest.v1+json; charset=utf-8', 'text plain', 'a'.repeat(300) + '/b', 'application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v1+json',
  ),
  fc.constantFrom(100, 600, 5000, 50_000).chain((d) => fc.constantFrom<'array' | 'object'>('array', 'object').map((k) => nested(d, k))),
);

const mutationArb = fc.record({ pick: fc.nat(), op: fc.constantFrom('delete', 'replace', 'replace', 'add-key'), value: badValue, key: fc.string({ maxLength: 10 }) });
type Mutation = { pick: number; op: string; value: Json; key: string };

function mutateDoc(doc: Json, muts: Mutation[]): Json {
  let root = structuredClone(doc);
  for (const mut of muts) {
    // A fresh copy of the value: generated values may be shared objects, and add-key would make a cycle.
    const m = { ...mut, value: structuredClone(mut.value) };
    const all = paths(root);
    const p = all[m.pick % all.length]!;
    if (p.length === 0) {
      if (m.op === 'replace') root = m.value;
      continue;
    }
    let parent = root as Record<string | number, Json>;
    for (const k of p.slice(0, -1)) parent = (parent as Record<string | number, Json>)[k] as Record<string | number, Json>;
    const last = p[p.length - 1]!;
    if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
    } else if (m.op === 'replace') parent[last] = m.value;
    else if (parent[last] !== null && typeof parent[last] === 'object' && !Array.isArray(parent[last])) (parent[last] as Record<string, Json>)[m.key] = m.value;
  }
  return root;
}

const PARSERS: Record<DocName, (b: Uint8Array) => unknown> = {
  manifest: parseManifest,
  docker: parseManifest,
  index: parseIndex,
  config: parseConfig,
};

/** Parses with the document's parser and with parseManifestOrIndex; a success survives a JSON round trip. */
function parseAll(name: DocName, bytes: Uint8Array): void {
  const top = (b: Uint8Array) => {
    const r = parseManifestOrIndex(b);
    return r.kind === 'index' ? r.index : r.manifest;
  };
  for (const parse of [PARSERS[name], top]) {
    try {
      const v = parse(bytes);
      expect(() => parse(enc.encode(JSON.stringify(v)))).not.toThrow();
      if (name === 'index' && v && typeof v === 'object' && 'manifests' in v) {
        try {
          selectManifest(v as never, { os: 'linux', architecture: 'arm64', variant: 'v8' });
        } catch (e) {
          typedOnly(e);
        }
      }
    } catch (e) {
      typedOnly(e);
    }
  }
}

const docName = fc.constantFrom<DocName>('manifest', 'docker', 'index', 'config');

describe('fuzz: manifest, index and config parsers', () => {
  it('valid documents with fields deleted, retyped, huge, nested deep or with bad digests and media types', async () => {
    await fuzz('image-json-mutations', 150, fc.record({ name: docName, muts: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) }), ({ name, muts }) => {
      parseAll(name, serialise(mutateDoc(DOCS[name] as Json, muts)));
    });
  });

  it('serialised documents with bytes flipped, cut or spliced (invalid UTF-8 and JSON included)', async () => {
    const arb = fc.record({ name: docName, flips: fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }), cut: fc.option(fc.nat()) });
    await fuzz('image-byte-mutations', 100, arb, ({ name, flips, cut }) => {
      const b = enc.encode(JSON.stringify(DOCS[name]));
      for (const [at, v] of flips) b[at % b.length] = v;
      parseAll(name, cut === null ? b : b.subarray(0, cut % (b.length + 1)));
    });
  });

  it('random JSON values as any document', async () => {
    await fuzz('image-random-json', 100, fc.record({ name: docName, v: fc.jsonValue({ maxDepth: 4 }) }), ({ name, v }) => {
      parseAll(name, enc.encode(JSON.stringify(v)));
    });
  });

  it('Image.fromBytes over a mutated manifest and config (the config descriptor re-pointed at the mutated config)', async () => {
    const arb = fc.record({
      docker: fc.boolean(),
      manifestMuts: fc.array(mutationArb, { maxLength: 2 }),
      configMuts: fc.array(mutationArb, { maxLength: 2 }),
      repoint: fc.boolean(),
    });
    await fuzz('image-from-bytes', 100, arb, async ({ docker, manifestMuts, configMuts, repoint }) => {
      const config = serialise(mutateDoc(CONFIG as Json, configMuts));
      const base = structuredClone(docker ? DOCKER_MANIFEST : MANIFEST) as { config: { digest: string; size: number } };
      if (repoint) base.config = { ...base.config, digest: sha(config), size: config.length };
      const manifest = serialise(mutateDoc(base as unknown as Json, manifestMuts));
      try {
        const img = await Image.fromBytes(manifest, config);
        img.historyItems();
        img.blobs();
        img.descriptor();
        expect(img.id).toMatch(/^sha256:/);
      } catch (e) {
        typedOnly(e);
      }
    });
  });
});

describe('image parsers: cases fuzzing found', () => {
  it('a config value nested 50,000 deep is MANIFEST_INVALID, not a RangeError from deepFreeze', async () => {
    const config = serialise({ ...CONFIG, x: nested(50_000, 'object') } as unknown as Json);
    const manifest = serialise({ ...MANIFEST, config: { ...MANIFEST.config, digest: sha(config), size: config.length } } as unknown as Json);
    const err = await Image.fromBytes(manifest, config).then(() => undefined, (e: unknown) => e);
    expect((err as { code?: string }).code).toBe('MANIFEST_INVALID');
    // 500 levels are within MAX_JSON_DEPTH: the image builds and is frozen all the way down.
    const ok = serialise({ ...CONFIG, x: nested(500, 'array') } as unknown as Json);
    const img = await Image.fromBytes(serialise({ ...MANIFEST, config: { ...MANIFEST.config, digest: sha(ok), size: ok.length } } as unknown as Json), ok);
    expect(Object.isFrozen(img.config)).toBe(true);
  });
});
