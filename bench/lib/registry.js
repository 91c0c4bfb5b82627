/**
 * A real registry for the benches: Debian's docker-registry (distribution)
 * on a free 127.0.0.1 port with storage in a temp dir, stopped by its pid.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts docker-registry on a free loopback port with storage in a temp dir; stop() kills it by pid. */
export async function startRegistry(prefix = 'layerfs-bench-registry-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const port = await freePort();
  const cfg = join(dir, 'config.yml');
  writeFileSync(
    cfg,
    ['version: 0.1', 'log:', '  level: error', '  accesslog:', '    disabled: true', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: 127.0.0.1:${port}`, ''].join('\n'),
  );
  const log = openSync(join(dir, 'registry.log'), 'a');
  const child = spawn('docker-registry', ['serve', cfg], { stdio: ['ignore', log, log] });
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${readFileSync(join(dir, 'registry.log'), 'utf8')}`);
    try {
      const r = await fetch(`${url}/v2/`);
      await r.body?.cancel();
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (i > 400) throw new Error('docker-registry did not start');
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    host: `127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(child.pid, 'SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
