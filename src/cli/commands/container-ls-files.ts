import { UsageError, type Command } from '../command.js';
import { openStoreFrom, storeOption } from './_container.js';

function modeString(type: string, mode: number): string {
  const t = { directory: 'd', symlink: 'l', char: 'c', block: 'b', fifo: 'p' }[type] ?? '-';
  let s = t;
  for (const shift of [6, 3, 0]) {
    const b = (mode >> shift) & 7;
    s += (b & 4 ? 'r' : '-') + (b & 2 ? 'w' : '-') + (b & 1 ? 'x' : '-');
  }
  return s;
}

/** `layerfs container ls-files C [PATH] [-R] [--json]`: a directory of the container, with where each entry comes from. */
const command: Command = {
  name: ['container', 'ls-files'],
  summary: 'list a directory of a container (image, container or volume origin)',
  usage: 'layerfs container ls-files [--store DIR] [-R] [--json] ID|NAME [PATH]',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...storeOption, recursive: { type: 'boolean', short: 'R' }, json: { type: 'boolean' } },
    });
    if (positionals.length < 1 || positionals.length > 2) throw new UsageError('container ls-files takes ID|NAME and an optional PATH');
    const store = await openStoreFrom(values, io);
    const c = await store.container(positionals[0]!);
    const start = positionals[1] ?? '/';
    const rows: Array<Awaited<ReturnType<typeof c.lstat>>> = [];
    const top = await c.stat(start);
    const visit = async (dir: string): Promise<void> => {
      for (const name of await c.readdir(dir)) {
        const p = dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
        const e = await c.lstat(p);
        rows.push(e);
        if (values.recursive && e.type === 'directory') await visit(p);
      }
    };
    if (top.type === 'directory') await visit(start);
    else rows.push(await c.lstat(start));
    if (values.json) {
      io.stdout.write(`${JSON.stringify(rows.map(({ xattrs: _x, linkKey: _k, ...r }) => r), null, 2)}\n`);
      return 0;
    }
    for (const e of rows) {
      const link = e.type === 'symlink' ? ` -> ${e.linkname}` : '';
      io.stdout.write(`${modeString(e.type, e.mode)} ${String(e.uid).padStart(5)} ${String(e.gid).padStart(5)} ${String(e.size).padStart(10)} ${e.origin.padEnd(9)} ${e.path}${link}\n`);
    }
    return 0;
  },
};
export default command;
