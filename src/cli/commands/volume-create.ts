import { UsageError, type Command } from '../command.js';
import { openStoreFrom, storeOption } from './_container.js';

/** `layerfs volume create NAME`. */
const command: Command = {
  name: ['volume', 'create'],
  summary: 'create a named volume',
  usage: 'layerfs volume create [--store DIR] NAME',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...storeOption } });
    if (positionals.length !== 1) throw new UsageError('volume create takes one NAME');
    const store = await openStoreFrom(values, io);
    io.stdout.write(`${(await store.createVolume(positionals[0]!)).name}\n`);
    return 0;
  },
};
export default command;
