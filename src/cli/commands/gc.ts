import type { Command } from '../command.js';
import { humanSize, openCliStore, storeOption } from './_store.js';

/** `layerfs gc`: remove blobs no name or record reaches, and stale temporary files. */
const command: Command = {
  name: ['gc'],
  summary: 'remove unreferenced blobs and stale temporary files from the store',
  usage: 'layerfs gc [--store DIR]',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values } = parseArgs({ args, options: { ...storeOption } });
    const store = await openCliStore(values, io);
    const r = await store.gc();
    const tars = r.removedLayerTars ? `, ${r.removedLayerTars} kept layer tars` : '';
    io.stdout.write(`removed ${r.removedBlobs.length} blobs, ${r.removedTemp} temporary files, ${r.removedRecords} layer indexes${tars}: ${humanSize(r.removedBytes)} freed\n`);
    return 0;
  },
};
export default command;
