/**
 * The meaning of each Dockerfile instruction (Dockerfile reference), checked
 * at parse time: arguments split into words (quotes kept; variables are
 * expanded later, per step, because ENV and ARG change them), flags checked
 * per keyword, and instructions that need a process (RUN, HEALTHCHECK CMD,
 * ONBUILD RUN) refused with UnsupportedInstructionError naming the line —
 * before anything is built.
 */
import { UnsupportedInstructionError } from '../../errors/UnsupportedInstructionError.js';
import { parseDockerfileText, parseError, parseJsonArray, type RawInstruction } from './parse.js';
import { splitWords } from './words.js';

export interface KeyValue {
  key: string;
  /** Raw (quotes kept, variables unexpanded). */
  value: string;
}

interface Base {
  raw: RawInstruction;
}

export type Instruction =
  | (Base & { kind: 'FROM'; image: string; platform?: string; alias?: string })
  | (Base & { kind: 'ARG'; args: Array<{ name: string; value?: string }> })
  | (Base & { kind: 'ENV'; pairs: KeyValue[] })
  | (Base & { kind: 'LABEL'; pairs: KeyValue[] })
  | (Base & { kind: 'COPY' | 'ADD'; sources: string[]; dest: string; chown?: string; chmod?: string; exec: boolean })
  | (Base & { kind: 'WORKDIR'; path: string })
  | (Base & { kind: 'USER'; user: string })
  | (Base & { kind: 'EXPOSE'; ports: string[] })
  | (Base & { kind: 'ENTRYPOINT' | 'CMD'; exec?: string[]; shell?: string })
  | (Base & { kind: 'VOLUME'; paths: string[]; exec: boolean })
  | (Base & { kind: 'STOPSIGNAL'; signal: string })
  | (Base & { kind: 'SHELL'; shell: string[] })
  | (Base & { kind: 'MAINTAINER'; name: string })
  | (Base & { kind: 'HEALTHCHECK'; none: true })
  | (Base & { kind: 'ONBUILD'; trigger: string });

export type InstructionKind = Instruction['kind'];

export interface Stage {
  /** Index of the stage (0-based) and its `AS name`, if any. */
  index: number;
  name?: string;
  from: Extract<Instruction, { kind: 'FROM' }>;
  /** Instructions after FROM. */
  steps: Instruction[];
}

export interface Dockerfile {
  escape: string;
  directives: Record<string, string>;
  /** ARG instructions before the first FROM (usable in FROM lines). */
  globalArgs: Array<Extract<Instruction, { kind: 'ARG' }>>;
  stages: Stage[];
}

const NEED_PROCESS = new Set(['RUN']);
const KNOWN = new Set(['FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL']);
const FLAGS: Record<string, string[]> = {
  FROM: ['platform'],
  COPY: ['chown', 'chmod', 'from', 'link', 'parents', 'exclude'],
  ADD: ['chown', 'chmod', 'link', 'checksum', 'keep-git-dir'],
};
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function unsupported(r: RawInstruction, why: string): UnsupportedInstructionError {
  return new UnsupportedInstructionError(`Dockerfile line ${r.line}: ${why} (layerfs builds without running processes)`, {
    line: r.line,
    column: r.column,
    instruction: r.keyword,
  });
}

function requireArgs(r: RawInstruction): void {
  if (r.args === '') throw parseError(`${r.keyword} needs arguments`, r.line, r.argsColumn);
}

/** ENV/LABEL `k=v k2="v 2"` or the legacy `k v with spaces`. */
function keyValues(r: RawInstruction, escape: string, allowLegacy: boolean): KeyValue[] {
  requireArgs(r);
  const words = splitWords(r.args, escape);
  const first = words[0]!;
  if (!first.text.includes('=')) {
    if (!allowLegacy || words.length < 2) throw parseError(`${r.keyword} needs KEY=VALUE (or KEY VALUE)`, r.line, r.argsColumn);
    return [{ key: first.text, value: r.args.slice(words[1]!.offset).trim() }];
  }
  return words.map((w) => {
    const eq = w.text.indexOf('=');
    if (eq < 0) throw parseError(`${r.keyword}: ${JSON.stringify(w.text)} is not KEY=VALUE`, r.line, r.argsColumn + w.offset);
    if (eq === 0) throw parseError(`${r.keyword}: empty key`, r.line, r.argsColumn + w.offset);
    return { key: w.text.slice(0, eq), value: w.text.slice(eq + 1) };
  });
}

