/** The union view and containers over an image in a memory store, in Chromium. */
import { describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../src/index.js';
import { DELETED, makeDemoImage } from './fixture.js';

const dec = new TextDecoder();

describe('union view in Chromium', () => {
  it('merges the layers: top-most wins, whiteouts hide lower entries', async () => {
    const store = openMemoryStore();
    await makeDemoImage(store);
    const view = await store.view('demo:1');
    expect(view.readdir('')).toEqual(['bin', 'data', 'etc']);
    expect(view.readdir('etc')).toEqual(['motd', 'os-release', 'passwd']);
    expect(view.readdir('data')).toEqual([]);
    for (const p of DELETED) expect(view.exists(p)).toBe(false);
    expect(view.lookup('bin/app')!.layer).toBe(1);
    expect(view.lookup('etc/passwd')!.layer).toBe(0);
    expect(view.lookup('etc/motd')!.layer).toBe(2);
    expect(dec.decode(await view.readFile('bin/app'))).toBe('v2 '.repeat(1500));
    expect(dec.decode(await view.readFile('etc/passwd'))).toBe('root:x:0:0::/root:/bin/sh\n');
    // the lower view still has what the top layer deleted
    const lower = view.lowerView(2);
    expect(lower.exists('data/big.bin')).toBe(true);
    expect(dec.decode(await lower.readFile('bin/app'))).toBe('v2 '.repeat(1500));
  });
});

describe('containers in Chromium', () => {
  it('copy-up on write, whiteout on delete, commit makes an image with the change', async () => {
    const store = openMemoryStore();
    await makeDemoImage(store);
    const c = await store.createContainer('demo:1', { name: 'box' });
    expect(await c.readFile('/etc/passwd', 'utf8')).toBe('root:x:0:0::/root:/bin/sh\n');
    await c.writeFile('/etc/passwd', 'root:x:0:0::/root:/bin/ash\n');
    await c.rm('/etc/os-release');
    await c.writeFile('/etc/note', 'hello');
    expect(await c.exists('/etc/os-release')).toBe(false);
    const changes = (await c.diff()).map((x) => `${x.kind} ${x.path}`).sort();
    expect(changes).toEqual(expect.arrayContaining(['C /etc/passwd', 'D /etc/os-release', 'A /etc/note']));
    // another container of the same image does not see the change
    const other = await store.createContainer('demo:1');
    expect(await other.readFile('/etc/passwd', 'utf8')).toBe('root:x:0:0::/root:/bin/sh\n');
    const img = await c.commit({ tag: 'demo:2', created: new Date(0) });
    expect(img.layers.length).toBe(4);
    const view = await store.view('demo:2');
    expect(dec.decode(await view.readFile('etc/passwd'))).toBe('root:x:0:0::/root:/bin/ash\n');
    expect(view.exists('etc/os-release')).toBe(false);
    expect(dec.decode(await view.readFile('etc/note'))).toBe('hello');
    await store.removeContainer('box');
    await expect(store.container('box')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
