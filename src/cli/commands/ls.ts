import { UsageError, type Command } from '../command.js';
import { json, openCliStore, storeOption, table } from './_store.js';

const TYPE_CHAR: Record<string, string> = { file: '-', directory: 'd', symlink: 'l', hardlink: 'h', char: 'c', block: 'b', fifo: 'p' };

function modeString(type: string, mode: number): string {
  const r = (m: number) => `${m & 4 ? 'r' : '-'}${m & 2 ? 'w' : '-'}${m & 1 ? 'x' : '-'}`;
  return `${TYPE_CHAR[type] ?? '?'}${r(mode >> 6)}${r(mode >> 3)}${r(mode)}`;
}

/** `layerfs ls REF [PATH] [-R] [--origin] [--json]`: the merged tree of an image, without unpacking it. */
const command: Command = {
  name: ['ls'],
  summary: "list an image's merged file tree (with --origin: the layer each entry comes from)",
  usage: 'layerfs ls [-R] [--origin] [--json] [--store DIR] REF [PATH]',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...storeOption, recursive: { type: 'boolean', short: 'R' }, origin: { type: 'boolean' }, json: { type: 'boolean' } },
    });
    if (positionals.length < 1 || positionals.length > 2) throw new UsageError('ls takes REF and an optional PATH');
    const { cleanPath } = await import('../../node.js');
    const store = await openCliStore(values, io);
    const image = await store.image(positionals[0]!);
    const view = await store.view(positionals[0]!);
    const dir = cleanPath(positionals[1] ?? '');
    const top = view.stat(dir);
    let nodes;
    if (top.type !== 'directory') nodes = [view.lstat(dir)];
    else if (values.recursive) nodes = view.entries(dir).filter((n) => n.path !== dir);
    else nodes = view.readdir(dir).map((n) => view.lstat(dir ? `${dir}/${n}` : n));
    const rows = nodes.map((n) => ({
      path: n.path,
      type: n.type,
      mode: n.entry.mode,
      uid: n.entry.uid,
      gid: n.entry.gid,
      size: n.type === 'file' ? n.entry.size : 0,
      linkname: n.entry.linkname || undefined,
      ...(values.origin ? { layer: n.layer, layerDigest: image.layers[n.layer]?.digest } : {}),
    }));
    if (values.json) {
      json(io, rows);
      return 0;
    }
    if (rows.length === 0) return 0;
    io.stdout.write(
      table(
        rows.map((r) => [
          modeString(r.type, r.mode),
          `${r.uid}:${r.gid}`,
          String(r.size),
          ...(values.origin ? [`L${r.layer} ${r.layerDigest?.slice(7, 19) ?? ''}`] : []),
          `/${r.path}${r.linkname ? ` -> ${r.linkname}` : ''}`,
        ]),
      ),
    );
    return 0;
  },
};
export default command;
