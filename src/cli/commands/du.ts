import type { Command } from '../command.js';
import { humanSize, json, openCliStore, shortId, storeOption, table } from './_store.js';

/** `layerfs du`: per image, bytes shared with other images and bytes only it uses. */
const command: Command = {
  name: ['du'],
  summary: 'disk usage of the store: per image, shared and unique bytes',
  usage: 'layerfs du [--json] [--store DIR]',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values } = parseArgs({ args, options: { ...storeOption, json: { type: 'boolean' } } });
    const store = await openCliStore(values, io);
    const du = await store.du();
    if (values.json) {
      json(io, du);
      return 0;
    }
    const rows = [['IMAGE ID', 'NAMES', 'SIZE', 'SHARED', 'UNIQUE']];
    for (const i of du.images) rows.push([shortId(i.id), i.names.join(','), humanSize(i.size), humanSize(i.shared), humanSize(i.unique)]);
    io.stdout.write(table(rows));
    io.stdout.write(`\nblobs: ${du.blobCount}, ${humanSize(du.blobs)} total, ${humanSize(du.reclaimable)} reclaimable by gc\n`);
    if (du.layerTars.count > 0) io.stdout.write(`layers kept uncompressed for container reads: ${du.layerTars.count}, ${humanSize(du.layerTars.bytes)}\n`);
    return 0;
  },
};
export default command;
