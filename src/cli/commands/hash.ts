import { UsageError, type Command } from '../command.js';

/**
 * `layerfs hash [--algorithm sha256|sha512] FILE...` prints `DIGEST  FILE`
 * lines, like sha256sum with the OCI digest form.
 */
const command: Command = {
  name: ['hash'],
  summary: 'print the OCI digest of files (or stdin with -)',
  usage: 'layerfs hash [--algorithm sha256|sha512] FILE|- ...',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { algorithm: { type: 'string', short: 'a', default: 'sha256' } },
    });
    if (positionals.length === 0) throw new UsageError('no file given');
    const algorithm = values.algorithm;
    if (algorithm !== 'sha256' && algorithm !== 'sha512') throw new UsageError(`unknown algorithm ${algorithm}`);
    const { createReadStream } = await import('node:fs');
    const { Readable } = await import('node:stream');
    const { createHasher } = await import('../../digest/index.js');
    for (const file of positionals) {
      const nodeStream = file === '-' ? io.stdin : createReadStream(file);
      const hasher = await createHasher(algorithm);
      for await (const chunk of Readable.from(nodeStream as AsyncIterable<Uint8Array>)) hasher.update(chunk as Uint8Array);
      io.stdout.write(`${hasher.digest()}  ${file}\n`);
    }
    return 0;
  },
};
export default command;
