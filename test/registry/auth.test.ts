import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../src/store/open-memory.js';
import { parseChallenges } from '../../src/transport/registry/auth.js';
import { RegistryClient } from '../../src/transport/registry/client.js';
import { dockerConfigCredentials, nodeCredentials } from '../../src/transport/registry/docker-config.js';
import { pullImage } from '../../src/transport/registry/pull.js';
import { pushImage } from '../../src/transport/registry/push.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { buildImage, randomLayer, storeImage } from './fixtures.js';

/**
 * A token-auth front for the real registry, as Docker Hub works: /v2/
 * requests need `Bearer TOKEN`; a 401 carries the challenge with realm,
 * service and the scope the request needs; GET /token?service&scope (basic
 * credentials alice:pw) issues a token granting exactly those scopes.
 */
async function startTokenFront(target: number) {
  const tokens = new Map<string, Set<string>>();
  const tokenRequests: string[][] = [];
  let port = 0;
  const needed = (method: string, path: string): string | undefined => {
    const m = /^\/v2\/(.+?)\/(blobs|manifests|tags)\//.exec(path);
    if (!m) return undefined;
    return `repository:${m[1]}:${method === 'GET' || method === 'HEAD' ? 'pull' : 'push'}`;
  };
  const grants = (held: Set<string>, want: string) => {
    const [, repo, action] = want.split(':');
    return [...held].some((s) => {
      const [, r, actions] = s.split(':');
      return r === repo && actions!.split(',').includes(action!);
    });
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url!, `http://127.0.0.1:${port}`);
    if (url.pathname === '/token') {
      const auth = req.headers.authorization ?? '';
      if (auth !== `Basic ${Buffer.from('alice:pw').toString('base64')}`) {
        res.writeHead(401).end('{"details":"bad credentials"}');
        return;
      }
      const scopes = url.searchParams.getAll('scope');
      tokenRequests.push(scopes);
      const token = randomBytes(8).toString('hex');
      tokens.set(token, new Set(scopes));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }));
      return;
    }
    const scope = needed(req.method!, url.pathname);
    const held = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    const mountFrom = url.searchParams.get('from');
    const ok = held && (!scope || grants(held, scope)) && (!mountFrom || grants(held, `repository:${mountFrom}:pull`));
    if (!ok) {
      req.resume();
      res
        .writeHead(401, {
          'www-authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="test-registry"${scope ? `,scope="${scope}"` : ''}`,
          'content-type': 'application/json',
        })
        .end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    const up = httpRequest({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  return { host: `127.0.0.1:${port}`, tokenRequests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('WWW-Authenticate parsing (RFC 7235)', () => {
  it('reads Bearer and Basic challenges with quoted and bare params', () => {
    expect(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' } },
    ]);
    expect(parseChallenges('Basic realm="a \\"quoted\\" realm", Bearer realm=x')).toEqual([
      { scheme: 'basic', params: { realm: 'a "quoted" realm' } },
      { scheme: 'bearer', params: { realm: 'x' } },
    ]);
  });
});

describe('bearer tokens from the challenge, cached per scope', () => {
  let reg: TestRegistry;
  let front: Awaited<ReturnType<typeof startTokenFront>>;
  beforeAll(async () => {
    reg = await startRegistry();
    front = await startTokenFront(reg.port);
  });
  afterAll(async () => {
    await front?.close();
    await reg?.stop();
  });

  it('gets a token per scope set, reuses it, and mounts with a token that also covers the source repository', async () => {
    const store = openMemoryStore();
    const img = buildImage([randomLayer('t0'), randomLayer('t1')]);
    await storeImage(store, img, 'tok/a:1');
    const opts = { credentials: 'alice:pw', baseDelayMs: 2 };
    const r = await pushImage(store, 'tok/a:1', `docker://${front.host}/tok/a:1`, opts);
    expect(r.digest).toBe(img.digest);
    // One token for pushing to tok/a, fetched once for the whole push (HEADs, uploads, manifest).
    expect(front.tokenRequests).toEqual([['repository:tok/a:pull,push']]);

    front.tokenRequests.length = 0;
    const m = await pushImage(store, 'tok/a:1', `docker://${front.host}/tok/b:1`, opts);
    expect(m.mounted).toBe(3);
    expect(front.tokenRequests.map((s) => [...s].sort())).toEqual([['repository:tok/b:pull,push'], ['repository:tok/a:pull', 'repository:tok/b:pull,push']]);

    front.tokenRequests.length = 0;
    const c = new RegistryClient(front.host, opts);
    await c.getManifest('tok/a', '1');
    await c.getManifest('tok/a', '1');
    expect(front.tokenRequests).toEqual([['repository:tok/a:pull']]);
    const pulled = await pullImage(openMemoryStore(), `docker://${front.host}/tok/b:1`, { ...opts, client: undefined });
    expect(pulled.digest).toBe(img.digest);
  });

  it('fails with UNAUTHORIZED when the token server refuses the credentials', async () => {
    const e = await new RegistryClient(front.host, { credentials: 'alice:wrong' }).getManifest('tok/a', '1').catch((x) => x);
    expect(e.code).toBe('UNAUTHORIZED');
  });
});

describe('credentials in Node: --creds, LAYERFS_AUTH, ~/.docker/config.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'layerfs-dockercfg-'));
  const path = join(dir, 'config.json');
  writeFileSync(
    path,
    JSON.stringify({
      auths: {
        '127.0.0.1:5000': { auth: Buffer.from('bob:pa:ss').toString('base64') },
        'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hubpw').toString('base64') },
        'https://ghcr.io': { username: 'gh', password: 'tok' },
      },
    }),
  );
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the auths map, Docker Hub under its legacy key, and only splits user:pass at the first colon', () => {
    expect(dockerConfigCredentials('127.0.0.1:5000', { path })).toEqual({ username: 'bob', password: 'pa:ss' });
    expect(dockerConfigCredentials('docker.io', { path })).toEqual({ username: 'hubuser', password: 'hubpw' });
    expect(dockerConfigCredentials('ghcr.io', { path })).toEqual({ username: 'gh', password: 'tok' });
    expect(dockerConfigCredentials('quay.io', { path })).toBeUndefined();
    expect(dockerConfigCredentials('quay.io', { path: join(dir, 'missing.json') })).toBeUndefined();
    expect(dockerConfigCredentials('127.0.0.1:5000', { env: { DOCKER_CONFIG: dir } })).toEqual({ username: 'bob', password: 'pa:ss' });
  });

  it('prefers --creds, then LAYERFS_AUTH, then the config file', async () => {
    expect(await nodeCredentials({ path, creds: 'x:y', env: { LAYERFS_AUTH: 'a:b' } })('127.0.0.1:5000')).toEqual({ username: 'x', password: 'y' });
    expect(await nodeCredentials({ path, env: { LAYERFS_AUTH: 'a:b' } })('127.0.0.1:5000')).toEqual({ username: 'a', password: 'b' });
    expect(await nodeCredentials({ path, env: {} })('127.0.0.1:5000')).toEqual({ username: 'bob', password: 'pa:ss' });
  });
});
