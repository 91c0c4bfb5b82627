import { UsageError, type Command } from '../command.js';
import { openCliStore, shortId, storeOption } from './_store.js';

/** `layerfs save REF DST`: copy out of the store. A DST without a transport is a docker-archive file (docker save). */
const command: Command = {
  name: ['save'],
  summary: 'save an image from the store (to oci:, oci-archive:, docker-archive:, docker://)',
  usage: 'layerfs save [--store DIR] REF DST   (DST without a transport: docker-archive:DST:REF)',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...storeOption } });
    if (positionals.length !== 2) throw new UsageError('save takes REF and DST');
    const [ref, dst] = positionals as [string, string];
    const store = await openCliStore(values, io);
    const target = /^(oci|oci-archive|docker-archive):|^docker:\/\//.test(dst) ? dst : `docker-archive:${dst}${/^[0-9a-f]{4,}$|^sha(256|512):/.test(ref) ? '' : `:${ref}`}`;
    const r = await store.copy(ref, target);
    io.stdout.write(`saved ${ref} (${shortId(r.id)}) to ${target}\n`);
    return 0;
  },
};
export default command;
