import type { Command } from '../command.js';
import { openStoreFrom, storeOption } from './_container.js';

/** `layerfs container ls [--json]`: like `docker ps -a`. */
const command: Command = {
  name: ['container', 'ls'],
  summary: 'list containers',
  usage: 'layerfs container ls [--store DIR] [--json]',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values } = parseArgs({ args, options: { ...storeOption, json: { type: 'boolean' } } });
    const store = await openStoreFrom(values, io);
    const list = await store.containers();
    if (values.json) {
      io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      return 0;
    }
    const rows = [['CONTAINER ID', 'IMAGE', 'CREATED', 'VOLUMES', 'NAME']];
    for (const c of list) {
      const vols = Object.entries(c.volumes).map(([m, v]) => `${v}:/${m}`).join(',');
      rows.push([c.id.slice(0, 12), c.imageRef, c.created, vols, c.name]);
    }
    const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    io.stdout.write(rows.map((r) => r.map((x, i) => (i === r.length - 1 ? x : x.padEnd(w[i]!))).join('   ')).join('\n') + '\n');
    return 0;
  },
};
export default command;
