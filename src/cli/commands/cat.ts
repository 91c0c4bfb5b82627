import { UsageError, type Command } from '../command.js';
import { openCliStore, storeOption } from './_store.js';

/** `layerfs cat REF PATH`: a file of an image, read straight out of its layer (symlinks followed inside the root). */
const command: Command = {
  name: ['cat'],
  summary: 'print a file of an image without unpacking it',
  usage: 'layerfs cat [--store DIR] REF PATH',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...storeOption } });
    if (positionals.length !== 2) throw new UsageError('cat takes REF and PATH');
    const { cleanPath } = await import('../../node.js');
    const store = await openCliStore(values, io);
    const view = await store.view(positionals[0]!);
    io.stdout.write(await view.readFile(cleanPath(positionals[1]!)));
    return 0;
  },
};
export default command;
