import { MemoryBackend } from './memory.js';
import { Store } from './store.js';

/** A store that lives in memory (tests, embedding, browsers without OPFS). */
export function openMemoryStore(): Store {
  return new Store(new MemoryBackend());
}
