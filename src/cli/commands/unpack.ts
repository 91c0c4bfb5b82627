import { UsageError, type Command } from '../command.js';
import { openCliStore, storeOption } from './_store.js';

/** `layerfs unpack REF DIR`: the merged root filesystem (the tree `umoci unpack` gives in rootfs/). */
const command: Command = {
  name: ['unpack'],
  summary: "write an image's root filesystem into a directory",
  usage: 'layerfs unpack [--store DIR] REF DIR',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...storeOption } });
    if (positionals.length !== 2) throw new UsageError('unpack takes REF and DIR');
    const { NodeDirTree } = await import('../../node.js');
    const fs = await import('node:fs/promises');
    await fs.mkdir(positionals[1]!, { recursive: true });
    const store = await openCliStore(values, io);
    const stats = await store.unpack(positionals[0]!, new NodeDirTree(positionals[1]!));
    io.stdout.write(`unpacked ${stats.length} layers, ${stats.reduce((n, s) => n + s.entries, 0)} entries into ${positionals[1]}\n`);
    return 0;
  },
};
export default command;
