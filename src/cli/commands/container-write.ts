import { UsageError, type Command } from '../command.js';
import { openStoreFrom, readStdin, storeOption } from './_container.js';

/** `layerfs container write C PATH < content`: writes stdin to a file of the container. */
const command: Command = {
  name: ['container', 'write'],
  summary: 'write stdin to a file of a container',
  usage: 'layerfs container write [--store DIR] [--mode OCTAL] ID|NAME PATH',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...storeOption, mode: { type: 'string' } } });
    if (positionals.length !== 2) throw new UsageError('container write takes ID|NAME and PATH');
    let mode: number | undefined;
    if (values.mode !== undefined) {
      if (!/^[0-7]{1,4}$/.test(values.mode)) throw new UsageError(`--mode wants octal permission bits, got ${values.mode}`);
      mode = parseInt(values.mode, 8);
    }
    const store = await openStoreFrom(values, io);
    const c = await store.container(positionals[0]!);
    await c.writeFile(positionals[1]!, await readStdin(io), mode === undefined ? {} : { mode });
    return 0;
  },
};
export default command;
