import { UsageError, type Command } from '../command.js';
import { timeoutFrom, timeoutOption } from './_registry.js';

/** `layerfs ls-tags [--creds user:pass] [--insecure] docker://HOST/REPO`: the repository's tags, one a line. */
const command: Command = {
  name: ['ls-tags'],
  summary: 'list the tags of a registry repository',
  usage: 'layerfs ls-tags [--creds USER:PASS] [--insecure] [--timeout SECONDS] [--json] docker://HOST/REPO',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        creds: { type: 'string' },
        insecure: { type: 'boolean', default: false },
        ...timeoutOption,
        json: { type: 'boolean', default: false },
      },
    });
    if (positionals.length !== 1) throw new UsageError('give one repository');
    const timeout = timeoutFrom(values);
    const { RegistryClient, parseDockerReference, nodeCredentials } = await import('../../node.js');
    const ref = parseDockerReference(positionals[0]!, { defaultTag: null, defaultRegistry: io.env.LAYERFS_DEFAULT_REGISTRY || undefined });
    if (ref.reference) throw new UsageError('give a repository without a tag or digest');
    const client = new RegistryClient(ref.registry, { insecure: values.insecure, ...timeout, credentials: nodeCredentials({ creds: values.creds, env: io.env }) });
    const tags = await client.listTags(ref.repository);
    io.stdout.write(values.json ? `${JSON.stringify(tags)}\n` : tags.map((t) => `${t}\n`).join(''));
    return 0;
  },
};
export default command;
