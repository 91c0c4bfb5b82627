/**
 * A copy of view[start, end) in new memory of its own. Not `view.slice()`:
 * on a Node Buffer (a Uint8Array subclass, which Node's own APIs hand out)
 * `slice()` is Buffer.prototype.slice, a view of the same memory, so a
 * "copy" made that way changes when the buffer is reused or refilled.
 */
export function copyBytes(view: Uint8Array, start = 0, end = view.byteLength): Uint8Array {
  const out = new Uint8Array(Math.max(0, end - start));
  out.set(view.subarray(start, end));
  return out;
}
