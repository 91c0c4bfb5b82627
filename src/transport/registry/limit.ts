/**
 * A concurrency limit: at most `n` tasks run at once (the registry client
 * moves 4 blobs at a time by default, as Docker and skopeo do).
 */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function limiter(n: number): Limiter {
  const max = Math.max(1, Math.floor(n));
  let active = 0;
  const queue: Array<() => void> = [];
  const next = () => {
    active--;
    queue.shift()?.();
  };
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const run = () => {
        active++;
        task().then(resolve, reject).finally(next);
      };
      if (active < max) run();
      else queue.push(run);
    });
}

/**
 * Runs every task under the limit; the first failure cancels the others'
 * signal and is rethrown once all have settled, so nothing is still writing
 * when the caller cleans up.
 */
export async function runAll<T>(items: readonly T[], limit: Limiter, controller: AbortController, fn: (item: T) => Promise<void>): Promise<void> {
  let first: unknown;
  let failed = false;
  await Promise.all(
    items.map((item) =>
      limit(async () => {
        if (failed) return;
        try {
          await fn(item);
        } catch (e) {
          if (!failed) {
            failed = true;
            first = e;
            controller.abort(e);
          }
        }
      }),
    ),
  );
  if (failed) throw first;
}
