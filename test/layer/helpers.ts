/**
 * Test helpers for layers and trees: build a tar from short entry specs, and
 * describe a tree as one line per path so two trees compare with toEqual.
 */
import { createHash } from 'node:crypto';
import { encodeTar, tarHeader } from '../../src/tar/index.js';
import type { EntryType } from '../../src/tar/types.js';
import type { TreeReader } from '../../src/tree/types.js';

export interface EntrySpec {
  path: string;
  type?: EntryType;
  content?: string | Uint8Array;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  devmajor?: number;
  devminor?: number;
  xattrs?: Record<string, Uint8Array>;
}

const enc = new TextEncoder();

/** An uncompressed layer tar with the entries in the given order. */
export function makeLayer(specs: EntrySpec[]): Uint8Array {
  return encodeTar(
    specs.map((s) => {
      const data = typeof s.content === 'string' ? enc.encode(s.content) : s.content;
      const type = s.type ?? (s.path.endsWith('/') ? 'directory' : 'file');
      return {
        header: tarHeader({ ...s, type, size: type === 'file' ? (data?.length ?? 0) : 0 }),
        data: type === 'file' ? (data ?? new Uint8Array(0)) : undefined,
      };
    }),
  );
}

export async function readAll(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const r = s.getReader();
  for (;;) {
    const { done, value } = await r.read();
    if (done) break;
    parts.push(value);
  }
  return Buffer.concat(parts);
}

export interface SnapshotOptions {
  /** Include mtimes (off by default: rule 20 does not count them). */
  mtime?: boolean;
  /** Include owners (off when comparing with a rootless unpack). */
  owner?: boolean;
  /** Show file contents as text instead of a hash. */
  text?: boolean;
}

/**
 * One line per entry: type, mode, owner, size, content (hash or text), link
 * target, devices, xattrs and, for hardlinks, the first path of the group.
 */
export async function snapshot(tree: TreeReader, opts: SnapshotOptions = {}): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const groups = new Map<string, string>();
  for await (const e of tree.walk()) {
    // Symlink permission bits mean nothing on Linux (always 0777 there): left out.
    let line = e.type === 'symlink' ? 'symlink' : `${e.type} ${(e.mode & 0o7777).toString(8)}`;
    if (opts.owner !== false) line += ` ${e.uid}:${e.gid}`;
    if (e.type === 'file') {
      const bytes = await readAll(tree.readFile(e.path));
      line += opts.text
        ? ` ${JSON.stringify(Buffer.from(bytes).toString('utf8'))}`
        : ` ${bytes.length} ${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;
    }
    if (e.type === 'symlink') line += ` -> ${e.linkname}`;
    if (e.type === 'char' || e.type === 'block') line += ` ${e.devmajor},${e.devminor}`;
    const xk = Object.keys(e.xattrs).sort();
    if (xk.length) line += ` xattrs{${xk.map((k) => `${k}=${Buffer.from(e.xattrs[k]!).toString('hex')}`).join(',')}}`;
    if (e.linkKey) {
      if (!groups.has(e.linkKey)) groups.set(e.linkKey, e.path);
      line += ` link=${groups.get(e.linkKey)}`;
    }
    if (opts.mtime) line += ` @${e.mtime}`;
    out[e.path] = line;
  }
  return out;
}
