/**
 * README.md's examples work as written: the Node API examples that stand on
 * their own (In Node, Digests, Containers and volumes, Build from a
 * Dockerfile) run with `node` in a temp directory where `layerfs` resolves
 * to this package (node_modules/layerfs -> the repository, so through
 * package.json "exports" to dist/, as after `npm install layerfs`), and the
 * CLI's first session runs in bash with `layerfs` on PATH. Outputs are
 * checked against node:crypto and umoci. Needs `npm run build` (npm test
 * runs it first). The browser snippet is run by
 * test/browser/node/plain-script.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { README as readme, codeBlock } from './helpers/readme.js';
import { requireTools } from './helpers/tools.js';

const root = fileURLToPath(new URL('..', import.meta.url));

let dir: string;
let bin: string;

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'index.js')) || !existsSync(join(root, 'build', 'layerfs.simd.wasm'))) {
    throw new Error('README examples run against the built package: run `npm run build` first');
  }
  dir = mkdtempSync(join(tmpdir(), 'layerfs-readme-'));
  bin = join(dir, 'bin');
  mkdirSync(bin);
  // `layerfs` on PATH, as `npm install -g layerfs` would put it
  writeFileSync(join(bin, 'layerfs'), `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'bin', 'layerfs.js')}" "$@"\n`);
  chmodSync(join(bin, 'layerfs'), 0o755);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A fresh project directory whose node_modules/layerfs is this package. */
function project(name: string): string {
  const p = join(dir, name);
  mkdirSync(join(p, 'node_modules'), { recursive: true });
  symlinkSync(root, join(p, 'node_modules', 'layerfs'), 'dir');
  return p;
}

function run(cmd: string, args: string[], cwd: string): { stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}`, LAYERFS_HOME: join(cwd, 'default-store') };
  delete env.NODE_OPTIONS; // vitest's loader hooks are not the user's
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

function runNode(heading: string): { stdout: string; cwd: string } {
  const cwd = project(heading.replace(/\W+/g, '-').replace(/^-|-$/g, ''));
  writeFileSync(join(cwd, 'example.mjs'), codeBlock(readme, heading, 'js'));
  return { stdout: run(process.execPath, ['example.mjs'], cwd).stdout, cwd };
}

describe('README.md', () => {
  it('keeps the quick start', () => {
    expect(codeBlock(readme, '## Quick start', 'sh')).toBe('npm install && npm start\nnpm test\n');
  });

  it('API, In Node: hashes, diffs, builds into a disk store and saves an OCI layout umoci reads', () => {
    requireTools('umoci');
    const { stdout, cwd } = runNode('### In Node');
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe(`sha256:${createHash('sha256').update('abc').digest('hex')}`);
    expect(stdout).toContain('{ added: 0, modified: 1, deleted: 1 }');
    expect(stdout).toContain("[ 'index.html' ] <h1>hi</h1>");
    const id = lines.at(-1)!;
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(existsSync(join(cwd, 'store', 'blobs'))).toBe(true);
    // the layout holds tag 1 whose config is the image id printed
    const ls = run('umoci', ['ls', '--layout', 'layout'], cwd).stdout;
    expect(ls.trim().split('\n')).toEqual(['1']);
    const index = JSON.parse(readFileSync(join(cwd, 'layout', 'index.json'), 'utf8'));
    const manifest = JSON.parse(readFileSync(join(cwd, 'layout', 'blobs', 'sha256', index.manifests[0].digest.slice(7)), 'utf8'));
    expect(manifest.config.digest).toBe(id);
  });

  it('API, Digests: the example runs and prints what its comments say', () => {
    const { stdout } = runNode('### Digests');
    expect(stdout.trim()).toBe(`sha256:${createHash('sha256').update('abc').digest('hex')} 3`);
  });

  it('API, Containers and volumes: the example runs', () => {
    const { stdout } = runNode('### Containers and volumes');
    expect(stdout).toContain("{ kind: 'A', path: '/etc/motd' }");
    expect(stdout).toContain("{ kind: 'D', path: '/usr/share/doc' }");
    expect(stdout).toMatch(/sha256:[0-9a-f]{64} add motd/);
  });

  it('API, Build from a Dockerfile: the example runs and the second build is all cached', () => {
    const { stdout } = runNode('### Build from a Dockerfile');
    expect(stdout.trim().split('\n').at(-1)).toBe('true 4');
  });

  it('CLI: the first session runs in bash as written', () => {
    requireTools('umoci');
    const cwd = join(dir, 'cli');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'session.sh'), codeBlock(readme, '## CLI', 'sh'));
    const { stdout } = run('bash', ['-euo', 'pipefail', 'session.sh'], cwd);
    expect(stdout).toMatch(/^built [0-9a-f]{12} .*tagged hello:1$/m);
    expect(stdout).toMatch(/^C \/app\nA \/app\/bye\.txt\nD \/app\/hello\.txt$/m);
    expect(stdout).toMatch(/^\S+\s+\S+\s+swap files\s/m); // history: the commit message as created_by
    expect(stdout).toMatch(/^-rw-r--r--\s+0:0\s+4\s+L1 [0-9a-f]{12}\s+\/app\/bye\.txt$/m);
    expect(stdout).not.toMatch(/^-\S+\s+\d+:\d+\s+\d+\s+L\d+ [0-9a-f]{12}\s+\/app\/hello\.txt$/m); // deleted: not in the merged tree
    expect(existsSync(join(cwd, 'store', 'blobs'))).toBe(true); // LAYERFS_HOME=$PWD/store was used
    expect(run('umoci', ['ls', '--layout', 'layout'], cwd).stdout.trim()).toBe('2');
  });
});
