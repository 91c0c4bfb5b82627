/**
 * Bytes as base64 and back, for the JSON records the store keeps (xattr
 * values in layer indexes and in OPFS trees' tree.json): JSON has no bytes.
 * btoa/atob take "binary strings" (one char per byte) in Node and browsers.
 */
export function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return btoa(s);
}

export function fromBase64(s: string): Uint8Array {
  const t = atob(s);
  const out = new Uint8Array(t.length);
  for (let i = 0; i < t.length; i++) out[i] = t.charCodeAt(i);
  return out;
}
