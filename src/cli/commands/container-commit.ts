import { UsageError, type Command } from '../command.js';
import { openStoreFrom, storeOption } from './_container.js';

/** `layerfs container commit ID|NAME [TAG] [-m MESSAGE] [-a AUTHOR]`: prints the new image id. */
const command: Command = {
  name: ['container', 'commit'],
  summary: "make a new image from a container's changes",
  usage: 'layerfs container commit [--store DIR] [-m MESSAGE] [-a AUTHOR] ID|NAME [NAME[:TAG]]',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...storeOption, message: { type: 'string', short: 'm' }, author: { type: 'string', short: 'a' } },
    });
    if (positionals.length < 1 || positionals.length > 2) throw new UsageError('container commit takes ID|NAME and an optional TAG');
    const store = await openStoreFrom(values, io);
    const c = await store.container(positionals[0]!);
    const img = await c.commit({
      ...(positionals[1] ? { tag: positionals[1] } : {}),
      ...(values.message !== undefined ? { message: values.message } : {}),
      ...(values.author !== undefined ? { author: values.author } : {}),
    });
    io.stdout.write(`${img.id}\n`);
    return 0;
  },
};
export default command;
