import { UsageError, type Command } from '../command.js';
import { openCliStore, storeOption } from './_store.js';

/** `layerfs rmi REF...`: remove names; blobs nothing else uses go with the last one. */
const command: Command = {
  name: ['rmi'],
  summary: 'remove image names (and the blobs no other image uses)',
  usage: 'layerfs rmi [-f|--force] [--store DIR] REF...',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...storeOption, force: { type: 'boolean', short: 'f' } } });
    if (positionals.length === 0) throw new UsageError('rmi takes at least one REF');
    const store = await openCliStore(values, io);
    for (const ref of positionals) {
      const r = await store.rmi(ref, { force: values.force });
      for (const n of r.untagged) io.stdout.write(`Untagged: ${n}\n`);
      for (const d of r.deleted) io.stdout.write(`Deleted: ${d}\n`);
    }
    return 0;
  },
};
export default command;
