import { UsageError, type Command } from '../command.js';
import { copyIn, copyOut, openStoreFrom, parseContainerPath, storeOption } from './_container.js';

/** `layerfs container cp SRC DST`: host path to `CONTAINER:/path` or back, files and directories (like docker cp). */
const command: Command = {
  name: ['container', 'cp'],
  summary: 'copy files or directories between the host and a container (C:/path)',
  usage: 'layerfs container cp [--store DIR] HOSTPATH CONTAINER:/PATH | CONTAINER:/PATH HOSTPATH',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...storeOption } });
    if (positionals.length !== 2) throw new UsageError('container cp takes SRC and DST');
    const src = parseContainerPath(positionals[0]!);
    const dst = parseContainerPath(positionals[1]!);
    if (!!src === !!dst) throw new UsageError('exactly one of SRC and DST must be CONTAINER:/PATH');
    const store = await openStoreFrom(values, io);
    if (dst) await copyIn(positionals[0]!, await store.container(dst.container), dst.path);
    else await copyOut(await store.container(src!.container), src!.path, positionals[1]!);
    return 0;
  },
};
export default command;
