/**
 * Kill points for the crash suite: a child process (the built CLI) is sent
 * SIGKILL when a file shows up somewhere (a temp file in the store, a lock
 * record, a file at a save destination), optionally a little later, or after
 * a delay. Points come from a seeded generator so a failing run can be
 * replayed with CRASH_SEED.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';

export type KillPoint =
  /** When `dir` holds an entry matching `match` (any entry by default), plus `afterMs`. */
  | { kind: 'appears'; dir: string; match?: RegExp; afterMs: number; label: string }
  /** `ms` after the spawn. */
  | { kind: 'delay'; ms: number; label: string };

export { prng } from '../helpers/prng.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function hasEntry(dir: string, match?: RegExp): Promise<boolean> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names.some((n) => !match || match.test(n));
}

/**
 * Kills `child` with SIGKILL at `point`. Resolves 'killed', or 'finished'
 * when the child exited before the point was reached (a valid outcome: the
 * checks after it hold either way).
 */
export async function killAt(child: ChildProcess, exited: Promise<unknown>, point: KillPoint): Promise<'killed' | 'finished'> {
  let done = false;
  void exited.then(() => (done = true));
  if (point.kind === 'delay') {
    await Promise.race([sleep(point.ms), exited]);
  } else {
    while (!done && !(await hasEntry(point.dir, point.match))) await sleep(1);
    if (!done && point.afterMs > 0) await Promise.race([sleep(point.afterMs), exited]);
  }
  if (done || child.exitCode !== null || child.signalCode !== null) return 'finished';
  child.kill('SIGKILL');
  await exited;
  return 'killed';
}
