import { UsageError, type Command } from '../command.js';
import { openStoreFrom, storeOption } from './_container.js';

/** `layerfs container create IMAGE [--name N] [-v VOLUME:/path]...`: prints the new container's id. */
const command: Command = {
  name: ['container', 'create'],
  summary: 'create a container (a writable layer on an image) and print its id',
  usage: 'layerfs container create [--store DIR] [--name NAME] [-v VOLUME:/PATH]... IMAGE',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...storeOption, name: { type: 'string' }, volume: { type: 'string', short: 'v', multiple: true } },
    });
    if (positionals.length !== 1) throw new UsageError('container create takes one IMAGE');
    const volumes: Record<string, string> = {};
    for (const v of values.volume ?? []) {
      const i = v.indexOf(':');
      if (i <= 0 || i === v.length - 1) throw new UsageError(`-v wants VOLUME:/PATH, got ${JSON.stringify(v)}`);
      volumes[v.slice(i + 1)] = v.slice(0, i);
    }
    const store = await openStoreFrom(values, io);
    const c = await store.createContainer(positionals[0]!, { ...(values.name ? { name: values.name } : {}), volumes });
    io.stdout.write(`${c.id}\n`);
    return 0;
  },
};
export default command;
