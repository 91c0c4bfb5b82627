/** copyBytes: a copy that stays put when the source is reused, for Node Buffers too. */
import { describe, expect, it } from 'vitest';
import { copyBytes } from '../../src/tar/bytes.js';

describe('copyBytes', () => {
  it('copies a Buffer (whose slice() is a view) into memory of its own', () => {
    const buf = Buffer.from('abcdefgh');
    // What the bug looked like: Buffer.prototype.slice shares memory.
    const view = buf.slice(2, 6);
    const copy = copyBytes(buf, 2, 6);
    buf.fill(0x7a);
    expect(Buffer.from(view).toString()).toBe('zzzz');
    expect(Buffer.from(copy).toString()).toBe('cdef');
    expect(copy.buffer).not.toBe(buf.buffer);
  });

  it('copies a whole view, and an empty range', () => {
    const u = new Uint8Array([1, 2, 3, 4]).subarray(1);
    const c = copyBytes(u);
    u[0] = 9;
    expect([...c]).toEqual([2, 3, 4]);
    expect(c.byteOffset).toBe(0);
    expect(copyBytes(u, 2, 2).byteLength).toBe(0);
  });
});
