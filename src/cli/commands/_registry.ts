/**
 * Shared by the registry commands (pull, push, copy, ls-tags): the
 * `--timeout SECONDS` option, the client's timeoutMs (how long a request
 * may wait for an answer, or a body for its next bytes, before the attempt
 * counts as failed and is retried; default 60 s).
 */
import { UsageError } from '../command.js';

export const timeoutOption = { timeout: { type: 'string' as const } };

/** `{ timeoutMs }` from `--timeout SECONDS` (a positive number, fractions allowed), or `{}` when not given. */
export function timeoutFrom(values: { timeout?: string }): { timeoutMs?: number } {
  if (values.timeout === undefined) return {};
  const s = Number(values.timeout);
  if (!/^\s*\d*\.?\d+\s*$/.test(values.timeout) || !Number.isFinite(s) || s <= 0 || s * 1000 > 2 ** 31 - 1) {
    throw new UsageError(`--timeout takes a number of seconds greater than 0, got '${values.timeout}'`);
  }
  return { timeoutMs: Math.max(1, Math.round(s * 1000)) };
}
