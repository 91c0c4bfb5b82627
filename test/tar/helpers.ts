/** Shared helpers of the tar suites: temp dirs, GNU tar, stream plumbing. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'layerfs-tar-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs GNU tar and returns stdout. */
export function gnuTar(args: string[], opts: { cwd?: string; input?: Uint8Array } = {}): Buffer {
  return execFileSync('tar', args, { cwd: opts.cwd, input: opts.input, maxBuffer: 1 << 28, env: { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC' } });
}

/** A ReadableStream that delivers `data` in chunks of `size` bytes. */
export function streamOf(data: Uint8Array, size = 65536): ReadableStream<Uint8Array> {
  let o = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (o >= data.length) {
        c.close();
        return;
      }
      c.enqueue(data.slice(o, o + size));
      o += size;
    },
  });
}

export async function collect(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(s).arrayBuffer());
}

/** Expect a promise or function to fail with a LayerfsError of `code`. */
export async function errorCode(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (e) {
    return (e as { code?: string }).code ?? `non-layerfs: ${String(e)}`;
  }
  return undefined;
}
