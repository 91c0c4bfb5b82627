/**
 * Container and volume names. Generated container names follow Docker's
 * `adjective_surname` scheme (moby's namesgenerator) with our own word lists;
 * valid names follow Docker's rule `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
 */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';

const ADJECTIVES = [
  'agile', 'amber', 'bold', 'brave', 'bright', 'calm', 'clever', 'cosmic', 'crisp', 'daring', 'eager', 'earnest',
  'fancy', 'fearless', 'gentle', 'glad', 'golden', 'happy', 'honest', 'humble', 'jolly', 'keen', 'kind', 'lively',
  'lucid', 'merry', 'mighty', 'modest', 'nimble', 'noble', 'patient', 'plucky', 'proud', 'quick', 'quiet', 'rapid',
  'serene', 'sharp', 'silent', 'smart', 'steady', 'sturdy', 'sunny', 'swift', 'tender', 'tidy', 'vivid', 'witty',
];
const NAMES = [
  'babbage', 'bohr', 'curie', 'darwin', 'dijkstra', 'einstein', 'euler', 'faraday', 'fermat', 'feynman', 'gauss',
  'goodall', 'hamilton', 'hopper', 'hypatia', 'kepler', 'knuth', 'lamarr', 'lovelace', 'maxwell', 'meitner',
  'mendel', 'newton', 'noether', 'pascal', 'pasteur', 'planck', 'ramanujan', 'ritchie', 'sagan', 'shannon',
  'tesla', 'thompson', 'torvalds', 'turing', 'volta', 'wozniak', 'yalow',
];

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function randomIndex(n: number): number {
  const b = new Uint32Array(1);
  crypto.getRandomValues(b);
  return b[0]! % n;
}

/** A random 64-hex id (256 bits from crypto.getRandomValues, as Docker's ids). */
export function randomId(): string {
  const b = new Uint8Array(32);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** A Docker-like name not in `taken`; a digit is appended after collisions, as Docker retries do. */
export function generateName(taken: ReadonlySet<string>): string {
  for (let attempt = 0; ; attempt++) {
    let n = `${ADJECTIVES[randomIndex(ADJECTIVES.length)]}_${NAMES[randomIndex(NAMES.length)]}`;
    if (attempt >= 10) n += String(randomIndex(1000));
    if (!taken.has(n)) return n;
  }
}

/** Throws InvalidArgumentError unless `name` is a valid container or volume name. */
export function checkName(name: string, what: 'container' | 'volume'): string {
  if (typeof name !== 'string' || !NAME.test(name) || name.length > 128) {
    throw new InvalidArgumentError(`invalid ${what} name ${JSON.stringify(name)}: use letters, digits, '_', '.', '-' (starting with a letter or digit)`, { name });
  }
  return name;
}
