import type { Command } from '../command.js';
import { openStoreFrom, storeOption } from './_container.js';

/** `layerfs volume ls [--json]`: volumes and the containers that mount them. */
const command: Command = {
  name: ['volume', 'ls'],
  summary: 'list volumes',
  usage: 'layerfs volume ls [--store DIR] [--json]',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values } = parseArgs({ args, options: { ...storeOption, json: { type: 'boolean' } } });
    const store = await openStoreFrom(values, io);
    const containers = await store.containers();
    const list = (await store.volumes()).map((v) => ({
      ...v,
      containers: containers.filter((c) => Object.values(c.volumes).includes(v.name)).map((c) => c.name),
    }));
    if (values.json) {
      io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      return 0;
    }
    const rows = [['VOLUME NAME', 'CREATED', 'CONTAINERS'], ...list.map((v) => [v.name, v.created, v.containers.join(',')])];
    const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    io.stdout.write(rows.map((r) => r.map((x, i) => (i === r.length - 1 ? x : x.padEnd(w[i]!))).join('   ')).join('\n') + '\n');
    return 0;
  },
};
export default command;
