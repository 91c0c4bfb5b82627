import { UsageError, type Command } from '../command.js';
import { humanSize, json, openCliStore, shortId, storeOption, table } from './_store.js';

/** `layerfs history REF`: the config's history, newest first (docker history), with the layer each step made. */
const command: Command = {
  name: ['history'],
  summary: 'show how an image was built, layer by layer',
  usage: 'layerfs history [--json] [--store DIR] REF',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...storeOption, json: { type: 'boolean' } } });
    if (positionals.length !== 1) throw new UsageError('history takes one REF');
    const store = await openCliStore(values, io);
    const items = (await store.history(positionals[0]!)).reverse();
    if (values.json) {
      json(io, items);
      return 0;
    }
    const rows = [['LAYER', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT']];
    for (const h of items) {
      rows.push([h.layer ? shortId(h.layer.digest) : '<empty>', h.created ?? '', (h.created_by ?? '').slice(0, 60), h.layer ? humanSize(h.layer.size) : '0B', h.comment ?? '']);
    }
    io.stdout.write(table(rows));
    return 0;
  },
};
export default command;