function toInstruction(r: RawInstruction, escape: string): Instruction {
  const k = r.keyword;
  if (!KNOWN.has(k)) throw parseError(`unknown instruction ${k}`, r.line, r.column);
  if (NEED_PROCESS.has(k)) throw unsupported(r, `${k} needs a process`);
  // HEALTHCHECK's own flags (--interval...) only matter with CMD, which needs a process.
  if (k === 'HEALTHCHECK' && (r.flags.length > 0 || /^CMD(\s|$)/i.test(r.args))) throw unsupported(r, 'HEALTHCHECK CMD needs a process');
  const allowed = FLAGS[k] ?? [];
  for (const f of r.flags) {
    if (!allowed.includes(f.name)) throw parseError(`unknown flag --${f.name} for ${k}`, r.line, f.column);
  }
  const flag = (name: string) => r.flags.find((f) => f.name === name);
  switch (k) {
    case 'FROM': {
      requireArgs(r);
      const words = splitWords(r.args, escape).map((w) => w.text);
      if (words.length === 3 && words[1]!.toUpperCase() === 'AS') {
        if (!/^[a-z][a-z0-9._-]*$/i.test(words[2]!)) throw parseError(`invalid stage name ${JSON.stringify(words[2])}`, r.line, r.argsColumn);
        return { kind: 'FROM', raw: r, image: words[0]!, alias: words[2]!.toLowerCase(), ...platformOf(flag('platform')) };
      }
      if (words.length !== 1) throw parseError('FROM takes an image and an optional AS name', r.line, r.argsColumn);
      return { kind: 'FROM', raw: r, image: words[0]!, ...platformOf(flag('platform')) };
    }
    case 'ARG': {
      requireArgs(r);
      const args = splitWords(r.args, escape).map((w) => {
        const eq = w.text.indexOf('=');
        const name = eq < 0 ? w.text : w.text.slice(0, eq);
        if (!VAR_NAME.test(name)) throw parseError(`invalid ARG name ${JSON.stringify(name)}`, r.line, r.argsColumn + w.offset);
        return eq < 0 ? { name } : { name, value: w.text.slice(eq + 1) };
      });
      return { kind: 'ARG', raw: r, args };
    }
    case 'ENV':
      return { kind: 'ENV', raw: r, pairs: keyValues(r, escape, true) };
    case 'LABEL':
      return { kind: 'LABEL', raw: r, pairs: keyValues(r, escape, true) };
    case 'COPY':
    case 'ADD': {
      requireArgs(r);
      if (flag('from')) throw unsupported(r, `${k} --from (multi-stage copies) is not supported`);
      for (const name of ['parents', 'exclude', 'checksum', 'keep-git-dir']) {
        if (flag(name)) throw unsupported(r, `${k} --${name} is not supported`);
      }
      const json = parseJsonArray(r.args);
      const words = json ?? splitWords(r.args, escape).map((w) => w.text);
      if (!json) {
        const here = splitWords(r.args, escape).find((w) => /^<<-?["']?[A-Za-z_]/.test(w.text));
        if (here) throw parseError(`heredocs are not supported`, r.line, r.argsColumn + here.offset);
      }
      if (words.length < 2) throw parseError(`${k} needs at least one source and a destination`, r.line, r.argsColumn);
      const chown = flag('chown');
      const chmod = flag('chmod');
      for (const f of [chown, chmod]) if (f && !f.value) throw parseError(`--${f.name} needs a value`, r.line, f.column);
      if (chmod && !/^[0-7]{3,4}$/.test(chmod.value!) && !chmod.value!.includes('$')) {
        throw parseError(`--chmod must be an octal mode, got ${JSON.stringify(chmod.value)}`, r.line, chmod.column);
      }
      const out: Instruction = { kind: k, raw: r, sources: words.slice(0, -1), dest: words[words.length - 1]!, exec: json !== undefined };
      if (chown) out.chown = chown.value!;
      if (chmod) out.chmod = chmod.value!;
      return out;
    }
    case 'WORKDIR':
      requireArgs(r);
      return { kind: 'WORKDIR', raw: r, path: r.args };
    case 'USER':
      requireArgs(r);
      return { kind: 'USER', raw: r, user: r.args };
    case 'EXPOSE':
      requireArgs(r);
      return { kind: 'EXPOSE', raw: r, ports: splitWords(r.args, escape).map((w) => w.text) };
    case 'CMD':
    case 'ENTRYPOINT': {
      requireArgs(r);
      const json = parseJsonArray(r.args);
      return json ? { kind: k, raw: r, exec: json } : { kind: k, raw: r, shell: r.args };
    }
    case 'VOLUME': {
      requireArgs(r);
      const json = parseJsonArray(r.args);
      const paths = json ?? splitWords(r.args, escape).map((w) => w.text);
      if (paths.length === 0 || paths.some((p) => p === '')) throw parseError('VOLUME needs non-empty paths', r.line, r.argsColumn);
      return { kind: 'VOLUME', raw: r, paths, exec: json !== undefined };
    }
    case 'STOPSIGNAL':
      requireArgs(r);
      return { kind: 'STOPSIGNAL', raw: r, signal: r.args };
    case 'SHELL': {
      requireArgs(r);
      const json = parseJsonArray(r.args);
      if (!json || json.length === 0) throw parseError('SHELL must be a JSON array of strings, e.g. ["/bin/bash", "-c"]', r.line, r.argsColumn);
      return { kind: 'SHELL', raw: r, shell: json };
    }
    case 'MAINTAINER':
      requireArgs(r);
      return { kind: 'MAINTAINER', raw: r, name: r.args };
    case 'HEALTHCHECK': {
      requireArgs(r);
      const first = r.args.split(/\s+/)[0]!.toUpperCase();
      if (first === 'NONE' && r.args.trim().toUpperCase() === 'NONE') return { kind: 'HEALTHCHECK', raw: r, none: true };
      if (first === 'CMD' || r.args.startsWith('--')) throw unsupported(r, 'HEALTHCHECK CMD needs a process');
      throw parseError('HEALTHCHECK takes NONE or [OPTIONS] CMD command', r.line, r.argsColumn);
    }
    case 'ONBUILD': {
      requireArgs(r);
      const inner = /^[A-Za-z]+/.exec(r.args)?.[0]?.toUpperCase() ?? '';
      if (inner === 'ONBUILD' || inner === 'FROM' || inner === 'MAINTAINER') throw parseError(`ONBUILD ${inner} is not allowed`, r.line, r.argsColumn);
      if (!KNOWN.has(inner)) throw parseError(`ONBUILD: unknown instruction ${JSON.stringify(inner)}`, r.line, r.argsColumn);
      if (inner === 'RUN') throw unsupported(r, 'ONBUILD RUN needs a process');
      return { kind: 'ONBUILD', raw: r, trigger: r.args };
    }
  }
  throw parseError(`unknown instruction ${k}`, r.line, r.column);
}

function platformOf(f: { value?: string } | undefined): { platform?: string } {
  return f?.value ? { platform: f.value } : {};
}

/**
 * Parse a Dockerfile into stages. Errors: DockerfileParseError (line and
 * column) for malformed text; UnsupportedInstructionError for instructions
 * that need a process, wherever they appear.
 */
export function parseDockerfile(text: string): Dockerfile {
  const parsed = parseDockerfileText(text);
  const instructions = parsed.instructions.map((r) => toInstruction(r, parsed.escape));
  const globalArgs: Dockerfile['globalArgs'] = [];
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.kind === 'FROM') {
      const st: Stage = { index: stages.length, from: ins, steps: [] };
      if (ins.alias) st.name = ins.alias;
      stages.push(st);
      continue;
    }
    if (stages.length === 0) {
      if (ins.kind !== 'ARG') throw parseError(`${ins.kind} before the first FROM (only ARG may come before FROM)`, ins.raw.line, ins.raw.column);
      globalArgs.push(ins);
      continue;
    }
    stages[stages.length - 1]!.steps.push(ins);
  }
  if (stages.length === 0) {
    const line = parsed.instructions.length ? parsed.instructions[parsed.instructions.length - 1]!.endLine + 1 : 1;
    throw parseError('the Dockerfile has no FROM instruction', line, 1);
  }
  return { escape: parsed.escape, directives: parsed.directives, globalArgs, stages };
}
