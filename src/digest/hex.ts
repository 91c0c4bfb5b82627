/** Lowercase hex of bytes (digests are written in lowercase hex: descriptor.md). */
const TABLE: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += TABLE[bytes[i]!];
  return s;
}
