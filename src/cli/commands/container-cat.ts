import { UsageError, type Command } from '../command.js';
import { openStoreFrom, storeOption } from './_container.js';

/** `layerfs container cat C PATH`: a file as the container sees it. */
const command: Command = {
  name: ['container', 'cat'],
  summary: 'print a file of a container',
  usage: 'layerfs container cat [--store DIR] ID|NAME PATH',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...storeOption } });
    if (positionals.length !== 2) throw new UsageError('container cat takes ID|NAME and PATH');
    const store = await openStoreFrom(values, io);
    io.stdout.write(await (await store.container(positionals[0]!)).readFile(positionals[1]!));
    return 0;
  },
};
export default command;
