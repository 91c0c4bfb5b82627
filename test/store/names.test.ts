import { describe, expect, it } from 'vitest';
import { normalizeLocalName, parseLocalName } from '../../src/store/index.js';

describe('local image names', () => {
  it('default the tag to latest and keep hosts with ports', () => {
    expect(parseLocalName('alpine')).toEqual({ name: 'alpine', tag: 'latest' });
    expect(parseLocalName('localhost:5000/a/b:1.0')).toEqual({ name: 'localhost:5000/a/b', tag: '1.0' });
    expect(parseLocalName('my.registry/app')).toEqual({ name: 'my.registry/app', tag: 'latest' });
    expect(parseLocalName(`app@sha256:${'f'.repeat(64)}`)).toEqual({ name: 'app', digest: `sha256:${'f'.repeat(64)}` });
    expect(normalizeLocalName('a_b-c/e__f.g')).toBe('a_b-c/e__f.g:latest');
    // a first component with a dot is a host: '_' is not allowed there
    expect(() => parseLocalName('a_b.c/x')).toThrow(/registry host/);
  });

  it.each(['', 'UPPER', 'a//b', 'a:', 'a:-x', 'a@sha256:12', '-a', 'a/', `a:${'t'.repeat(129)}`, 'bad host_/x'])('rejects %j', (s) => {
    expect(() => parseLocalName(s)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
