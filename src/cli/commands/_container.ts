/**
 * Shared by the `container` and `volume` commands: the `--store DIR`
 * option, `CONTAINER:PATH` arguments, stdin, and copies between the host
 * and a container. Uses only the public API (layerfs/node).
 */
import type { CliIO } from '../command.js';
import type { Container } from '../../node.js';

// One `--store` option for every command (src/cli/commands/_store.ts).
export { storeOption, openCliStore as openStoreFrom } from './_store.js';

/**
 * `NAME:PATH` names a path in a container when the part before the first
 * colon has no slash (docker cp's rule); anything else is a host path.
 */
export function parseContainerPath(arg: string): { container: string; path: string } | undefined {
  const i = arg.indexOf(':');
  if (i <= 0) return undefined;
  const c = arg.slice(0, i);
  if (c.includes('/')) return undefined;
  return { container: c, path: arg.slice(i + 1) || '/' };
}

export async function readStdin(io: CliIO): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of io.stdin as AsyncIterable<Uint8Array | string>) chunks.push(typeof c === 'string' ? new TextEncoder().encode(c) : c);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

/** Host file-system errors as typed errors naming the host path (a missing SRC is the user's, not a crash). */
async function hostErrors<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const code = (e as { code?: unknown })?.code;
    const p = (e as { path?: unknown })?.path;
    if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) throw e;
    const errors = await import('../../node.js');
    const msg = `${what}: ${code} on host path ${typeof p === 'string' ? p : ''}`.trim();
    const data = typeof p === 'string' ? { path: p } : {};
    if (code === 'ENOENT') throw new errors.NotFoundError(msg, data, { cause: e });
    if (code === 'EEXIST') throw new errors.AlreadyExistsError(msg, data, { cause: e });
    if (code === 'ENOTDIR') throw new errors.NotADirectoryError(msg, data, { cause: e });
    if (code === 'EISDIR') throw new errors.IsADirectoryError(msg, data, { cause: e });
    throw new errors.InvalidArgumentError(msg, data, { cause: e });
  }
}

function base(p: string): string {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  return parts[parts.length - 1] ?? '';
}

function join(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/**
 * Copies a host file or directory into a container (into DST when DST is a
 * directory, as docker cp does). Host calls are synchronous: this runs in
 * a one-shot CLI process, and each file's few calls through the libuv
 * thread pool, one after another, left it idle three quarters of the time.
 */
export async function copyIn(hostSrc: string, c: Container, dst: string): Promise<number> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  let target = dst;
  const st = await c.stat(dst).catch(() => undefined);
  if (st?.type === 'directory') target = join(dst, path.basename(path.resolve(hostSrc)));
  else {
    // As docker cp: the destination's directory must exist (named when it does not).
    const parent = path.posix.dirname(path.posix.resolve('/', dst));
    if ((await c.stat(parent).catch(() => undefined))?.type !== 'directory') {
      const errors = await import('../../node.js');
      throw new errors.NotFoundError(`cannot copy ${hostSrc} into the container: no directory ${parent} in it`, { path: parent });
    }
  }
  let n = 0;
  const dirs: Array<[string, number]> = [];
  // Names of one host file come in as one file (as docker cp's tar keeps
  // hardlinks), unless the container refuses the link (across volumes).
  const inodes = new Map<string, string>();
  const visit = async (h: string, p: string): Promise<void> => {
    const s = fs.lstatSync(h);
    if (s.isDirectory()) {
      const existing = await c.lstat(p).catch(() => undefined);
      if (!existing) await c.mkdir(p, { mode: s.mode & 0o7777 });
      else await c.chmod(p, s.mode & 0o7777);
      for (const name of fs.readdirSync(h).sort()) await visit(path.join(h, name), join(p, name));
      dirs.push([p, s.mtimeMs / 1000]);
    } else if (s.isSymbolicLink()) {
      if (await c.lstat(p).catch(() => undefined)) await c.rm(p, { recursive: true });
      await c.symlink(fs.readlinkSync(h), p);
    } else if (s.isFile()) {
      const first = s.nlink > 1 ? inodes.get(`${s.dev}:${s.ino}`) : undefined;
      if (first !== undefined) {
        if (await c.lstat(p).catch(() => undefined)) await c.rm(p, { recursive: true });
        const linked = await c.link(first, p).then(
          () => true,
          () => false,
        );
        if (linked) {
          n++;
          return;
        }
      }
      if (s.nlink > 1 && first === undefined) inodes.set(`${s.dev}:${s.ino}`, p);
      const existed = await c.lstat(p).then(() => true, () => false);
      await c.writeFile(p, new Uint8Array(fs.readFileSync(h)), { mode: s.mode & 0o7777 });
      if (existed) await c.chmod(p, s.mode & 0o7777); // an existing file keeps its mode otherwise
      await c.utimes(p, s.mtimeMs / 1000, s.mtimeMs / 1000);
    } else return; // devices, FIFOs and sockets are not copied
    n++;
  };
  await hostErrors(`cannot copy ${hostSrc} into the container`, () => visit(hostSrc, target));
  for (let i = dirs.length - 1; i >= 0; i--) await c.utimes(dirs[i]![0], dirs[i]![1], dirs[i]![1]);
  return n;
}

