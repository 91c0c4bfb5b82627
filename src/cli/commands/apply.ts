import { UsageError, type Command } from '../command.js';

/**
 * `layerfs apply LAYER_FILE DIR` applies a layer (tar, gzip or zstd, detected
 * from its bytes) to a directory, whiteouts included, like one step of
 * `umoci unpack`. Device nodes that cannot be made (not root) are skipped
 * with a warning on stderr.
 */
const command: Command = {
  name: ['apply'],
  summary: 'apply a layer (tar, tar+gzip, tar+zstd) to a directory',
  usage: 'layerfs apply LAYER_FILE DIR',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
    if (positionals.length !== 2) throw new UsageError('need LAYER_FILE and DIR');
    const [file, dir] = positionals as [string, string];
    const { fileStream, requireDir } = await import('../../layer/cli-io.js');
    await requireDir(dir);
    const { NodeDirTree } = await import('../../tree/node-dir.js');
    const { applyLayer } = await import('../../layer/apply.js');
    const stats = await applyLayer(await fileStream(file), new NodeDirTree(dir), {
      onWarning: (msg, path) => void io.stderr.write(`layerfs: warning: ${msg} (${path})\n`),
    });
    io.stdout.write(`applied ${stats.entries} entries (${stats.bytes} bytes, ${stats.whiteouts} whiteouts, ${stats.opaques} opaque)\n`);
    return 0;
  },
};
export default command;
