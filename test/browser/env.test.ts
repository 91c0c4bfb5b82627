import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { sha256, loadCore } from '../../src/index.js';

describe('smoke', () => {
  it('runs in chromium', async () => {
    expect(typeof window).toBe('object');
    expect(typeof (globalThis as any).process?.versions?.node).toBe('undefined');
    const core = await loadCore();
    expect(core.simd).toBe(true);
    expect(inject('registryUrl')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