/** Copies a container file or directory out to the host (into DST when DST is a directory); host calls synchronous, as in copyIn. */
export async function copyOut(c: Container, src: string, hostDst: string): Promise<number> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  let target = hostDst;
  const hs = fs.statSync(hostDst, { throwIfNoEntry: false });
  if (hs?.isDirectory()) target = path.join(hostDst, base(src) || 'root');
  else {
    // As docker cp: the destination's directory must exist (named when it does not).
    const parent = path.dirname(path.resolve(hostDst));
    if (!fs.statSync(parent, { throwIfNoEntry: false })?.isDirectory()) {
      const errors = await import('../../node.js');
      throw new errors.NotFoundError(`cannot copy ${src} out of the container: no directory ${parent} on the host`, { path: parent });
    }
  }
  let n = 0;
  const dirs: Array<[string, number]> = [];
  // Names of one file go out as one file (docker cp's tar keeps hardlinks).
  // A linkKey names a file within its tree: the container's, or one volume.
  const links = new Map<string, string>();
  const mounts = Object.keys(c.volumes).sort((a, b) => b.length - a.length);
  const treeOf = (p: string) => mounts.find((m) => p === m || p.startsWith(`${m}/`)) ?? '';
  const visit = async (p: string, h: string): Promise<void> => {
    const e = await c.lstat(p);
    if (e.type === 'directory') {
      fs.mkdirSync(h, { recursive: true });
      fs.chmodSync(h, e.mode);
      for (const name of await c.readdir(p)) await visit(join(p, name), path.join(h, name));
      dirs.push([h, e.mtime]);
    } else if (e.type === 'symlink') {
      fs.rmSync(h, { force: true });
      fs.symlinkSync(e.linkname, h);
    } else if (e.type === 'file') {
      const key = e.linkKey === undefined ? undefined : `${treeOf(e.path)}\0${e.linkKey}`;
      const first = key === undefined ? undefined : links.get(key);
      if (first !== undefined) {
        fs.rmSync(h, { force: true });
        fs.linkSync(first, h);
        n++;
        return;
      }
      if (key !== undefined) links.set(key, h);
      const bytes = await c.readFile(p);
      const fd = fs.openSync(h, 'w', e.mode);
      try {
        for (let o = 0; o < bytes.byteLength; ) o += fs.writeSync(fd, bytes, o);
        fs.fchmodSync(fd, e.mode); // the mode as given, not as the umask left it
        fs.futimesSync(fd, e.mtime, e.mtime);
      } finally {
        fs.closeSync(fd);
      }
    } else return;
    n++;
  };
  await hostErrors(`cannot copy ${src} out of the container`, async () => {
    await visit(src, target);
    for (let i = dirs.length - 1; i >= 0; i--) fs.utimesSync(dirs[i]![0], dirs[i]![1], dirs[i]![1]);
  });
  return n;
}
