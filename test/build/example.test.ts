import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../src/node.js';
import { build } from '../../src/build/index.js';
import { readLayer } from '../../src/layer/read.js';
import { UnionView } from '../../src/union/index.js';

const hello = fileURLToPath(new URL('../../examples/hello', import.meta.url));

describe('examples/hello (what npm start builds)', () => {
  it('builds the documented image', async () => {
    const store = openMemoryStore();
    const r = await build(store, { context: hello, tag: 'hello:latest' });
    const c = r.image.config.config!;
    expect(c.Env).toEqual(['GREETING=hello from layerfs', 'APP_HOME=/srv/hello']);
    expect(c.WorkingDir).toBe('/srv/hello');
    expect(c.Cmd).toEqual(['/srv/hello/hello.sh']);
    expect(c.User).toBe('1000:1000');
    expect(c.ExposedPorts).toEqual({ '8080/tcp': {} });
    expect(c.Labels?.['org.opencontainers.image.title']).toBe('hello');
    expect(r.image.layers).toHaveLength(2);
    const layers = [];
    for (const l of r.image.layers) layers.push({ entries: (await readLayer(await store.getBlob(l.digest))).entries });
    const v = await UnionView.fromLayers(layers);
    expect(v.entries().map((n) => n.path).sort()).toEqual(['srv', 'srv/hello', 'srv/hello/config.json', 'srv/hello/hello.sh', 'srv/hello/static', 'srv/hello/static/motd.txt', 'srv/hello/static/notes.txt']);
    expect(v.lookup('srv/hello/hello.sh')!.entry.mode).toBe(0o755);
    expect(v.lookup('srv/hello/static/notes.txt')!.entry.mode).toBe(0o644);
  });
});
