import { UsageError, type Command } from '../command.js';

/**
 * `layerfs layer ls LAYER_FILE [--json] [--lower DIR]` lists a layer's
 * entries with their kind: add, whiteout (with the path it deletes), opaque
 * (with its directory). A single layer cannot tell a modification from an
 * addition; with --lower DIR, paths that exist there are shown as modify.
 */
const command: Command = {
  name: ['layer', 'ls'],
  summary: 'list the entries of a layer: add / modify / whiteout / opaque',
  usage: 'layerfs layer ls LAYER_FILE [--json] [--lower DIR]',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, lower: { type: 'string' } },
    });
    if (positionals.length !== 1) throw new UsageError('need LAYER_FILE');
    const { fileStream, requireDir } = await import('../../layer/cli-io.js');
    const { listLayer } = await import('../../layer/list.js');
    let lower: import('../../tree/types.js').TreeReader | undefined;
    if (values.lower) {
      await requireDir(values.lower);
      const { NodeDirTree } = await import('../../tree/node-dir.js');
      lower = new NodeDirTree(values.lower);
    }
    const rows = await listLayer(await fileStream(positionals[0]!), { lower });
    if (values.json) {
      io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    for (const r of rows) {
      const mode = r.kind === 'whiteout' || r.kind === 'opaque' ? '-' : (r.mode ?? 0).toString(8).padStart(4, '0');
      const link = r.linkname ? ` -> ${r.linkname}` : '';
      io.stdout.write(`${r.kind.padEnd(8)} ${(r.type ?? '-').padEnd(9)} ${mode} ${String(r.size ?? 0).padStart(10)} ${r.path}${link}\n`);
    }
    return 0;
  },
};
export default command;
