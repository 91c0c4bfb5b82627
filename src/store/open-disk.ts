/**
 * `openStore(dir?)` (from 'layerfs/node'): the store in a directory on
 * disk. Default: $LAYERFS_HOME, else ~/.local/share/layerfs (the XDG
 * data directory's default, where podman keeps its storage too).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { DiskBackend } from './disk.js';
import { Store } from './store.js';

export function defaultStoreDir(env: Record<string, string | undefined> = process.env): string {
  if (env.LAYERFS_HOME) return path.resolve(env.LAYERFS_HOME);
  return path.join(os.homedir(), '.local', 'share', 'layerfs');
}

export async function openStore(dir?: string, env?: Record<string, string | undefined>): Promise<Store> {
  const backend = await new DiskBackend(dir ?? defaultStoreDir(env)).init();
  return new Store(backend);
}
