import { UsageError, type Command } from '../command.js';
import { timeoutFrom, timeoutOption } from './_registry.js';
import { openCliStore, shortId, storeOption } from './_store.js';

/** `layerfs copy SRC DST`: any transport to any (skopeo copy). */
const command: Command = {
  name: ['copy'],
  summary: 'copy an image between transports (oci:, oci-archive:, docker-archive:, docker://, the store)',
  usage: 'layerfs copy [--platform os/arch[/variant]] [--store DIR] [--creds USER:PASS] [--insecure] [--timeout SECONDS] [--compress gzip|zstd] SRC DST\n  SRC, DST: oci:DIR[:TAG] | oci-archive:FILE[:TAG] | docker-archive:FILE[:REF] | docker://HOST/REPO[:TAG] | NAME[:TAG]',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...storeOption, platform: { type: 'string' }, creds: { type: 'string' }, insecure: { type: 'boolean', default: false }, ...timeoutOption, compress: { type: 'string' } } });
    const timeout = timeoutFrom(values);
    if (values.compress !== undefined && values.compress !== 'gzip' && values.compress !== 'zstd') throw new UsageError('--compress takes gzip or zstd');
    if (positionals.length !== 2) throw new UsageError('copy takes SRC and DST');
    const store = await openCliStore(values, io);
    // docker:// ends: credentials from --creds, LAYERFS_AUTH or ~/.docker/config.json; --insecure allows plain http.
    const { nodeCredentials } = await import('../../node.js');
    const registry = { credentials: nodeCredentials({ creds: values.creds, env: io.env }), insecure: values.insecure, ...timeout };
    const r = await store.copy(positionals[0]!, positionals[1]!, {
      ...registry,
      ...(values.platform ? { platform: values.platform } : {}),
      ...(values.compress ? { compress: values.compress as 'gzip' | 'zstd' } : {}),
    });
    io.stdout.write(`copied ${r.digest} (image ${shortId(r.id)}): ${r.copiedBlobs} blobs sent, ${r.skippedBlobs} already there\n`);
    return 0;
  },
};
export default command;
