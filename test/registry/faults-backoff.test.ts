/**
 * The retry policy's waits (src/transport/registry/retry.ts), checked as
 * numbers rather than with clocks: capped exponential backoff with jitter
 * (each wait in [½, 1] of base·2^(n-1), never above maxDelayMs, growing
 * with the attempt), Retry-After as seconds or an HTTP date (RFC 9110
 * §10.2.3), capped too; and which statuses are retried at all. The
 * fault-proxy suites count the attempts these waits separate.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, isRetryableStatus, RETRY_DEFAULTS } from '../../src/transport/registry/retry.js';

const opts = { retries: 5, baseDelayMs: 100, maxDelayMs: 3000 };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('retry backoff', () => {
  it('doubles per attempt within the jitter band, capped at maxDelayMs', () => {
    for (const r of [0, 0.25, 0.999999]) {
      vi.spyOn(Math, 'random').mockReturnValue(r);
      for (let attempt = 1; attempt <= 8; attempt++) {
        const d = backoffDelay(attempt, opts);
        const full = opts.baseDelayMs * 2 ** (attempt - 1);
        expect(d).toBeGreaterThanOrEqual(Math.min(opts.maxDelayMs, full * 0.5));
        expect(d).toBeLessThanOrEqual(Math.min(opts.maxDelayMs, full));
      }
      vi.restoreAllMocks();
    }
  });

  it('never shrinks from one attempt to the next, whatever the jitter', () => {
    // The longest wait for attempt n (base·2^(n-1)) is the shortest for attempt n+1.
    for (let attempt = 1; attempt < 8; attempt++) {
      vi.spyOn(Math, 'random').mockReturnValue(0.999999);
      const longest = backoffDelay(attempt, opts);
      vi.spyOn(Math, 'random').mockReturnValue(0);
      const shortestNext = backoffDelay(attempt + 1, opts);
      expect(shortestNext).toBeGreaterThanOrEqual(longest);
    }
  });

  it('honours Retry-After in seconds and as an HTTP date, capped at maxDelayMs', () => {
    expect(backoffDelay(1, opts, '2')).toBe(2000);
    expect(backoffDelay(1, opts, '0')).toBe(0);
    expect(backoffDelay(1, opts, '120')).toBe(opts.maxDelayMs);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(backoffDelay(1, opts, 'Thu, 01 Jan 2026 00:00:01 GMT', now)).toBe(1000);
    expect(backoffDelay(1, opts, 'Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0); // in the past: at once
    // Garbage falls back to the backoff.
    vi.spyOn(Math, 'random').mockReturnValue(0);
    expect(backoffDelay(3, opts, 'soon')).toBe(200);
  });

  it('retries 408, 429 and the transient 5xx only', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 405, 409, 416, 501, 505].some(isRetryableStatus)).toBe(false);
  });

  it('defaults: 5 retries, the longest wait 10 s', () => {
    expect(RETRY_DEFAULTS).toEqual({ retries: 5, baseDelayMs: 200, maxDelayMs: 10_000 });
  });
});
