/**
 * src/index.ts must stay loadable in browsers: the digest code reaches
 * node:crypto only at run time, never through a static import.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const files = [
  ...readdirSync(new URL('../../src/digest/', import.meta.url)).map((f) => new URL(`../../src/digest/${f}`, import.meta.url)),
  new URL('../../src/core/sha256.ts', import.meta.url),
];

describe('digest code is browser-safe', () => {
  for (const f of files) {
    it(`${f.pathname.split('/src/')[1]} has no static node:* import`, () => {
      const src = readFileSync(f, 'utf8');
      // `import type` is erased at compile time; a value import is not.
      const staticNode = src.match(/^\s*(import|export)\s+(?!type\b)[^;]*?from\s+['"]node:[^'"]+['"]/gm) ?? [];
      const bare = src.match(/^\s*import\s+['"]node:[^'"]+['"]/gm) ?? [];
      expect([...staticNode, ...bare]).toEqual([]);
    });
  }
});
