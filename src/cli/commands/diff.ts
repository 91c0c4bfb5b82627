import { UsageError, type Command } from '../command.js';

/**
 * `layerfs diff LOWER_DIR UPPER_DIR -o FILE [--gzip|--zstd] [--source-date-epoch N]`
 * writes the layer that turns LOWER into UPPER (like `umoci repack`) and
 * prints its digest and diffId. SOURCE_DATE_EPOCH in the environment is used
 * when the option is not given.
 */
const command: Command = {
  name: ['diff'],
  summary: 'write the layer (tar, gzip or zstd) that turns one directory into another',
  usage: 'layerfs diff LOWER_DIR UPPER_DIR -o FILE [--gzip|--zstd] [--source-date-epoch N]',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        gzip: { type: 'boolean', default: false },
        zstd: { type: 'boolean', default: false },
        'source-date-epoch': { type: 'string' },
      },
    });
    if (positionals.length !== 2) throw new UsageError('need LOWER_DIR and UPPER_DIR');
    if (!values.output) throw new UsageError('-o FILE is required');
    if (values.gzip && values.zstd) throw new UsageError('choose one of --gzip and --zstd');
    const epochText = values['source-date-epoch'] ?? io.env.SOURCE_DATE_EPOCH;
    let sourceDateEpoch: number | undefined;
    if (epochText !== undefined && epochText !== '') {
      sourceDateEpoch = Number(epochText);
      if (!/^\d+$/.test(epochText)) throw new UsageError(`--source-date-epoch wants whole seconds, got ${epochText}`);
    }
    const [lowerDir, upperDir] = positionals as [string, string];
    const { requireDir, writeFileAtomic } = await import('../../layer/cli-io.js');
    await requireDir(lowerDir);
    await requireDir(upperDir);
    const { NodeDirTree } = await import('../../tree/node-dir.js');
    const { diffTrees } = await import('../../layer/diff.js');
    const compression = values.gzip ? 'gzip' : values.zstd ? 'zstd' : 'none';
    const r = await writeFileAtomic(values.output, (output) =>
      diffTrees(new NodeDirTree(lowerDir), new NodeDirTree(upperDir), { compression, sourceDateEpoch, output }),
    );
    io.stdout.write(`digest: ${r.digest}\ndiffId: ${r.diffId}\nsize: ${r.size}\nmediaType: ${r.mediaType}\n`);
    io.stdout.write(`added: ${r.summary.added}  modified: ${r.summary.modified}  deleted: ${r.summary.deleted}\n`);
    return 0;
  },
};
export default command;
