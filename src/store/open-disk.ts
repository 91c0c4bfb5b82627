/**
 * `openStore(dir?)` (from 'layerfs/node'): the store in a directory on
 * disk. Default (dir undefined or null): $LAYERFS_HOME when set and not
 * empty, else ~/.local/share/layerfs (the XDG data directory's default,
 * where podman keeps its storage too). Any other dir that is not a
 * non-empty string is an InvalidArgumentError, never a directory named
 * after it (a stray `String(undefined)` once made ./undefined/).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { DiskBackend } from './disk.js';
import { Store } from './store.js';

export function defaultStoreDir(env: Record<string, string | undefined> = process.env): string {
  // An empty variable counts as unset, as in POSIX shells' ${VAR:-default}.
  if (env.LAYERFS_HOME) return path.resolve(env.LAYERFS_HOME);
  return path.join(os.homedir(), '.local', 'share', 'layerfs');
}

export async function openStore(dir?: string | null, env?: Record<string, string | undefined>): Promise<Store> {
  const backend = await new DiskBackend(dir ?? defaultStoreDir(env)).init();
  return new Store(backend);
}
