/**
 * Bearer-token auth against docker-registry's own token verification
 * (distribution's `auth: token` with a root certificate bundle), with a
 * small token server here that issues RS256 JWTs as the Docker token spec
 * describes (claims iss, aud, exp, access[]; the signing certificate in x5c).
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../src/store/open-memory.js';
import { RegistryClient } from '../../src/transport/registry/client.js';
import { pullImage } from '../../src/transport/registry/pull.js';
import { pushImage } from '../../src/transport/registry/push.js';
import { freePort, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { requireTools } from '../helpers/tools.js';
import { buildImage, randomLayer, storeImage } from './fixtures.js';

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const USERS: Record<string, { password: string; actions: string[] }> = {
  alice: { password: 'wonderland', actions: ['pull', 'push'] },
  reader: { password: 'r', actions: ['pull'] },
};

describe('bearer tokens verified by docker-registry itself', () => {
  let dir: string;
  let reg: TestRegistry;
  let server: Server;
  const issued: Array<{ user: string; scopes: string[] }> = [];

  beforeAll(async () => {
    requireTools('openssl', 'docker-registry');
    dir = mkdtempSync(join(tmpdir(), 'layerfs-token-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=layerfs-test-token'], {
      stdio: 'ignore',
    });
    const key = createPrivateKey(readFileSync(join(dir, 'key.pem')));
    const certDer = new X509Certificate(readFileSync(join(dir, 'cert.pem'))).raw;
    const tokenPort = await freePort();
    server = createServer((req, res) => {
      const url = new URL(req.url!, `http://127.0.0.1:${tokenPort}`);
      const [user, password] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':');
      const account = user ? USERS[user] : undefined;
      if (!account || account.password !== password) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
        return;
      }
      const scopes = url.searchParams.getAll('scope');
      issued.push({ user: user!, scopes });
      // Grant what was asked, within what the user may do (Docker token spec "access").
      const access = scopes.map((s) => {
        const [type, name, actions] = s.split(':');
        return { type, name, actions: actions!.split(',').filter((a) => account.actions.includes(a)) };
      });
      const now = Math.floor(Date.now() / 1000);
      const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] };
      const claims = { iss: 'layerfs-test-issuer', sub: user, aud: url.searchParams.get('service'), exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
      const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
      const token = `${input}.${b64url(sign('sha256', Buffer.from(input), key))}`;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }));
    });
    await new Promise<void>((r) => server.listen(tokenPort, '127.0.0.1', r));
    reg = await startRegistry({
      token: { realm: `http://127.0.0.1:${tokenPort}/token`, service: 'layerfs-test', issuer: 'layerfs-test-issuer', rootcertbundle: join(dir, 'cert.pem') },
    });
  });
  afterAll(async () => {
    await reg?.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('pushes and pulls with tokens the registry accepts, one token request per scope set', async () => {
    const store = openMemoryStore();
    const img = buildImage([randomLayer('jwt0'), randomLayer('jwt1')]);
    await storeImage(store, img, 'jwt/app:1');
    const r = await pushImage(store, 'jwt/app:1', `docker://${reg.host}/jwt/app:1`, { credentials: 'alice:wonderland' });
    expect(r.digest).toBe(img.digest);
    expect(issued).toEqual([{ user: 'alice', scopes: ['repository:jwt/app:pull,push'] }]);

    issued.length = 0;
    const pulled = await pullImage(openMemoryStore(), `docker://${reg.host}/jwt/app:1`, { credentials: 'reader:r' });
    expect(pulled.digest).toBe(img.digest);
    expect(issued).toEqual([{ user: 'reader', scopes: ['repository:jwt/app:pull'] }]);
  });

  it('anonymous and wrong credentials are UNAUTHORIZED; a pull-only user cannot push', async () => {
    const anon = await new RegistryClient(reg.host).getManifest('jwt/app', '1').catch((e) => e);
    expect(anon.code).toBe('UNAUTHORIZED');
    const wrong = await new RegistryClient(reg.host, { credentials: 'alice:nope' }).getManifest('jwt/app', '1').catch((e) => e);
    expect(wrong.code).toBe('UNAUTHORIZED');

    const store = openMemoryStore();
    const img = buildImage([randomLayer('ro')]);
    await storeImage(store, img, 'jwt/ro:1');
    const e = await pushImage(store, 'jwt/ro:1', `docker://${reg.host}/jwt/ro:1`, { credentials: 'reader:r', baseDelayMs: 2 }).catch((x) => x);
    expect(['UNAUTHORIZED', 'DENIED']).toContain(e.code);
    expect(e.message).toContain('jwt/ro');
  });
});
