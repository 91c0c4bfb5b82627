import { UsageError, type Command } from '../command.js';
import { openStoreFrom, storeOption } from './_container.js';

/** `layerfs container rm ID|NAME...`: removes containers and their writable layers (images and volumes stay). */
const command: Command = {
  name: ['container', 'rm'],
  summary: 'remove containers (their writable layers; images and volumes stay)',
  usage: 'layerfs container rm [--store DIR] ID|NAME...',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...storeOption } });
    if (positionals.length === 0) throw new UsageError('container rm takes at least one ID or NAME');
    const store = await openStoreFrom(values, io);
    for (const p of positionals) {
      const info = await store.removeContainer(p);
      io.stdout.write(`${info.name}\n`);
    }
    return 0;
  },
};
export default command;
