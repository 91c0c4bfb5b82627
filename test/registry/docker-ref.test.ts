import { afterEach, describe, expect, it } from 'vitest';
import { parseDockerReference, registryScheme } from '../../src/transport/docker-ref.js';
import { familiarName } from '../../src/transport/registry/pull.js';

const D = 'sha256:' + 'a'.repeat(64);

describe('parseDockerReference (Docker normalisation)', () => {
  const saved = process.env.LAYERFS_DEFAULT_REGISTRY;
  afterEach(() => {
    if (saved === undefined) delete process.env.LAYERFS_DEFAULT_REGISTRY;
    else process.env.LAYERFS_DEFAULT_REGISTRY = saved;
  });

  it.each([
    ['alpine', 'docker.io', 'registry-1.docker.io', 'library/alpine', 'latest', undefined],
    ['docker://alpine:3.19', 'docker.io', 'registry-1.docker.io', 'library/alpine', '3.19', undefined],
    ['user/app', 'docker.io', 'registry-1.docker.io', 'user/app', 'latest', undefined],
    ['index.docker.io/library/busybox:1', 'docker.io', 'registry-1.docker.io', 'library/busybox', '1', undefined],
    ['localhost/app', 'localhost', 'localhost', 'app', 'latest', undefined],
    ['localhost:5000/a/b/c:t', 'localhost:5000', 'localhost:5000', 'a/b/c', 't', undefined],
    ['127.0.0.1:5000/x@' + D, '127.0.0.1:5000', '127.0.0.1:5000', 'x', undefined, D],
    ['ghcr.io/o/r:v1@' + D, 'ghcr.io', 'ghcr.io', 'o/r', 'v1', D],
    ['my-reg.example.com/a__b/c-d.e', 'my-reg.example.com', 'my-reg.example.com', 'a__b/c-d.e', 'latest', undefined],
  ])('%s', (input, registry, apiHost, repository, tag, digest) => {
    const r = parseDockerReference(input);
    expect(r).toMatchObject({ registry, apiHost, repository });
    expect(r.tag).toBe(tag);
    expect(r.digest).toBe(digest);
    expect(r.reference).toBe(digest ?? tag);
  });

  it('treats a first component without . or : (and not localhost) as a path, not a host', () => {
    expect(parseDockerReference('foo/bar')).toMatchObject({ registry: 'docker.io', repository: 'foo/bar' });
    expect(parseDockerReference('foo:5000/bar')).toMatchObject({ registry: 'foo:5000', repository: 'bar' });
  });

  it('LAYERFS_DEFAULT_REGISTRY replaces Docker Hub for host-less names (without library/)', () => {
    process.env.LAYERFS_DEFAULT_REGISTRY = '127.0.0.1:5555';
    expect(parseDockerReference('alpine')).toMatchObject({ registry: '127.0.0.1:5555', repository: 'alpine' });
    expect(parseDockerReference('ghcr.io/x/y')).toMatchObject({ registry: 'ghcr.io' });
    expect(parseDockerReference('alpine', { defaultRegistry: 'quay.io' })).toMatchObject({ registry: 'quay.io' });
  });

  it('can leave the tag out (for listing tags)', () => {
    const r = parseDockerReference('docker://127.0.0.1:5000/repo', { defaultTag: null });
    expect(r.tag).toBeUndefined();
    expect(r.reference).toBe('');
    expect(`${r}`).toBe('127.0.0.1:5000/repo');
  });

  it.each(['', 'docker://', 'Alpine', 'a//b', 'a:b:c', 'alpine:-bad', 'alpine@sha256:abc', 'alpine@md5:' + 'a'.repeat(32), 'x/' + 'a'.repeat(260), 'a/b_/c', '/abs'])(
    'rejects %j with INVALID_ARGUMENT',
    (input) => {
      expect(() => parseDockerReference(input)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    },
  );

  it('formats canonically and to the familiar local name', () => {
    expect(`${parseDockerReference('alpine')}`).toBe('docker.io/library/alpine:latest');
    expect(familiarName(parseDockerReference('alpine:3'))).toBe('alpine:3');
    expect(familiarName(parseDockerReference('user/app'))).toBe('user/app:latest');
    expect(familiarName(parseDockerReference('127.0.0.1:5000/x/y:t'))).toBe('127.0.0.1:5000/x/y:t');
  });
});

describe('registryScheme: plain http only where Docker allows it by default', () => {
  it.each([
    ['localhost', 'http'],
    ['localhost:5000', 'http'],
    ['127.0.0.1:5000', 'http'],
    ['127.255.3.4', 'http'],
    ['[::1]:5000', 'http'],
    ['128.0.0.1:5000', 'https'],
    ['127.0.0.1.nip.io', 'https'],
    ['registry-1.docker.io', 'https'],
    ['10.0.0.5:5000', 'https'],
  ])('%s -> %s', (host, scheme) => {
    expect(registryScheme(host)).toBe(scheme);
  });
  it('--insecure allows http anywhere', () => {
    expect(registryScheme('10.0.0.5:5000', true)).toBe('http');
  });
});
