/**
 * Turns a parsed stage into concrete steps before anything is built: every
 * variable is expanded (Dockerfile reference, "Environment replacement":
 * ENV values, then ARG values, in the instructions that support it), every
 * config change is computed, and each step gets the text that goes into the
 * cache key and into the history's `created_by` (BuildKit style:
 * `ENV A=b`, `COPY a /b`). Config changes follow Docker's builder: ENV
 * replaces a variable in place, shell forms run through SHELL (default
 * ["/bin/sh","-c"]), ENTRYPOINT clears a CMD inherited from the base image.
 */
import { BuildError } from '../errors/BuildError.js';
import type { ContainerConfig, ImageConfig } from '../image/types.js';
import type { Instruction, Stage } from './dockerfile/instructions.js';
import { expandWord, type Env } from './dockerfile/words.js';

export const DEFAULT_SHELL = ['/bin/sh', '-c'];

export interface CopyStep {
  add: boolean;
  /** Expanded sources as written (relative to the context). */
  sources: string[];
  /** Absolute destination, expanded; a trailing '/' is kept (it means "a directory"). */
  dest: string;
  chown?: string;
  chmod?: number;
}

export interface PlannedStep {
  /** 1-based position among the stage's instructions (FROM is 1). */
  number: number;
  instruction: Instruction;
  /** The instruction after expansion, as shown and as written to history. */
  text: string;
  kind: 'arg' | 'meta' | 'copy';
  /** Config change of a metadata step. */
  apply?: (config: ImageConfig) => void;
  copy?: CopyStep;
}

export interface StagePlan {
  fromText: string;
  steps: PlannedStep[];
  /** Build args that some ARG declared (the others are reported unused). */
  consumedArgs: Set<string>;
}

function envMap(config: ContainerConfig | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const kv of config?.Env ?? []) {
    const i = kv.indexOf('=');
    if (i > 0) m.set(kv.slice(0, i), kv.slice(i + 1));
  }
  return m;
}

function setEnv(c: ContainerConfig, key: string, value: string): void {
  const env = [...(c.Env ?? [])];
  const i = env.findIndex((kv) => kv.slice(0, kv.indexOf('=')) === key);
  if (i >= 0) env[i] = `${key}=${value}`;
  else env.push(`${key}=${value}`);
  c.Env = env;
}

/** POSIX-style join of an absolute directory and a path. */
export function resolveWorkdir(cwd: string, p: string): string {
  const full = p.startsWith('/') ? p : `${cwd.replace(/\/$/, '')}/${p}`;
  const out: string[] = [];
  for (const seg of full.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return `/${out.join('/')}`;
}

function quoteIfNeeded(v: string): string {
  return /[\s"'\\$]/.test(v) || v === '' ? JSON.stringify(v) : v;
}

function exposedPorts(words: string[], line: number): string[] {
  const out: string[] = [];
  for (const w of words) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(w);
    if (!m) throw new BuildError(`Dockerfile line ${line}: EXPOSE: invalid port ${JSON.stringify(w)}`, { line });
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a < 1 || b > 65535 || b < a) throw new BuildError(`Dockerfile line ${line}: EXPOSE: invalid port range ${JSON.stringify(w)}`, { line });
    const proto = (m[3] ?? 'tcp').toLowerCase();
    for (let p = a; p <= b; p++) out.push(`${p}/${proto}`);
  }
  return out;
}

export interface PlanInputs {
  stage: Stage;
  /** Config of the base image (its Env, WorkingDir, Shell, Cmd count). */
  baseConfig: ContainerConfig | undefined;
  /** Values of the ARGs declared before the first FROM. */
  globalArgs: Map<string, string>;
  buildArgs: Record<string, string>;
  escape: string;
}

