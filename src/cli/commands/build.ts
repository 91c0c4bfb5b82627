import { UsageError, type Command, type CliIO } from '../command.js';
import { humanSize, openCliStore, shortId, storeOption } from './_store.js';

/**
 * `layerfs build [-f FILE] [-t NAME[:TAG]]... [--build-arg K=V]... [--no-cache]
 * [--source-date-epoch N] [--compression-level 1-9] [--platform P] [--target STAGE] [--store DIR] CONTEXT`
 *
 * One line per step, `[n/N] INSTRUCTION`, then CACHED or the time, and the
 * layer size for COPY/ADD; on a TTY a progress bar on stderr while a step
 * hashes or packs its files (as `docker build` shows). The image id goes
 * to stdout last, so `id=$(layerfs build -q .)` works.
 */

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}

function bar(io: CliIO) {
  const out = io.stderr;
  let shown = false;
  let last = 0;
  return {
    update(number: number, phase: string, done: number, total: number) {
      if (!out.isTTY || total < 8 * 1024 * 1024) return; // only large contexts get a bar
      const t = Date.now();
      if (t - last < 100 && done < total) return;
      last = t;
      const width = 30;
      const fill = Math.round((done / Math.max(total, 1)) * width);
      out.write(`\r\x1b[2K  #${number} ${phase === 'hash' ? 'hashing' : 'packing'} [${'='.repeat(fill)}${' '.repeat(width - fill)}] ${humanSize(done)}/${humanSize(total)}`);
      shown = true;
    },
    clear() {
      if (shown) out.write('\r\x1b[2K');
      shown = false;
    },
  };
}

const command: Command = {
  name: ['build'],
  summary: 'build an image from a Dockerfile (COPY/ADD/ENV/...; no RUN) with a layer cache',
  usage:
    'layerfs build [-f FILE] [-t NAME[:TAG]]... [--build-arg K=V]... [--no-cache] [--source-date-epoch N]\n' +
    '              [--compression-level 1-9] [--platform OS/ARCH] [--target STAGE] [-q] [--store DIR] CONTEXT',
  async run(args, io) {
    const { parseArgs } = await import('node:util');
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...storeOption,
        file: { type: 'string', short: 'f' },
        tag: { type: 'string', short: 't', multiple: true },
        'build-arg': { type: 'string', multiple: true },
        'no-cache': { type: 'boolean', default: false },
        'source-date-epoch': { type: 'string' },
        'compression-level': { type: 'string' },
        platform: { type: 'string' },
        target: { type: 'string' },
        quiet: { type: 'boolean', short: 'q', default: false },
      },
    });
    if (positionals.length !== 1) throw new UsageError('build takes one CONTEXT directory');
    const buildArgs: Record<string, string> = {};
    for (const a of values['build-arg'] ?? []) {
      const eq = a.indexOf('=');
      // As docker: `--build-arg NAME` takes the value from the environment (skipped when unset).
      if (eq < 0) {
        if (io.env[a] !== undefined) buildArgs[a] = io.env[a]!;
      } else if (eq === 0) throw new UsageError(`--build-arg ${a}: empty name`);
      else buildArgs[a.slice(0, eq)] = a.slice(eq + 1);
    }
    const epochText = values['source-date-epoch'] ?? io.env.SOURCE_DATE_EPOCH;
    let sourceDateEpoch: number | undefined;
    if (epochText !== undefined && epochText !== '') {
      if (!/^\d+$/.test(epochText)) throw new UsageError(`--source-date-epoch / SOURCE_DATE_EPOCH must be whole seconds, got ${JSON.stringify(epochText)}`);
      sourceDateEpoch = Number(epochText);
    }
    const levelText = values['compression-level'];
    // gzip levels as gzip(1) and Docker's compress/gzip take them; the build's default is 3 (BUILD_GZIP_LEVEL: umoci's ratio).
    if (levelText !== undefined && !/^[1-9]$/.test(levelText)) throw new UsageError(`--compression-level must be 1..9, got ${JSON.stringify(levelText)}`);
    let dockerfileText: string | undefined;
    if (values.file !== undefined && values.file !== '-') {
      const { readFile } = await import('node:fs/promises');
      try {
        dockerfileText = await readFile(values.file, 'utf8');
      } catch (e) {
        const { NotFoundError } = await import('../../node.js');
        throw new NotFoundError(`cannot read the Dockerfile ${values.file}: ${(e as Error).message}`, { path: values.file });
      }
    } else if (values.file === '-') {
      const chunks: Buffer[] = [];
      for await (const c of io.stdin as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
      dockerfileText = Buffer.concat(chunks).toString('utf8');
    }

    const store = await openCliStore(values, io);
    const p = bar(io);
    const quiet = values.quiet;
    const say = (s: string) => {
      if (!quiet) io.stdout.write(s);
    };
    const r = await store.build({
      context: positionals[0]!,
      dockerfileText,
      tag: values.tag,
      buildArgs,
      noCache: values['no-cache'],
      sourceDateEpoch,
      ...(levelText !== undefined ? { compressionLevel: Number(levelText) } : {}),
      platform: values.platform,
      target: values.target,
      onEvent(e) {
        switch (e.type) {
          case 'progress':
            if (!quiet) p.update(e.number, e.phase, e.done, e.total);
            break;
          case 'step-done': {
            p.clear();
            const size = e.layer ? `  ${humanSize(e.layer.size)}` : '';
            say(`[${e.number}/${e.total}] ${e.text}${e.cached ? '  CACHED' : ''}${size}  ${seconds(e.ms)}\n`);
            break;
          }
          case 'warning':
            p.clear();
            io.stderr.write(`warning: ${e.message}\n`);
            break;
        }
      },
    });
    say(`built ${shortId(r.id)} (manifest ${r.digest})${r.names.length ? `, tagged ${r.names.join(', ')}` : ''}\n`);
    io.stdout.write(`${r.id}\n`);
    return 0;
  },
};
export default command;
