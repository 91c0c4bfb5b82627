/** Digest strings: what parseDigest / isDigest accept and refuse (CONFORMANCE rule 1). */
import { describe, expect, it } from 'vitest';
import { DIGEST_HEX_LENGTH, isDigest, isDigestAlgorithm, parseDigest } from '../../src/digest/index.js';
import { InvalidDigestError } from '../../src/errors/index.js';

const h64 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const h128 = 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e';

describe('parseDigest', () => {
  it('splits valid sha256 and sha512 digests', () => {
    expect(parseDigest(`sha256:${h64}`)).toEqual({ algorithm: 'sha256', hex: h64 });
    expect(parseDigest(`sha512:${h128}`)).toEqual({ algorithm: 'sha512', hex: h128 });
    expect(DIGEST_HEX_LENGTH).toEqual({ sha256: 64, sha512: 128 });
  });

  const bad: Array<[string, unknown]> = [
    ['uppercase hex', `sha256:${h64.toUpperCase()}`],
    ['one hex digit short', `sha256:${h64.slice(1)}`],
    ['one hex digit long', `sha256:${h64}0`],
    ['sha512 with a sha256-sized hex', `sha512:${h64}`],
    ['sha256 with a sha512-sized hex', `sha256:${h128}`],
    ['an unknown algorithm', `md5:${h64.slice(0, 32)}`],
    ['an uppercase algorithm', `SHA256:${h64}`],
    ['no algorithm', h64],
    ['no colon', `sha256${h64}`],
    ['non-hex characters', `sha256:${h64.slice(0, 63)}g`],
    ['surrounding space', ` sha256:${h64}`],
    ['a trailing newline', `sha256:${h64}\n`],
    ['an empty string', ''],
    ['a number', 42],
    ['undefined', undefined],
    ['null', null],
  ];
  for (const [what, value] of bad) {
    it(`refuses ${what} with InvalidDigestError`, () => {
      let err: unknown;
      try {
        parseDigest(value);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidDigestError);
      expect((err as InvalidDigestError).code).toBe('INVALID_DIGEST');
      expect(isDigest(value)).toBe(false);
    });
  }

  it('names the bad digest in the message, shortened when huge', () => {
    expect(() => parseDigest('sha256:xyz')).toThrow(/"sha256:xyz"/);
    const huge = `sha256:${'a'.repeat(10_000)}`;
    expect(() => parseDigest(huge)).toThrow(InvalidDigestError);
    try {
      parseDigest(huge);
    } catch (e) {
      expect((e as Error).message.length).toBeLessThan(400);
    }
  });
});

describe('isDigest / isDigestAlgorithm', () => {
  it('accepts the valid forms only', () => {
    expect(isDigest(`sha256:${h64}`)).toBe(true);
    expect(isDigest(`sha512:${h128}`)).toBe(true);
    expect(isDigestAlgorithm('sha256')).toBe(true);
    expect(isDigestAlgorithm('sha512')).toBe(true);
    expect(isDigestAlgorithm('sha384')).toBe(false);
    expect(isDigestAlgorithm('SHA256')).toBe(false);
  });
});
