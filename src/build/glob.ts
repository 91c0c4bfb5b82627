/**
 * Path patterns as Docker reads them in COPY/ADD sources and .dockerignore
 * (Go's filepath.Match, plus `**` for any number of directories, as in
 * moby/patternmatcher): `*` and `?` never cross a '/', `[...]` is a class
 * (`[!...]`/`[^...]` negated), `\` escapes the next character.
 */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';

const SPECIAL = /[\\^$.|+(){}]/;

/** Compile a clean, relative pattern into an anchored RegExp. */
export function compileGlob(pattern: string): RegExp {
  let re = '';
  const n = pattern.length;
  for (let i = 0; i < n; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        // `**`: any number of path segments (also none).
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new InvalidArgumentError(`bad pattern ${JSON.stringify(pattern)}: unterminated [`, { pattern });
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
      re += `[${cls.replace(/\\/g, '\\\\').replace(/\//g, '')}]`;
      i = end;
    } else if (c === '\\' && i + 1 < n) {
      i++;
      re += SPECIAL.test(pattern[i]!) || /[*?[\]]/.test(pattern[i]!) ? `\\${pattern[i]}` : pattern[i];
    } else re += SPECIAL.test(c) ? `\\${c}` : c;
  }
  return new RegExp(`^${re}$`, 's');
}

export function hasGlob(s: string): boolean {
  return /[*?[]/.test(s);
}
