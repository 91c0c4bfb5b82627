import type { Store } from '../../src/node.js';

/**
 * Runs `after` each time `store` commits a blob, before that commit returns:
 * the window where a writer's blob exists but nothing references it yet.
 * Returns a function that restores the backend.
 */
export function afterEachCommit(store: Store, after: (digest: string) => Promise<void>): () => void {
  const backend = store.backend;
  const original = backend.putBlob;
  backend.putBlob = async (digest, data) => {
    const pending = await original.call(backend, digest, data);
    const commit = pending.commit.bind(pending);
    return Object.assign(Object.create(pending) as typeof pending, {
      commit: async () => {
        await commit();
        await after(digest);
      },
    });
  };
  return () => {
    backend.putBlob = original;
  };
}
