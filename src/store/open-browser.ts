import { UnsupportedError } from '../errors/UnsupportedError.js';
import { OpfsBackend } from './opfs.js';
import { Store } from './store.js';

/**
 * The store in the browser's Origin Private File System, under directory
 * `name` (default 'layerfs') of navigator.storage.getDirectory(). Pass a
 * directory handle to use another root (tests, a user-picked folder).
 */
export async function openBrowserStore(opts: { name?: string; root?: FileSystemDirectoryHandle } = {}): Promise<Store> {
  let root = opts.root;
  if (!root) {
    const storage = (globalThis as { navigator?: { storage?: { getDirectory?: () => Promise<FileSystemDirectoryHandle> } } }).navigator?.storage;
    if (typeof storage?.getDirectory !== 'function') throw new UnsupportedError('this environment has no Origin Private File System (navigator.storage.getDirectory)');
    root = await storage.getDirectory();
  }
  const dir = await root.getDirectoryHandle(opts.name ?? 'layerfs', { create: true });
  return new Store(new OpfsBackend(dir, `opfs:/${opts.name ?? 'layerfs'}`));
}
