import { UsageError, type Command } from '../command.js';
import { openStoreFrom, storeOption } from './_container.js';

/** `layerfs container diff ID|NAME [--json]`: `A|C|D /path` lines, as `docker diff` prints. */
const command: Command = {
  name: ['container', 'diff'],
  summary: "list a container's changes against its image (A added, C changed, D deleted)",
  usage: 'layerfs container diff [--store DIR] [--json] ID|NAME',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...storeOption, json: { type: 'boolean' } } });
    if (positionals.length !== 1) throw new UsageError('container diff takes one ID or NAME');
    const store = await openStoreFrom(values, io);
    const changes = await (await store.container(positionals[0]!)).diff();
    if (values.json) io.stdout.write(`${JSON.stringify(changes, null, 2)}\n`);
    else io.stdout.write(changes.map((c) => `${c.kind} ${c.path}\n`).join(''));
    return 0;
  },
};
export default command;
