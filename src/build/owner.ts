/**
 * `--chown=USER[:GROUP]` as Docker resolves it: numbers are taken as ids
 * (a lone numeric user also sets the group to the same number); names are
 * looked up in the image's /etc/passwd and /etc/group, and a user name
 * without a group takes the user's primary group.
 */
import { BuildError } from '../errors/BuildError.js';
import type { Owner } from './copy-layer.js';

export type ReadImageFile = (path: string) => Promise<Uint8Array | undefined>;

function table(bytes: Uint8Array | undefined): string[][] {
  if (!bytes) return [];
  return new TextDecoder()
    .decode(bytes)
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

const ID = /^\d+$/;

export async function resolveOwner(spec: string, read: ReadImageFile, line: number): Promise<Owner> {
  const [user, group] = spec.split(':', 2) as [string, string | undefined];
  if (user === '' || group === '') throw new BuildError(`Dockerfile line ${line}: --chown=${spec}: empty user or group`, { line });
  let passwd: string[][] | undefined;
  const users = async () => (passwd ??= table(await read('etc/passwd')));
  let uid: number;
  let primary: number | undefined;
  if (ID.test(user)) {
    uid = Number(user);
    primary = uid;
  } else {
    const row = (await users()).find((r) => r[0] === user);
    if (!row || !ID.test(row[2] ?? '')) throw new BuildError(`Dockerfile line ${line}: --chown: no user ${JSON.stringify(user)} in the image's /etc/passwd`, { line, user });
    uid = Number(row[2]);
    primary = ID.test(row[3] ?? '') ? Number(row[3]) : undefined;
  }
  let gid: number;
  if (group === undefined) gid = primary ?? uid;
  else if (ID.test(group)) gid = Number(group);
  else {
    const row = table(await read('etc/group')).find((r) => r[0] === group);
    if (!row || !ID.test(row[2] ?? '')) throw new BuildError(`Dockerfile line ${line}: --chown: no group ${JSON.stringify(group)} in the image's /etc/group`, { line, group });
    gid = Number(row[2]);
  }
  if (uid > 0xffffffff || gid > 0xffffffff) throw new BuildError(`Dockerfile line ${line}: --chown=${spec}: id out of range`, { line });
  return { uid, gid };
}
