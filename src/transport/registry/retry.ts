/**
 * Retry policy for registry requests: 429 (honouring Retry-After, RFC 9110
 * §10.2.3: seconds or an HTTP date), 5xx and network errors are retried with
 * capped exponential backoff and jitter, a bounded number of times, as
 * containerd's and go-containerregistry's transports do.
 */
import { AbortError } from '../../errors/AbortError.js';

export interface RetryOptions {
  /** Attempts after the first one. Default 5. */
  retries?: number;
  /** First backoff delay in ms (doubles each time). Default 200. */
  baseDelayMs?: number;
  /** Longest wait between attempts, also the cap on Retry-After. Default 10 000. */
  maxDelayMs?: number;
}

export const RETRY_DEFAULTS: Required<RetryOptions> = { retries: 5, baseDelayMs: 200, maxDelayMs: 10_000 };

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** Delay before attempt `attempt` (1-based), honouring Retry-After when present. */
export function backoffDelay(attempt: number, opts: Required<RetryOptions>, retryAfter?: string | null, now = Date.now()): number {
  if (retryAfter) {
    const secs = Number(retryAfter);
    let ms: number | undefined;
    if (Number.isFinite(secs) && secs >= 0) ms = secs * 1000;
    else {
      const at = Date.parse(retryAfter);
      if (!Number.isNaN(at)) ms = Math.max(0, at - now);
    }
    if (ms !== undefined) return Math.min(ms, opts.maxDelayMs);
  }
  const exp = opts.baseDelayMs * 2 ** (attempt - 1);
  const jitter = 0.5 + Math.random() * 0.5;
  return Math.min(opts.maxDelayMs, exp * jitter);
}

export function abortError(signal: AbortSignal | undefined, what: string): AbortError {
  return new AbortError(`${what} was cancelled`, {}, { cause: signal?.reason });
}

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw abortError(signal, what);
}

/** setTimeout as a promise that rejects with AbortError when `signal` fires. */
export function sleep(ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal, what));
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError(signal, what));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
