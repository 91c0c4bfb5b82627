import { UsageError, type Command } from '../command.js';
import { openCliStore, shortId, storeOption } from './_store.js';

/** `layerfs copy SRC DST`: any transport to any (skopeo copy). */
const command: Command = {
  name: ['copy'],
  summary: 'copy an image between transports (oci:, oci-archive:, docker-archive:, docker://, the store)',
  usage: 'layerfs copy [--platform os/arch[/variant]] [--store DIR] SRC DST\n  SRC, DST: oci:DIR[:TAG] | oci-archive:FILE[:TAG] | docker-archive:FILE[:REF] | docker://HOST/REPO[:TAG] | NAME[:TAG]',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...storeOption, platform: { type: 'string' } } });
    if (positionals.length !== 2) throw new UsageError('copy takes SRC and DST');
    const store = await openCliStore(values, io);
    const r = await store.copy(positionals[0]!, positionals[1]!, values.platform ? { platform: values.platform } : {});
    io.stdout.write(`copied ${r.digest} (image ${shortId(r.id)}): ${r.copiedBlobs} blobs sent, ${r.skippedBlobs} already there\n`);
    return 0;
  },
};
export default command;
