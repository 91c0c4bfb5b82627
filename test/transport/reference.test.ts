import { describe, expect, it } from 'vitest';
import { formatImageReference, parseImageReference } from '../../src/transport/index.js';

describe('parseImageReference (skopeo transport names)', () => {
  it.each([
    ['oci:/tmp/layout', { transport: 'oci', path: '/tmp/layout' }],
    ['oci:/tmp/layout:v1.2', { transport: 'oci', path: '/tmp/layout', tag: 'v1.2' }],
    ['oci:rel/dir:', { transport: 'oci', path: 'rel/dir' }],
    ['oci-archive:img.tar:latest', { transport: 'oci-archive', path: 'img.tar', tag: 'latest' }],
    ['docker-archive:/x/save.tar', { transport: 'docker-archive', path: '/x/save.tar' }],
    ['docker-archive:/x/save.tar:app:1', { transport: 'docker-archive', path: '/x/save.tar', ref: 'app:1' }],
    ['docker-archive:/x/save.tar:@1', { transport: 'docker-archive', path: '/x/save.tar', ref: '@1' }],
    ['docker://127.0.0.1:5000/team/app:2', { transport: 'docker', ref: '127.0.0.1:5000/team/app:2' }],
    ['alpine', { transport: 'local', name: 'alpine' }],
    ['localhost:5000/app:1', { transport: 'local', name: 'localhost:5000/app:1' }],
    [`app@sha256:${'a'.repeat(64)}`, { transport: 'local', name: `app@sha256:${'a'.repeat(64)}` }],
    ['sha256:abcdef12', { transport: 'local', name: 'sha256:abcdef12' }],
  ])('%s', (s, want) => {
    expect(parseImageReference(s)).toEqual(want);
    expect(parseImageReference(formatImageReference(parseImageReference(s)))).toEqual(want);
  });

  it.each(['oci:', 'oci::tag', 'docker://', 'oci:/d:bad/tag', 'docker-archive:f.tar:Bad Name', 'Upper/Case', 'dir:/tmp/x', 'containers-storage:x', ''])('rejects %j', (s) => {
    expect(() => parseImageReference(s)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
