/**
 * What a killed process leaves in a disk store, made by hand: leases, gc
 * locks and temp files carry their writer (host-pid); once that process is
 * gone, gc removes them at once instead of waiting for them to go stale
 * (1 h for leases and temps, 60 s for a lock that writers wait on). Those
 * of a live process stay. A process that exited is a dead pid for sure
 * here; the checks use no clocks.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fsck } from '../../src/index.js';
import { openStore } from '../../src/node.js';
import { cleanup, tempDir } from '../container/helpers.js';

afterAll(cleanup);

/** The owner name of a process of this host that has exited. */
function deadOwner(live: string): string {
  const r = spawnSync(process.execPath, ['-e', '']);
  expect(r.status).toBe(0);
  return `${live.split('-')[0]}-${r.pid}`;
}

describe('leases, locks and temps of a dead process', () => {
  it('disk stores name this process', async () => {
    const s = await openStore(await tempDir('layerfs-owner-'));
    expect(s.backend.owner).toMatch(new RegExp(`^[0-9a-f]{8}-${process.pid}$`));
    expect(s.backend.ownerAlive!(s.backend.owner!)).toBe(true);
    expect(s.backend.ownerAlive!(deadOwner(s.backend.owner!))).toBe(false);
    // Another host's processes are never judged.
    expect(s.backend.ownerAlive!(`00000000-${process.pid + 1_000_000}`)).toBe(true);
  });

  it("a dead collector's fresh gc lock neither blocks a writer nor survives gc", async () => {
    const s = await openStore(await tempDir('layerfs-owner-'));
    await s.backend.putRecord('gc-locks', 'killed', { value: { updated: Date.now(), owner: deadOwner(s.backend.owner!) } });
    const lease = await s.lease();
    await lease.add(['sha256:' + 'b'.repeat(64)]); // would wait 60 s for a live or ownerless lock
    await lease.release();
    await s.gc();
    expect(await s.backend.listRecords('gc-locks')).toEqual([]);
  });

  it("a dead writer's fresh lease keeps nothing alive; a live one's does", async () => {
    const dir = await tempDir('layerfs-owner-');
    const s = await openStore(dir);
    const dead = await s.putBlob(randomBytes(100));
    const live = await s.putBlob(randomBytes(100));
    await s.backend.putRecord('leases', 'killed', { value: { updated: Date.now(), owner: deadOwner(s.backend.owner!) }, blobs: [dead] });
    const other = await openStore(dir); // another Store on the dir: only its lease record protects `live`
    const lease = await other.lease();
    await lease.add([live]);
    expect((await fsck(s)).problems).toEqual([]);
    const r = await s.gc();
    expect(r.removedBlobs).toEqual([dead]);
    expect(await s.hasBlob(live)).toBe(true);
    expect(await s.backend.listRecords('leases')).toHaveLength(1);
    await lease.release();
    expect(await s.backend.listRecords('leases')).toEqual([]);
  });

  it("gc sweeps a dead writer's temp files at once and keeps a live one's", async () => {
    const s = await openStore(await tempDir('layerfs-owner-'));
    const tmp = path.join(s.location, 'tmp');
    const mine = `abcd.${s.backend.owner}.0011223344556677`;
    const killed = `abcd.${deadOwner(s.backend.owner!)}.8899aabbccddeeff`;
    const unnamed = 'abcd.0011223344556677'; // the old naming: swept by age only
    for (const n of [mine, killed, unnamed]) await fs.writeFile(path.join(tmp, n), 'partial');
    const r = await s.gc();
    expect(r.removedTemp).toBe(1);
    expect((await fs.readdir(tmp)).sort()).toEqual([mine, unnamed].sort());
    expect((await s.gc({ tempOlderThanMs: 0 })).removedTemp).toBe(2);
  });
});
