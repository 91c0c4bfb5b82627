import type { Command } from '../command.js';
import { json, openCliStore, storeOption } from './_store.js';

/**
 * `layerfs fsck`: verify every blob, reference, manifest, config and
 * container writable layer; exit 1 when anything is wrong (as `git fsck`
 * does), after removing it with --repair.
 */
const command: Command = {
  name: ['fsck'],
  summary: 'verify the store (blobs, references, manifests, configs, containers); --repair removes what cannot be trusted',
  usage: 'layerfs fsck [--store DIR] [--repair] [--json]',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values } = parseArgs({ args, options: { ...storeOption, repair: { type: 'boolean' }, json: { type: 'boolean' } } });
    const store = await openCliStore(values, io);
    const { fsck } = await import('../../node.js');
    const r = await fsck(store, { repair: values.repair ?? false });
    if (values.json) json(io, r);
    else {
      for (const p of r.problems) io.stdout.write(`${p.code}\t${p.kind}\t${p.subject}\t${p.message}${p.repaired ? ' (removed)' : ''}\n`);
      io.stdout.write(`checked ${r.blobs} blobs, ${r.records} records, ${r.references} references, ${r.containers} containers: ${r.problems.length ? `${r.problems.length} problems` : 'ok'}\n`);
    }
    return r.ok ? 0 : 1;
  },
};
export default command;
