/**
 * Words of a Dockerfile instruction and variable substitution, as the
 * Dockerfile reference ("Environment replacement") and BuildKit's shell
 * lexer define them:
 *
 * - `splitWords` cuts an argument string at unquoted whitespace and KEEPS
 *   quotes and escapes (parse time; values are expanded later, per step).
 * - `expandWord` substitutes `$NAME`, `${NAME}`, `${NAME:-w}`, `${NAME-w}`,
 *   `${NAME:+w}`, `${NAME+w}`, `${NAME:?w}`, `${NAME?w}` and removes quotes:
 *   nothing is expanded inside '...', the escape character makes the next
 *   character literal (inside "..." only before `"`, `$` and itself).
 */
import { DockerfileParseError } from '../../errors/DockerfileParseError.js';

export type Env = ReadonlyMap<string, string>;

export interface Word {
  text: string;
  /** 0-based offset of the word in the string it was cut from. */
  offset: number;
}

/** Split at unquoted whitespace, keeping quotes and escapes in each word. */
export function splitWords(s: string, escape = '\\'): Word[] {
  const out: Word[] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && /\s/.test(s[i]!)) i++;
    if (i >= n) break;
    const start = i;
    let quote = '';
    while (i < n) {
      const c = s[i]!;
      if (quote) {
        if (c === escape && quote === '"' && i + 1 < n) i += 2;
        else {
          if (c === quote) quote = '';
          i++;
        }
        continue;
      }
      if (/\s/.test(c)) break;
      if (c === escape && i + 1 < n) {
        i += 2;
        continue;
      }
      if (c === '"' || c === "'") quote = c;
      i++;
    }
    out.push({ text: s.slice(start, i), offset: start });
  }
  return out;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

export interface ExpandOptions {
  escape?: string;
  /** Names of the variables that were looked up (BuildKit tracks used build args the same way). */
  used?: Set<string>;
  /** For error messages. */
  line?: number;
}

/**
 * Expand variables and remove quotes in one word (or a whole string, whose
 * whitespace is kept). Unknown variables expand to ''.
 */
export function expandWord(word: string, env: Env, opts: ExpandOptions = {}): string {
  const escape = opts.escape ?? '\\';
  let i = 0;
  const n = word.length;
  const fail = (msg: string): never => {
    throw new DockerfileParseError(`${opts.line !== undefined ? `line ${opts.line}: ` : ''}${msg} in ${JSON.stringify(word)}`, { line: opts.line, word });
  };
  const lookup = (name: string): string | undefined => {
    opts.used?.add(name);
    return env.get(name);
  };

  // Reads a ${...} or $NAME at i (word[i] === '$'); returns the expansion.
  const variable = (inDouble: boolean): string => {
    i++; // '$'
    if (i >= n) return '$';
    if (word[i] === '{') {
      i++;
      let name = '';
      while (i < n && NAME_CHAR.test(word[i]!)) name += word[i++];
      if (name === '' || !NAME_START.test(name[0]!)) fail('bad substitution');
      if (word[i] === '}') {
        i++;
        return lookup(name) ?? '';
      }
      let colon = false;
      if (word[i] === ':') {
        colon = true;
        i++;
      }
      const op = word[i];
      if (op !== '-' && op !== '+' && op !== '?') fail(`unsupported modifier ${JSON.stringify(op ?? '')} in \${${name}}`);
      i++;
      // The operand runs to the matching '}', itself expanded.
      const operand = sub('}', inDouble);
      if (word[i] !== '}') fail(`missing '}' after \${${name}`);
      i++;
      const v = lookup(name);
      const set = colon ? v !== undefined && v !== '' : v !== undefined;
      switch (op) {
        case '-':
          return set ? v! : operand;
        case '+':
          return set ? operand : '';
        default:
          if (!set) fail(`${name}: ${operand || 'is not set'}`);
          return v!;
      }
    }
    if (!NAME_START.test(word[i]!)) return '$';
    let name = '';
    while (i < n && NAME_CHAR.test(word[i]!)) name += word[i++];
    return lookup(name) ?? '';
  };

  // Processes until `stop` (unquoted) or the end.
  const sub = (stop: string, inDouble: boolean): string => {
    let out = '';
    while (i < n) {
      const c = word[i]!;
      if (stop !== '' && c === stop) return out;
      if (inDouble) {
        if (c === '"') return out;
        if (c === escape && i + 1 < n && (word[i + 1] === '"' || word[i + 1] === '$' || word[i + 1] === escape)) {
          out += word[i + 1];
          i += 2;
          continue;
        }
        if (c === '$') {
          out += variable(true);
          continue;
        }
        out += c;
        i++;
        continue;
      }
      if (c === escape) {
        if (i + 1 < n) out += word[i + 1];
        i += 2;
        continue;
      }
      if (c === "'") {
        const end = word.indexOf("'", i + 1);
        if (end < 0) fail('unterminated single quote');
        out += word.slice(i + 1, end);
        i = end + 1;
        continue;
      }
      if (c === '"') {
        i++;
        out += sub('', true);
        if (word[i] !== '"') fail('unterminated double quote');
        i++;
        continue;
      }
      if (c === '$') {
        out += variable(false);
        continue;
      }
      out += c;
      i++;
    }
    return out;
  };

  const result = sub('', false);
  if (i < n) fail(`unexpected ${JSON.stringify(word[i])}`);
  return result;
}

/** True when the word holds anything `expandWord` would change (quotes, escapes, `$`). */
export function needsExpansion(word: string, escape = '\\'): boolean {
  return word.includes('$') || word.includes('"') || word.includes("'") || word.includes(escape);
}
