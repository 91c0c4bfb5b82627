import { UsageError, type Command } from '../command.js';
import { openCliStore, storeOption } from './_store.js';

/** `layerfs tag SRC DST`: another name for an image. */
const command: Command = {
  name: ['tag'],
  summary: 'give an image in the store another name',
  usage: 'layerfs tag [--store DIR] SRC NAME[:TAG]',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...storeOption } });
    if (positionals.length !== 2) throw new UsageError('tag takes SRC and DST');
    const store = await openCliStore(values, io);
    await store.tag(positionals[0]!, positionals[1]!);
    return 0;
  },
};
export default command;