/** Plan a stage. BuildError / DockerfileParseError (bad substitution) name the line. */
export function planStage(inp: PlanInputs): StagePlan {
  const { stage, escape } = inp;
  const cfg: ContainerConfig = JSON.parse(JSON.stringify(inp.baseConfig ?? {})) as ContainerConfig;
  const args = new Map<string, string>();
  const consumed = new Set<string>();
  let cmdSet = false;
  const env = (): Env => {
    const m = new Map(args);
    for (const [k, v] of envMap(cfg)) m.set(k, v);
    return m;
  };
  const steps: PlannedStep[] = [];
  let n = 1;
  for (const ins of stage.steps) {
    n++;
    const line = ins.raw.line;
    const x = (w: string) => expandWord(w, env(), { escape, line });
    const shell = () => (Array.isArray(cfg.Shell) && (cfg.Shell as string[]).length ? [...(cfg.Shell as string[])] : [...DEFAULT_SHELL]);
    let step: PlannedStep;
    switch (ins.kind) {
      case 'ARG': {
        const parts: string[] = [];
        for (const a of ins.args) {
          let v: string | undefined;
          if (Object.prototype.hasOwnProperty.call(inp.buildArgs, a.name)) {
            v = inp.buildArgs[a.name];
            consumed.add(a.name);
          } else if (a.value !== undefined) v = x(a.value);
          else v = inp.globalArgs.get(a.name);
          if (v !== undefined) args.set(a.name, v);
          parts.push(a.value !== undefined ? `${a.name}=${quoteIfNeeded(x(a.value))}` : a.name);
        }
        step = { number: n, instruction: ins, text: `ARG ${parts.join(' ')}`, kind: 'arg' };
        break;
      }
      case 'ENV': {
        const pairs = ins.pairs.map((p) => [x(p.key), x(p.value)] as const);
        for (const [k, v] of pairs) {
          if (k === '' || k.includes('=')) throw new BuildError(`Dockerfile line ${line}: ENV: invalid name ${JSON.stringify(k)}`, { line });
          setEnv(cfg, k, v);
        }
        step = {
          number: n,
          instruction: ins,
          text: `ENV ${pairs.map(([k, v]) => `${k}=${quoteIfNeeded(v)}`).join(' ')}`,
          kind: 'meta',
          apply: (c) => {
            const cc = (c.config ??= {});
            for (const [k, v] of pairs) setEnv(cc, k, v);
          },
        };
        break;
      }
      case 'LABEL': {
        const pairs = ins.pairs.map((p) => [x(p.key), x(p.value)] as const);
        step = {
          number: n,
          instruction: ins,
          text: `LABEL ${pairs.map(([k, v]) => `${quoteIfNeeded(k)}=${quoteIfNeeded(v)}`).join(' ')}`,
          kind: 'meta',
          apply: (c) => {
            const cc = (c.config ??= {});
            cc.Labels = { ...(cc.Labels ?? {}) };
            for (const [k, v] of pairs) cc.Labels[k] = v;
          },
        };
        break;
      }
      case 'WORKDIR': {
        const dir = resolveWorkdir(cfg.WorkingDir || '/', x(ins.path));
        cfg.WorkingDir = dir;
        step = { number: n, instruction: ins, text: `WORKDIR ${dir}`, kind: 'meta', apply: (c) => void ((c.config ??= {}).WorkingDir = dir) };
        break;
      }
      case 'USER': {
        const user = x(ins.user);
        if (user === '') throw new BuildError(`Dockerfile line ${line}: USER is empty after expansion`, { line });
        cfg.User = user;
        step = { number: n, instruction: ins, text: `USER ${user}`, kind: 'meta', apply: (c) => void ((c.config ??= {}).User = user) };
        break;
      }
      case 'EXPOSE': {
        const ports = exposedPorts(ins.ports.map(x), line);
        step = {
          number: n,
          instruction: ins,
          text: `EXPOSE ${ins.ports.map(x).join(' ')}`,
          kind: 'meta',
          apply: (c) => {
            const cc = (c.config ??= {});
            cc.ExposedPorts = { ...(cc.ExposedPorts ?? {}) };
            for (const p of ports) cc.ExposedPorts[p] = {};
          },
        };
        break;
      }
      case 'VOLUME': {
        const paths = ins.paths.map(x);
        if (paths.some((p) => p.trim() === '')) throw new BuildError(`Dockerfile line ${line}: VOLUME with an empty path`, { line });
        step = {
          number: n,
          instruction: ins,
          text: `VOLUME ${JSON.stringify(paths)}`,
          kind: 'meta',
          apply: (c) => {
            const cc = (c.config ??= {});
            cc.Volumes = { ...(cc.Volumes ?? {}) };
            for (const p of paths) cc.Volumes[p] = {};
          },
        };
        break;
      }
      case 'STOPSIGNAL': {
        const sig = x(ins.signal);
        if (!/^(SIG)?[A-Z0-9+-]+$/i.test(sig)) throw new BuildError(`Dockerfile line ${line}: STOPSIGNAL: invalid signal ${JSON.stringify(sig)}`, { line });
        step = { number: n, instruction: ins, text: `STOPSIGNAL ${sig}`, kind: 'meta', apply: (c) => void ((c.config ??= {}).StopSignal = sig) };
        break;
      }
      case 'CMD':
      case 'ENTRYPOINT': {
        const argv = ins.exec ?? [...shell(), ins.shell!];
        const isCmd = ins.kind === 'CMD';
        const clearCmd = !isCmd && !cmdSet;
        if (isCmd) cmdSet = true;
        step = {
          number: n,
          instruction: ins,
          text: `${ins.kind} ${JSON.stringify(argv)}`,
          kind: 'meta',
          apply: (c) => {
            const cc = (c.config ??= {});
            if (isCmd) cc.Cmd = argv;
            else {
              cc.Entrypoint = argv;
              // Docker: an ENTRYPOINT resets a CMD that came from the base image.
              if (clearCmd) delete cc.Cmd;
            }
          },
        };
        break;
      }
      case 'SHELL': {
        const sh = ins.shell;
        cfg.Shell = sh;
        step = { number: n, instruction: ins, text: `SHELL ${JSON.stringify(sh)}`, kind: 'meta', apply: (c) => void ((c.config ??= {}).Shell = sh) };
        break;
      }
      case 'MAINTAINER': {
        const name = ins.name;
        step = { number: n, instruction: ins, text: `MAINTAINER ${name}`, kind: 'meta', apply: (c) => void (c.author = name) };
        break;
      }
      case 'HEALTHCHECK':
        step = { number: n, instruction: ins, text: 'HEALTHCHECK NONE', kind: 'meta', apply: (c) => void ((c.config ??= {}).Healthcheck = { Test: ['NONE'] }) };
        break;
      case 'ONBUILD': {
        const trigger = ins.trigger;
        step = {
          number: n,
          instruction: ins,
          text: `ONBUILD ${trigger}`,
          kind: 'meta',
          apply: (c) => {
            const cc = (c.config ??= {});
            cc.OnBuild = [...((cc.OnBuild as string[] | undefined) ?? []), trigger];
          },
        };
        break;
      }
      case 'COPY':
      case 'ADD': {
        const sources = ins.sources.map((s) => (ins.exec ? expandWord(s.replace(/"/g, '\\"').replace(/'/g, "\\'"), env(), { escape: '\\', line }) : x(s)));
        const rawDest = ins.exec ? expandWord(ins.dest.replace(/"/g, '\\"').replace(/'/g, "\\'"), env(), { escape: '\\', line }) : x(ins.dest);
        if (rawDest === '') throw new BuildError(`Dockerfile line ${line}: ${ins.kind} destination is empty`, { line });
        for (const s of sources) {
          if (s === '') throw new BuildError(`Dockerfile line ${line}: ${ins.kind} source is empty`, { line });
          if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s) || s.startsWith('git@')) {
            throw new BuildError(`Dockerfile line ${line}: ${ins.kind} from a URL (${s}) is not supported; fetch it into the context first`, { line });
          }
        }
        const dest = rawDest.startsWith('/') ? rawDest : `${resolveWorkdir(cfg.WorkingDir || '/', rawDest)}${rawDest.endsWith('/') || rawDest === '.' ? '/' : ''}`;
        const copy: CopyStep = { add: ins.kind === 'ADD', sources, dest };
        const flags: string[] = [];
        if (ins.chown !== undefined) {
          copy.chown = x(ins.chown);
          flags.push(`--chown=${copy.chown}`);
        }
        if (ins.chmod !== undefined) {
          const m = x(ins.chmod);
          if (!/^[0-7]{3,4}$/.test(m)) throw new BuildError(`Dockerfile line ${line}: --chmod must be an octal mode, got ${JSON.stringify(m)}`, { line });
          copy.chmod = parseInt(m, 8);
          flags.push(`--chmod=${m}`);
        }
        const shown = [...sources, rawDest].map(quoteIfNeeded).join(' ');
        step = { number: n, instruction: ins, text: `${ins.kind} ${flags.length ? `${flags.join(' ')} ` : ''}${shown}`, kind: 'copy', copy };
        break;
      }
      case 'FROM':
        throw new BuildError(`Dockerfile line ${line}: unexpected FROM inside a stage`, { line });
    }
    steps.push(step);
  }
  return { fromText: '', steps, consumedArgs: consumed };
}

/** Values of ARGs before the first FROM: build args override defaults (expanded with earlier ones). */
export function globalArgValues(args: Array<Extract<Instruction, { kind: 'ARG' }>>, buildArgs: Record<string, string>, escape: string, consumed: Set<string>): Map<string, string> {
  const m = new Map<string, string>();
  for (const ins of args) {
    for (const a of ins.args) {
      if (Object.prototype.hasOwnProperty.call(buildArgs, a.name)) {
        m.set(a.name, buildArgs[a.name]!);
        consumed.add(a.name);
      } else if (a.value !== undefined) m.set(a.name, expandWord(a.value, m, { escape, line: ins.raw.line }));
    }
  }
  return m;
}
