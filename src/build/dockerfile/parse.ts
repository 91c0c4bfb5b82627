/**
 * Dockerfile syntax (the Dockerfile reference, "Format" and "Parser
 * directives"): parser directives at the top (`# escape=`` ` ``), comments,
 * logical lines joined at a trailing escape character, then one instruction
 * per logical line: KEYWORD [--flag[=value]...] ARGS, ARGS in exec (JSON
 * array) or shell form. This file only cuts the text up; instructions.ts
 * gives each keyword its meaning. Every error names line and column.
 */
import { DockerfileParseError } from '../../errors/DockerfileParseError.js';

export interface Flag {
  name: string;
  /** undefined for a bare `--name`. */
  value?: string;
  column: number;
}

export interface RawInstruction {
  /** Upper-case keyword. */
  keyword: string;
  /** 1-based line and column where the instruction starts. */
  line: number;
  column: number;
  /** Last physical line of the instruction. */
  endLine: number;
  /** Flags before the arguments (`--chown=1:1`). */
  flags: Flag[];
  /** Everything after the flags, continuations joined, trimmed. */
  args: string;
  /** 1-based column of `args` on the first line. */
  argsColumn: number;
  /** The logical line as written (continuations joined), for messages. */
  text: string;
}

export interface ParsedDockerfile {
  /** Parser directives found (lower-case names). */
  directives: Record<string, string>;
  escape: string;
  instructions: RawInstruction[];
}

const DIRECTIVE = /^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$/;
const KNOWN_DIRECTIVES = new Set(['escape', 'syntax', 'check']);

export function parseError(msg: string, line: number, column: number): DockerfileParseError {
  return new DockerfileParseError(`Dockerfile line ${line}, column ${column}: ${msg}`, { line, column });
}

/** Cut a Dockerfile into raw instructions. DockerfileParseError (line, column) on malformed input. */
export function parseDockerfileText(text: string): ParsedDockerfile {
  if (typeof text !== 'string') throw new DockerfileParseError('a Dockerfile must be text');
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const directives: Record<string, string> = {};
  let escape = '\\';
  let i = 0;
  // Directives: only before any comment, blank line or instruction.
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]!.trim());
    if (!m) break;
    const name = m[1]!.toLowerCase();
    if (!KNOWN_DIRECTIVES.has(name)) break; // an unknown directive is a comment, and ends the directives
    if (name in directives) throw parseError(`parser directive '${name}' given twice`, i + 1, 1);
    directives[name] = m[2]!;
    if (name === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`') throw parseError(`invalid escape character ${JSON.stringify(m[2])}: must be \\ or \``, i + 1, lines[i]!.indexOf(m[2]!) + 1);
      escape = m[2]!;
    }
  }

  const out: RawInstruction[] = [];
  while (i < lines.length) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      i++;
      continue;
    }
    const startLine = i + 1;
    const column = raw.length - raw.trimStart().length + 1;
    // Join continuations: a line whose last non-blank character is the escape.
    let logical = raw.trimStart();
    let endLine = startLine;
    i++;
    while (endsWithEscape(logical, escape)) {
      logical = logical.replace(/\s*$/, '');
      logical = logical.slice(0, -1);
      // Comment and blank lines inside a continuation are dropped (Docker does the same).
      while (i < lines.length && (lines[i]!.trim() === '' || lines[i]!.trim().startsWith('#'))) i++;
      if (i >= lines.length) break;
      logical += lines[i]!;
      endLine = i + 1;
      i++;
    }
    out.push(cutInstruction(logical.trim(), startLine, column, endLine));
  }
  return { directives, escape, instructions: out };
}

function endsWithEscape(s: string, escape: string): boolean {
  const t = s.replace(/\s+$/, '');
  if (!t.endsWith(escape)) return false;
  // An even run of escapes is an escaped escape, not a continuation.
  let k = 0;
  for (let j = t.length - 1; j >= 0 && t[j] === escape; j--) k++;
  return k % 2 === 1;
}

const KEYWORD = /^[A-Za-z][A-Za-z0-9]*/;

function cutInstruction(text: string, line: number, column: number, endLine: number): RawInstruction {
  const m = KEYWORD.exec(text);
  if (!m) throw parseError(`expected an instruction, found ${JSON.stringify(text.slice(0, 20))}`, line, column);
  const keyword = m[0].toUpperCase();
  let pos = m[0].length;
  if (pos < text.length && !/\s/.test(text[pos]!)) throw parseError(`unexpected ${JSON.stringify(text[pos])} after ${keyword}`, line, column + pos);
  const flags: Flag[] = [];
  for (;;) {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
    if (!text.startsWith('--', pos)) break;
    // A flag ends at whitespace; values with spaces are not allowed in flags (as in Docker).
    let end = pos;
    while (end < text.length && !/\s/.test(text[end]!)) end++;
    const word = text.slice(pos + 2, end);
    const eq = word.indexOf('=');
    const name = eq < 0 ? word : word.slice(0, eq);
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw parseError(`malformed flag ${JSON.stringify(text.slice(pos, end))}`, line, column + pos);
    flags.push(eq < 0 ? { name, column: column + pos } : { name, value: word.slice(eq + 1), column: column + pos });
    pos = end;
  }
  return { keyword, line, column, endLine, flags, args: text.slice(pos).trim(), argsColumn: column + pos, text };
}

/**
 * The exec (JSON array of strings) form, or undefined when `args` is not
 * one. Like Docker, text that starts with '[' but is not a valid JSON
 * string array is taken as the shell form.
 */
export function parseJsonArray(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(args);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    /* shell form */
  }
  return undefined;
}
