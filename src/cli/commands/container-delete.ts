import { UsageError, type Command } from '../command.js';
import { openStoreFrom, storeOption } from './_container.js';

/** `layerfs container delete C PATH [-r] [-f]`: removes a path (a whiteout when it comes from the image). */
const command: Command = {
  name: ['container', 'delete'],
  summary: 'delete a path in a container',
  usage: 'layerfs container delete [--store DIR] [-r] [-f] ID|NAME PATH',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...storeOption, recursive: { type: 'boolean', short: 'r' }, force: { type: 'boolean', short: 'f' } },
    });
    if (positionals.length !== 2) throw new UsageError('container delete takes ID|NAME and PATH');
    const store = await openStoreFrom(values, io);
    const c = await store.container(positionals[0]!);
    await c.rm(positionals[1]!, { recursive: !!values.recursive, force: !!values.force });
    return 0;
  },
};
export default command;
