import { UsageError, type Command } from '../command.js';
import { json, openCliStore, storeOption } from './_store.js';

/** `layerfs inspect REF`: the image as JSON (ids, names, config, layers with digests, diffIds and chain ids). */
const command: Command = {
  name: ['inspect'],
  summary: 'describe an image as JSON',
  usage: 'layerfs inspect [--store DIR] REF',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...storeOption } });
    if (positionals.length !== 1) throw new UsageError('inspect takes one REF');
    const store = await openCliStore(values, io);
    json(io, await store.inspect(positionals[0]!));
    return 0;
  },
};
export default command;
