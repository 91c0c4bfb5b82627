/**
 * Starts real registries for the interop suites: Debian's `docker-registry`
 * (distribution 2.8) on a free 127.0.0.1 port, with filesystem storage in a
 * temp dir, its access log captured so tests can see which requests it got,
 * CORS headers for the browser suite, and optionally htpasswd basic auth.
 * Each is stopped by its pid.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools } from './tools.js';

export interface TestRegistry {
  /** `127.0.0.1:PORT`, usable as the host of docker:// references. */
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly pid: number;
  /** Everything the registry logged so far (access log included). */
  log(): string;
  /** Access-log request lines (`METHOD PATH`) logged since `mark()` (or start). */
  requests(): string[];
  /** Remember the current end of the log; requests() then shows only later lines. */
  mark(): void;
  stop(): Promise<void>;
}

export interface StartRegistryOptions {
  /** Basic auth with these credentials (htpasswd file, bcrypt). */
  auth?: { username: string; password: string };
  /** Bearer-token auth (distribution's `auth: token`): tokens from `realm`, signed by a key whose certificate is in `rootcertbundle`. */
  token?: { realm: string; service: string; issuer: string; rootcertbundle: string };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function config(dir: string, port: number, htpasswd?: string, token?: StartRegistryOptions['token']): string {
  // distribution's configuration.md; YAML written by hand (flat enough not to need a library).
  return [
    'version: 0.1',
    'log:',
    '  level: info',
    '  formatter: text',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  headers:',
    '    X-Content-Type-Options: [nosniff]',
    "    Access-Control-Allow-Origin: ['*']",
    "    Access-Control-Allow-Methods: ['HEAD', 'GET', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE']",
    "    Access-Control-Allow-Headers: ['Authorization', 'Accept', 'Content-Type', 'Content-Range', 'Range']",
    "    Access-Control-Expose-Headers: ['Docker-Content-Digest', 'Location', 'Range', 'Content-Range', 'Link', 'WWW-Authenticate']",
    ...(htpasswd ? ['auth:', '  htpasswd:', '    realm: layerfs-test', `    path: ${htpasswd}`] : []),
    ...(token
      ? ['auth:', '  token:', `    realm: ${token.realm}`, `    service: ${token.service}`, `    issuer: ${token.issuer}`, `    rootcertbundle: ${token.rootcertbundle}`]
      : []),
    '',
  ].join('\n');
}

async function waitReady(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}):\n${readFileSync(logFile, 'utf8')}`);
    try {
      const res = await fetch(`${url}/v2/`);
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`docker-registry did not start:\n${readFileSync(logFile, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Access-log lines look like: 127.0.0.1 - - [date] "PUT /v2/x/blobs/uploads/... HTTP/1.1" 201 0 "" "ua" */
const ACCESS = /"([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3})/;

export async function startRegistry(opts: StartRegistryOptions = {}): Promise<TestRegistry> {
  requireTools('docker-registry');
  const dir = mkdtempSync(join(tmpdir(), 'layerfs-registry-'));
  let htpasswd: string | undefined;
  if (opts.auth) {
    requireTools('htpasswd');
    htpasswd = join(dir, 'htpasswd');
    const line = execFileSync('htpasswd', ['-Bbn', opts.auth.username, opts.auth.password], { encoding: 'utf8' });
    writeFileSync(htpasswd, line.trim() + '\n');
  }
  const port = await freePort();
  const cfg = join(dir, 'config.yml');
  writeFileSync(cfg, config(dir, port, htpasswd, opts.token));
  const logFile = join(dir, 'registry.log');
  const fd = openSync(logFile, 'a');
  const child = spawn('docker-registry', ['serve', cfg], { stdio: ['ignore', fd, fd], detached: false });
  closeSync(fd);
  // A test file that dies without its afterAll must not leave the registry running.
  const killAtExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAtExit);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, child, logFile);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  let markAt = 0;
  const log = () => readFileSync(logFile, 'utf8');
  return {
    host: `127.0.0.1:${port}`,
    port,
    url,
    dir,
    pid: child.pid!,
    log,
    mark() {
      markAt = log().length;
    },
    requests() {
      return log()
        .slice(markAt)
        .split('\n')
        .map((l) => ACCESS.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => `${m[1]} ${m[2]} ${m[3]}`);
    },
    async stop() {
      process.removeListener('exit', killAtExit);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(child.pid!, 'SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
