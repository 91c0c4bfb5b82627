import { UsageError, type Command } from '../command.js';
import { openStoreFrom, storeOption } from './_container.js';

/** `layerfs volume rm NAME... [--force]`: refused while a container mounts the volume, unless forced. */
const command: Command = {
  name: ['volume', 'rm'],
  summary: 'remove volumes (refused while mounted, unless --force)',
  usage: 'layerfs volume rm [--store DIR] [-f|--force] NAME...',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...storeOption, force: { type: 'boolean', short: 'f' } } });
    if (positionals.length === 0) throw new UsageError('volume rm takes at least one NAME');
    const store = await openStoreFrom(values, io);
    for (const n of positionals) {
      await store.removeVolume(n, { force: !!values.force });
      io.stdout.write(`${n}\n`);
    }
    return 0;
  },
};
export default command;
