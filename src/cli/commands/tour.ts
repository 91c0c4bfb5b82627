import { UsageError, type CliIO, type Command } from '../command.js';
import { storeOption } from './_store.js';

/**
 * `layerfs tour [--store DIR] [--layout DIR]` — what `npm start` runs: the
 * main job on the default store, step by step, through the same commands a
 * user types (each printed with a `$` before it), then the hash and diff
 * throughput of this machine.
 */

const TOUR_CONTAINERS = ['tour-a', 'tour-b'];

async function mibPerSec(bytes: number, fn: () => Promise<unknown>): Promise<string> {
  await fn(); // warm: loads the Wasm core, JITs the glue
  const rounds = 3;
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return `${(bytes / 2 ** 20 / (best / 1000)).toFixed(0)} MiB/s`;
}

async function throughput(io: CliIO): Promise<void> {
  const { sha256, sha256Many, MemoryTree, diffTrees } = await import('../../index.js');
  const big = new Uint8Array(64 * 2 ** 20);
  for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
  io.stdout.write(`  sha256, one 64 MiB buffer (auto backend):       ${await mibPerSec(big.length, () => sha256(big))}\n`);
  const small = Array.from({ length: 4096 }, (_, i) => big.subarray(i * 4096, i * 4096 + 4096));
  io.stdout.write(`  sha256Many, 4,096 inputs of 4 KiB (multi-buffer): ${await mibPerSec(4096 * 4096, () => sha256Many(small, { backend: 'wasm' }))}\n`);

  // Two trees of 2,000 files; the upper changes 5 % and deletes 2 %, as the diff benchmark does at scale.
  const files = 2000;
  const body = (i: number, v: number) => big.subarray(i * 4096, i * 4096 + 4096 + (v ? 1 : 0));
  const lowerSpecs = Array.from({ length: files }, (_, i) => ({ path: `d${i % 20}/f${i}`, content: body(i, 0), mtime: 1 }));
  const upperSpecs = lowerSpecs
    .filter((_, i) => i % 50 !== 0)
    .map((s, i) => (i % 20 === 0 ? { ...s, content: body(i, 1), mtime: 2 } : s));
  const lower = await MemoryTree.from(lowerSpecs);
  const upper = await MemoryTree.from(upperSpecs);
  const bytes = upperSpecs.reduce((n, s) => n + s.content.length, 0);
  io.stdout.write(`  diffTrees, ${files} files -> gzip layer:           ${await mibPerSec(bytes, () => diffTrees(lower, upper, { compression: 'gzip' }))} of tree scanned\n`);
}

const command: Command = {
  name: ['tour'],
  summary: 'the main job on the default store, step by step (what `npm start` runs)',
  usage: 'layerfs tour [--store DIR] [--layout DIR]',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...storeOption, layout: { type: 'string' } } });
    if (positionals.length) throw new UsageError('tour takes no arguments');
    const { fileURLToPath } = await import('node:url');
    const { rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join, resolve } = await import('node:path');
    const { Readable } = await import('node:stream');
    const { openStore, defaultStoreDir, isLayerfsError } = await import('../../node.js');
    const { main } = await import('../main.js');

    const storeDir = resolve(values.store ?? defaultStoreDir(io.env));
    const layoutDir = resolve(values.layout ?? join(tmpdir(), 'layerfs-tour', 'hello-oci'));
    const example = fileURLToPath(new URL('../../../examples/hello', import.meta.url));
    const t0 = performance.now();

    const step = async (title: string, argv: string[], stdin?: string): Promise<void> => {
      io.stdout.write(`${title ? `\n# ${title}\n` : ''}$ layerfs ${argv.join(' ')}\n`);
      const sub: Partial<CliIO> = { ...io, ...(stdin !== undefined ? { stdin: Readable.from([Buffer.from(stdin)]) } : {}) };
      const code = await main([...argv, '--store', storeDir], sub);
      if (code !== 0) throw new Error(`the tour stopped: \`layerfs ${argv.join(' ')}\` exited with ${code}`);
    };

    io.stdout.write(`layerfs tour — store: ${storeDir}\n`);
    // A tour run before left its two containers: start from a clean pair.
    const store = await openStore(storeDir, io.env);
    for (const name of TOUR_CONTAINERS) {
      try {
        await store.removeContainer(name);
      } catch (e) {
        if (!isLayerfsError(e, 'NOT_FOUND')) throw e;
      }
    }

    await step('Build an image from the bundled example (COPY/ENV/WORKDIR/...; a second run is all CACHED)', [
      'build', '-t', 'hello:latest', '--source-date-epoch', '1700000000', example,
    ]);
    await step('Two containers from one image, each with its own writable layer', ['container', 'create', '--name', 'tour-a', 'hello:latest']);
    await step('', ['container', 'create', '--name', 'tour-b', 'hello:latest']);
    await step('Write a file and delete an image file in tour-a (copy-up, whiteout)', ['container', 'write', 'tour-a', '/srv/hello/NOTE.txt'], 'written in tour-a\n');
    await step('', ['container', 'delete', 'tour-a', '/srv/hello/static/notes.txt']);
    await step('What changed in tour-a, as `docker diff` shows it', ['container', 'diff', 'tour-a']);
    await step('tour-b still sees the image as it is', ['container', 'ls-files', 'tour-b', '/srv/hello/static']);
    await step('Commit tour-a: its writable layer becomes a new layer of a new image', [
      'container', 'commit', '-m', 'tour: add NOTE.txt, delete static/notes.txt', 'tour-a', 'hello:edited',
    ]);
    await step('The history of the new image', ['history', 'hello:edited']);
    await step('Its merged tree, with the layer each entry comes from', ['ls', '-R', '--origin', 'hello:edited']);
    await step('Disk use: the two images share their base layers', ['du']);
    await rm(layoutDir, { recursive: true, force: true });
    await step('Save the new image as an OCI image layout', ['save', 'hello:edited', `oci:${layoutDir}:edited`]);

    io.stdout.write(`\n# Throughput on this machine\n`);
    await throughput(io);

    io.stdout.write(
      `\nDone in ${((performance.now() - t0) / 1000).toFixed(1)} s.\n` +
        `  store:  ${storeDir}  (set LAYERFS_HOME or --store to use another)\n` +
        `  layout: ${layoutDir}  (try: umoci unpack --image ${layoutDir}:edited bundle)\n` +
        `  the containers tour-a and tour-b are still there: layerfs container ls\n`,
    );
    return 0;
  },
};
export default command;
