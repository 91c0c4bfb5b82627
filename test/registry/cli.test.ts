import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { openStore } from '../../src/store/open-disk.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { buildImage, randomLayer, storeImage } from './fixtures.js';

async function run(argv: string[], env: Record<string, string | undefined> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string | Uint8Array) => void (stdout += String(s)), isTTY: false },
    stderr: { write: (s: string | Uint8Array) => void (stderr += String(s)), isTTY: false },
    stdin: new PassThrough(),
    env: { HOME: tmpdir(), ...env },
  });
  return { code, stdout, stderr };
}

describe('layerfs pull / push / ls-tags', () => {
  let reg: TestRegistry;
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'layerfs-cli-store-'));
    dirs.push(d);
    return d;
  };
  beforeAll(async () => {
    reg = await startRegistry({ auth: { username: 'cli', password: 'pw' } });
  });
  afterAll(async () => {
    await reg?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('pushes from one store and pulls into another, with plain progress lines off a TTY', async () => {
    const src = tmp();
    const img = buildImage([randomLayer('c0'), randomLayer('c1')]);
    await storeImage(await openStore(src), img, 'cli/app:1');

    const denied = await run(['push', '--store', src, 'cli/app:1', `docker://${reg.host}/cli/app:1`]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('UNAUTHORIZED');
    expect(denied.stderr).toContain(`${reg.host}/cli/app`);

    const pushed = await run(['push', '--store', src, '--creds', 'cli:pw', 'cli/app:1', `docker://${reg.host}/cli/app:1`]);
    expect(pushed.code).toBe(0);
    expect(pushed.stdout).toBe(`${reg.host}/cli/app@${img.digest}\n`);
    expect(pushed.stderr).toContain('3 blob(s) uploaded');
    for (const l of img.layers) expect(pushed.stderr).toContain(`${l.digest.slice(7, 19)}: pushing`);
    expect(pushed.stderr).not.toMatch(/\x1b\[/);

    const tags = await run(['ls-tags', `docker://${reg.host}/cli/app`], { LAYERFS_AUTH: 'cli:pw' });
    expect(tags).toMatchObject({ code: 0, stdout: '1\n' });

    const dst = tmp();
    const pulled = await run(['pull', '--store', dst, `docker://${reg.host}/cli/app:1`, 'mine:v1'], { LAYERFS_AUTH: 'cli:pw' });
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toBe(`${reg.host}/cli/app@${img.digest}\n`);
    const image = await (await openStore(dst)).image('mine:v1');
    expect(image.digest).toBe(img.digest);

    // LAYERFS_DEFAULT_REGISTRY: a name without a host is on that registry (not Docker Hub).
    const tagsByName = await run(['ls-tags', 'cli/app'], { LAYERFS_AUTH: 'cli:pw', LAYERFS_DEFAULT_REGISTRY: reg.host });
    expect(tagsByName).toMatchObject({ code: 0, stdout: '1\n' });

    const again = await run(['pull', '--store', dst, 'cli/app:1'], { LAYERFS_AUTH: 'cli:pw', LAYERFS_DEFAULT_REGISTRY: reg.host });
    expect(again.stderr).toContain('0 blob(s) downloaded, 2 already in the store');
    expect(again.stderr).toContain('already there');
  });

  it('exits 1 with the typed code for a missing image, 2 for bad usage', async () => {
    const missing = await run(['pull', '--store', tmp(), '--creds', 'cli:pw', `docker://${reg.host}/no/such:1`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/NOT_FOUND: .*no\/such/);
    expect((await run(['pull'])).code).toBe(2);
    expect((await run(['ls-tags', `docker://${reg.host}/x:tag`])).code).toBe(2);
    const bad = await run(['pull', '--store', tmp(), 'docker://Bad/Name']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('INVALID_ARGUMENT');
  });
});
