/**
 * Numeric fields of a tar header. POSIX ustar stores octal ASCII digits,
 * terminated by NUL or space (pax, "ustar Interchange Format"); GNU tar and
 * star store values too large for the digits in base-256: the first byte has
 * its high bit set (0x80 positive, 0xff negative) and the rest is a
 * big-endian two's-complement number.
 */
import { InvalidTarError } from '../errors/InvalidTarError.js';

/** Reads field `name` at block[off .. off+len). Throws INVALID_TAR on garbage. */
export function readNumeric(block: Uint8Array, off: number, len: number, name: string): number {
  const first = block[off]!;
  if (first & 0x80) return readBase256(block, off, len, name);
  // As Go's archive/tar: unused fields are NUL-filled and numbers may be
  // padded with spaces or NULs on either side; what is left must be octal.
  let i = off;
  let end = off + len;
  while (i < end && (block[i] === 0x20 || block[i] === 0)) i++;
  while (end > i && (block[end - 1] === 0x20 || block[end - 1] === 0)) end--;
  let v = 0;
  for (; i < end; i++) {
    const c = block[i]!;
    if (c < 0x30 || c > 0x37) {
      throw new InvalidTarError(`tar header field ${name} is not an octal number`, { field: name, byte: c });
    }
    v = v * 8 + (c - 0x30);
  }
  if (v > Number.MAX_SAFE_INTEGER) throw new InvalidTarError(`tar header field ${name} is too large`, { field: name });
  return v;
}

function readBase256(block: Uint8Array, off: number, len: number, name: string): number {
  // Bit 0x40 of the first byte is the sign; negative numbers are two's
  // complement, so invert every byte and take -(x + 1).
  const inv = block[off]! & 0x40 ? 0xff : 0;
  let v = 0;
  for (let i = 0; i < len; i++) {
    let b = block[off + i]! ^ inv;
    if (i === 0) b &= 0x7f;
    v = v * 256 + b;
    if (v > Number.MAX_SAFE_INTEGER) throw new InvalidTarError(`tar header field ${name} is too large`, { field: name });
  }
  return inv ? -(v + 1) : v;
}

/** Largest value `digits` octal digits hold. */
export function octalMax(digits: number): number {
  return 8 ** digits - 1;
}

/**
 * Writes `value` as zero-padded octal in len-1 digits and a NUL, as GNU tar
 * and Go's archive/tar do. Returns false (and writes nothing) if it does not fit.
 */
export function writeOctal(block: Uint8Array, off: number, len: number, value: number): boolean {
  if (!Number.isSafeInteger(value) || value < 0 || value > octalMax(len - 1)) return false;
  let v = value;
  for (let i = len - 2; i >= 0; i--) {
    block[off + i] = 0x30 + (v % 8);
    v = Math.floor(v / 8);
  }
  block[off + len - 1] = 0;
  return true;
}

/** Writes a non-negative safe integer in base-256 (GNU extension) over the whole field. */
export function writeBase256(block: Uint8Array, off: number, len: number, value: number): void {
  let v = value;
  for (let i = len - 1; i > 0; i--) {
    block[off + i] = v % 256;
    v = Math.floor(v / 256);
  }
  block[off] = 0x80;
}
