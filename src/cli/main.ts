/**
 * Entry of the `layerfs` command: finds the command whose words match the
 * longest prefix of argv, runs it, and turns errors into one line and an
 * exit code (2 usage, 1 a LayerfsError, 70 a bug).
 */
import { LayerfsError } from '../errors/LayerfsError.js';
import { UsageError, type Command, type CliIO } from './command.js';
import { commandLoaders } from './commands/index.js';

async function loadCommands(): Promise<Command[]> {
  return (await Promise.all(commandLoaders.map((l) => l()))).map((m) => m.default);
}

function match(commands: Command[], argv: string[]): { cmd: Command; rest: string[] } | undefined {
  let best: { cmd: Command; rest: string[] } | undefined;
  for (const cmd of commands) {
    const n = cmd.name.length;
    if (n <= argv.length && cmd.name.every((w, i) => argv[i] === w)) {
      if (!best || n > best.cmd.name.length) best = { cmd, rest: argv.slice(n) };
    }
  }
  return best;
}

function helpText(commands: Command[]): string {
  const rows = commands
    .map((c) => [c.name.join(' '), c.summary] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const w = Math.max(...rows.map((r) => r[0].length));
  return (
    'layerfs — daemonless container images\n\nUsage: layerfs COMMAND [ARGS]\n\nCommands:\n' +
    rows.map(([n, s]) => `  ${n.padEnd(w)}  ${s}`).join('\n') +
    '\n\nGlobal options: --store DIR, before or after the command (the store; default $LAYERFS_HOME or ~/.local/share/layerfs)\n' +
    'Run `layerfs help COMMAND` or `layerfs COMMAND --help` for its usage.\n'
  );
}

/**
 * `--store DIR` before the command (`layerfs --store DIR images`, the place
 * docker's and skopeo's global flags go) applies to every command: it is
 * passed on as LAYERFS_HOME, the store every command opens when it is not
 * given its own `--store`.
 */
function takeGlobalOptions(argv: string[], io: CliIO): string[] | undefined {
  let i = 0;
  while (i < argv.length) {
    const a = argv[i]!;
    let dir: string | undefined;
    if (a === '--store' && i + 1 < argv.length) {
      dir = argv[i + 1]!;
      i += 2;
    } else if (a.startsWith('--store=')) {
      dir = a.slice('--store='.length);
      i += 1;
    } else break;
    if (dir === '') return undefined;
    io.env = { ...io.env, LAYERFS_HOME: dir };
  }
  return argv.slice(i);
}

export async function main(argv: string[], io?: Partial<CliIO>): Promise<number> {
  const full: CliIO = {
    stdout: io?.stdout ?? process.stdout,
    stderr: io?.stderr ?? process.stderr,
    stdin: io?.stdin ?? process.stdin,
    env: io?.env ?? process.env,
  };
  const commands = await loadCommands();
  const rest = takeGlobalOptions(argv, full);
  if (!rest) {
    full.stderr.write(`layerfs: --store needs a directory\n\n${helpText(commands)}`);
    return 2;
  }
  argv = rest;
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    const topic = argv.slice(1);
    const m = topic.length ? match(commands, topic) : undefined;
    full.stdout.write(m ? `${m.cmd.usage}\n` : helpText(commands));
    return 0;
  }
  if (argv[0] === '--version') {
    full.stdout.write('layerfs 0.1.0\n');
    return 0;
  }
  const m = match(commands, argv);
  if (!m) {
    full.stderr.write(`layerfs: unknown command '${argv[0]}'\n\n${helpText(commands)}`);
    return 2;
  }
  // `layerfs COMMAND --help` (or -h) prints that command's usage, as
  // `docker ps --help` does; after `--` it is an argument like any other.
  const end = m.rest.indexOf('--');
  if (m.rest.slice(0, end < 0 ? undefined : end).some((a) => a === '--help' || a === '-h')) {
    full.stdout.write(`usage: ${m.cmd.usage}\n`);
    return 0;
  }
  try {
    return await m.cmd.run(m.rest, full);
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
      full.stderr.write(`layerfs: ${e.message}\nusage: ${m.cmd.usage}\n`);
      return 2;
    }
    if (e instanceof LayerfsError) {
      const where = typeof e.data.path === 'string' ? ` (${e.data.path})` : '';
      full.stderr.write(`layerfs: ${e.code}: ${e.message}${where}\n`);
      return 1;
    }
    throw e;
  }
}
