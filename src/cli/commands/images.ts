import type { Command } from '../command.js';
import { humanSize, json, openCliStore, shortId, storeOption, table } from './_store.js';

/** `layerfs images [--json]`: one row per name, like `docker images`. */
const command: Command = {
  name: ['images'],
  summary: 'list the images in the store',
  usage: 'layerfs images [--json] [--store DIR]',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values } = parseArgs({ args, options: { ...storeOption, json: { type: 'boolean' } } });
    const store = await openCliStore(values, io);
    const list = await store.images();
    if (values.json) {
      json(io, list);
      return 0;
    }
    const rows = [['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'PLATFORM', 'SIZE']];
    for (const img of list) {
      for (const n of img.names) {
        const i = n.lastIndexOf(':');
        if (img.error) rows.push([n.slice(0, i), n.slice(i + 1), `<broken: ${img.error.split(':')[0]}>`, '', '', '']);
        else rows.push([n.slice(0, i), n.slice(i + 1), shortId(img.id), img.created ?? '', img.platform, humanSize(img.size)]);
      }
    }
    io.stdout.write(table(rows));
    return 0;
  },
};
export default command;
