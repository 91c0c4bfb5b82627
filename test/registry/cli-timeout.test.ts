/**
 * `--timeout SECONDS` on the registry commands: the client's timeoutMs.
 * Through the fault proxy, a request that never gets an answer is given up
 * after the timeout and retried, so the command completes (with the 60 s
 * default it would still be waiting when the test times out).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { openMemoryStore } from '../../src/store/open-memory.js';
import { openStore } from '../../src/store/open-disk.js';
import { pushImage } from '../../src/transport/registry/push.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { buildImage, randomLayer, storeImage } from './fixtures.js';

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string | Uint8Array) => void (stdout += String(s)), isTTY: false },
    stderr: { write: (s: string | Uint8Array) => void (stderr += String(s)), isTTY: false },
    stdin: new PassThrough(),
    env: { HOME: tmpdir() },
  });
  return { code, stdout, stderr };
}

describe('layerfs pull / push / copy / ls-tags --timeout SECONDS', () => {
  let reg: TestRegistry;
  let proxy: FaultProxy;
  const img = buildImage([randomLayer('t0')]);
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'layerfs-cli-timeout-'));
    dirs.push(d);
    return d;
  };
  beforeAll(async () => {
    reg = await startRegistry();
    proxy = await startFaultProxy({ host: '127.0.0.1', port: reg.port });
    const store = openMemoryStore();
    await storeImage(store, img, 'to/app:1');
    await pushImage(store, 'to/app:1', `docker://${reg.host}/to/app:1`);
  });
  afterAll(async () => {
    await proxy?.close();
    await reg?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a first manifest request that never answers is retried after --timeout, and the pull completes', async () => {
    proxy.plan = ({ path, count }) => (path.includes('/manifests/') && count === 0 ? { kind: 'stall' } : undefined);
    proxy.seen.length = 0;
    const dst = tmp();
    const r = await run(['pull', '--store', dst, '--timeout', '0.5', `docker://${proxy.host}/to/app:1`, 'got:1']);
    expect(r.code, r.stderr).toBe(0);
    expect((await (await openStore(dst)).image('got:1')).digest).toBe(img.digest);
    expect(proxy.seen.filter((s) => s.url.includes('/manifests/')).map((s) => s.fault)).toEqual(['stall', undefined]);
  }, 20_000);

  it('ls-tags and copy take it too', async () => {
    proxy.plan = ({ path, count }) => (path.includes('/tags/list') && count === 0 ? { kind: 'stall' } : undefined);
    const tags = await run(['ls-tags', '--timeout', '0.5', `docker://${proxy.host}/to/app`]);
    expect(tags).toMatchObject({ code: 0, stdout: '1\n' });
    proxy.plan = () => undefined;
    const out = join(tmp(), 'layout');
    const copied = await run(['copy', '--store', tmp(), '--timeout', '30', `docker://${proxy.host}/to/app:1`, `oci:${out}:v1`]);
    expect(copied.code, copied.stderr).toBe(0);
  }, 20_000);

  it.each(['0', '-1', 'abc', '1e3x', ''])("--timeout '%s' is a usage error (exit 2)", async (v) => {
    const store = tmp();
    const argvs = [
      ['pull', '--store', store, '--timeout', v, `docker://${reg.host}/to/app:1`],
      ['push', '--store', store, '--timeout', v, 'to/app:1', `docker://${reg.host}/to/app:1`],
      ['ls-tags', '--timeout', v, `docker://${reg.host}/to/app`],
      ['copy', '--store', store, '--timeout', v, `docker://${reg.host}/to/app:1`, 'x:1'],
    ];
    for (const argv of argvs) {
      const r = await run(argv);
      expect(r.code, `${argv[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('--timeout');
    }
  });
});
