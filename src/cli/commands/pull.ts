import { UsageError, type Command } from '../command.js';
import { progressReporter } from '../progress.js';
import { timeoutFrom, timeoutOption } from './_registry.js';

/**
 * `layerfs pull [--platform os/arch[/variant]] [--creds user:pass] [--insecure]
 * docker://HOST/REPO[:TAG|@DIGEST] [NAME[:TAG]]`: download an image into the
 * store (only the blobs it lacks), verified, and tag it.
 */
const command: Command = {
  name: ['pull'],
  summary: 'pull an image from a registry into the store',
  usage:
    'layerfs pull [--store DIR] [--platform os/arch[/variant]] [--creds USER:PASS] [--insecure] [--timeout SECONDS] [--quiet] docker://HOST/REPO[:TAG|@DIGEST] [NAME[:TAG]]',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        store: { type: 'string' },
        platform: { type: 'string' },
        creds: { type: 'string' },
        insecure: { type: 'boolean', default: false },
        ...timeoutOption,
        quiet: { type: 'boolean', short: 'q', default: false },
      },
    });
    if (positionals.length < 1 || positionals.length > 2) throw new UsageError('give a registry reference and optionally a local name');
    const timeout = timeoutFrom(values);
    const { openStore, pullImage, parseDockerReference, nodeCredentials } = await import('../../node.js');
    const ref = parseDockerReference(positionals[0]!, { defaultRegistry: io.env.LAYERFS_DEFAULT_REGISTRY || undefined });
    const store = await openStore(values.store, io.env);
    const progress = progressReporter(io, 'pulling', { quiet: values.quiet });
    const r = await pullImage(store, ref, {
      platform: values.platform,
      insecure: values.insecure,
      ...timeout,
      credentials: nodeCredentials({ creds: values.creds, env: io.env }),
      names: positionals[1] ? [positionals[1]] : undefined,
      onProgress: (e) => progress.onProgress(e),
    });
    progress.finish();
    const named = r.names.length ? r.names.join(', ') : '(untagged)';
    io.stdout.write(`${r.reference}\n`);
    io.stderr.write(`pulled ${named}: ${r.downloaded} blob(s) downloaded, ${r.skipped} already in the store\n`);
    return 0;
  },
};
export default command;
