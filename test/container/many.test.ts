/**
 * Many containers: each record is read once per process (creating a
 * container does not read every other container's record again), and
 * what another process (another Store on the same directory) creates or
 * removes is seen all the same.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/node.js';
import { CONTAINERS } from '../../src/container/types.js';
import { BASE, cleanup, makeImage, tempDir } from './helpers.js';

afterAll(cleanup);

describe('many containers', () => {
  it('reads each container record once, and sees other processes create and remove theirs', async () => {
    const dir = await tempDir();
    const a = await openStore(dir);
    const b = await openStore(dir);
    await makeImage(a, [BASE], 'base:1');
    let reads = 0;
    const get = a.backend.getRecord.bind(a.backend);
    a.backend.getRecord = ((kind: string, key: string) => {
      if (kind === CONTAINERS) reads++;
      return get(kind, key);
    }) as typeof a.backend.getRecord;
    // Names that are not hex: a removed name must not fall through to an id prefix match.
    for (let i = 0; i < 30; i++) await a.createContainer('base:1', { name: `n${i}` });
    // Reading all records back on every create would be 435 reads.
    expect(reads).toBeLessThanOrEqual(30);
    expect((await a.containers()).map((c) => c.name)).toEqual(Array.from({ length: 30 }, (_, i) => `n${i}`));

    // The other process sees them, and its changes are seen here.
    expect((await b.containers()).length).toBe(30);
    await b.removeContainer('n3');
    const x = await b.createContainer('base:1', { name: 'from-b' });
    const names = (await a.containers()).map((c) => c.name);
    expect(names).not.toContain('n3');
    expect(names).toContain('from-b');
    await expect(a.createContainer('base:1', { name: 'from-b' })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    expect((await a.container('from-b')).id).toBe(x.id);
    await expect(a.container('n3')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // The freed name can be taken again.
    await a.createContainer('base:1', { name: 'n3' });
    expect((await b.containers()).filter((c) => c.name === 'n3')).toHaveLength(1);
    // What containers() hands out is a copy.
    const listed = await a.containers();
    listed[0]!.name = 'changed';
    listed[0]!.volumes['/x'] = 'y';
    expect((await a.containers())[0]!.name).toBe('n0');
    expect((await a.containers())[0]!.volumes).toEqual({});
  });
});
