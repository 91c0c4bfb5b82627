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
    const { NotFoundError } = await import('../../errors/NotFoundError.js');
    const { InvalidArgumentError } = await import('../../errors/InvalidArgumentError.js');
    for (const file of positionals) {
      const nodeStream = file === '-' ? io.stdin : createReadStream(file);
      const hasher = await createHasher(algorithm);
      try {
        for await (const chunk of Readable.from(nodeStream as AsyncIterable<Uint8Array>)) hasher.update(chunk as Uint8Array);
      } catch (e) {
        // A file the user named that cannot be read is their error, not a crash (exit 1, not 70).
        const code = (e as { code?: string }).code;
        if (code === 'ENOENT') throw new NotFoundError(`no such file: ${file}`, { path: file }, { cause: e });
        if (code === 'EISDIR' || code === 'EACCES' || code === 'EPERM') {
          throw new InvalidArgumentError(`cannot read ${file}: ${code === 'EISDIR' ? 'it is a directory' : 'permission denied'}`, { path: file }, { cause: e });
        }
        throw e;
      }
      io.stdout.write(`${hasher.digest()}  ${file}\n`);
    }
    return 0;
  },
};
export default command;
