/**
 * `.dockerignore` (Docker's "dockerignore file" rules, as moby/patternmatcher
 * implements them): one pattern per line, `#` comment lines, surrounding
 * blanks trimmed, patterns cleaned and taken relative to the context root
 * (a leading '/' is dropped), `!` makes an exception, and the LAST pattern
 * that matches a path or one of its parent directories decides.
 */
import { compileGlob } from './glob.js';

interface Rule {
  re: RegExp;
  exclude: boolean;
  pattern: string;
}

function cleanPattern(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      out.pop();
      continue;
    }
    out.push(seg);
  }
  return out.join('/');
}

export class DockerIgnore {
  private readonly rules: Rule[];

  constructor(text = '') {
    this.rules = [];
    for (const line of text.split(/\r?\n/)) {
      if (line.startsWith('#')) continue;
      let p = line.trim();
      if (p === '') continue;
      let exclude = true;
      if (p.startsWith('!')) {
        exclude = false;
        p = p.slice(1).trim();
      }
      p = cleanPattern(p);
      if (p === '') continue;
      this.rules.push({ re: compileGlob(p), exclude, pattern: line.trim() });
    }
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** True when the clean relative `path` is left out of the context. */
  ignores(path: string): boolean {
    if (path === '') return false;
    let ignored = false;
    const parents: string[] = [];
    let i = path.indexOf('/');
    while (i >= 0) {
      parents.push(path.slice(0, i));
      i = path.indexOf('/', i + 1);
    }
    for (const r of this.rules) {
      if (r.re.test(path) || parents.some((p) => r.re.test(p))) ignored = r.exclude;
    }
    return ignored;
  }

  /**
   * True when an exception could re-include something below the ignored
   * directory `dir` (so a walk must still descend into it).
   */
  mayReinclude(dir: string): boolean {
    return this.rules.some((r) => !r.exclude && (r.pattern.includes('**') || cleanPattern(r.pattern.replace(/^!\s*/, '')).startsWith(`${dir}/`)));
  }
}
