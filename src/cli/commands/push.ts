import { UsageError, type Command } from '../command.js';
import { progressReporter } from '../progress.js';
import { timeoutFrom, timeoutOption } from './_registry.js';

/**
 * `layerfs push [--creds user:pass] [--insecure] REF docker://HOST/REPO[:TAG]`:
 * upload a store image; blobs the registry has are skipped, blobs another
 * repository there holds are mounted, the manifest goes last.
 */
const command: Command = {
  name: ['push'],
  summary: 'push a store image to a registry',
  usage: 'layerfs push [--store DIR] [--creds USER:PASS] [--insecure] [--timeout SECONDS] [--quiet] REF docker://HOST/REPO[:TAG]',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        store: { type: 'string' },
        creds: { type: 'string' },
        insecure: { type: 'boolean', default: false },
        ...timeoutOption,
        quiet: { type: 'boolean', short: 'q', default: false },
      },
    });
    if (positionals.length !== 2) throw new UsageError('give a local image and a registry reference');
    const timeout = timeoutFrom(values);
    const { openStore, pushImage, parseDockerReference, nodeCredentials } = await import('../../node.js');
    const ref = parseDockerReference(positionals[1]!, { defaultRegistry: io.env.LAYERFS_DEFAULT_REGISTRY || undefined });
    const store = await openStore(values.store, io.env);
    const progress = progressReporter(io, 'pushing', { quiet: values.quiet });
    const r = await pushImage(store, positionals[0]!, ref, {
      insecure: values.insecure,
      ...timeout,
      credentials: nodeCredentials({ creds: values.creds, env: io.env }),
      onProgress: (e) => progress.onProgress(e),
    });
    progress.finish();
    io.stdout.write(`${r.reference}\n`);
    io.stderr.write(`pushed ${ref}: ${r.uploaded} blob(s) uploaded, ${r.mounted} mounted, ${r.skipped} already there\n`);
    return 0;
  },
};
export default command;
