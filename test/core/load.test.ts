import { describe, expect, it } from 'vitest';
import { loadCore, simdSupported } from '../../src/core/load.js';

describe('loadCore', () => {
  it('detects SIMD support in Node 20', () => {
    expect(simdSupported()).toBe(true);
  });
  it('loads both builds, SIMD and scalar, as distinct modules', async () => {
    const simd = await loadCore({ simd: true });
    const scalar = await loadCore({ simd: false });
    expect(simd.simd).toBe(true);
    expect(scalar.simd).toBe(false);
    expect(simd.memory).toBeInstanceOf(WebAssembly.Memory);
    expect(simd.memory).not.toBe(scalar.memory);
  });
});
