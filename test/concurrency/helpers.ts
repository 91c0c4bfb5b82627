/**
 * Child processes for the crash and concurrency suites: the built CLI
 * (bin/layerfs.js -> dist/) and small scripts that import the built package,
 * each run against a disk store, so one process's in-memory state cannot
 * hide another's race.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin/layerfs.js');
export const DIST_NODE = pathToFileURL(path.join(ROOT, 'dist/node.js')).href;

export interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { env?: Record<string, string> } = {}): { child: ChildProcess; done: Promise<Done> } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Done>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** `layerfs ARGS --store DIR` with the built CLI. */
export function cli(store: string, ...args: string[]) {
  return run(process.execPath, [BIN, ...args, '--store', store]);
}

/** Runs an ESM script body with `L` bound to the built 'layerfs/node'. */
export async function script(dir: string, name: string, body: string, args: string[] = []) {
  const file = path.join(dir, `${name}.mjs`);
  await fs.writeFile(file, `import * as L from ${JSON.stringify(DIST_NODE)};\n${body}\n`);
  return run(process.execPath, [file, ...args]);
}

/** Files under `dir` (recursive), relative. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  }
  return out.sort();
}
