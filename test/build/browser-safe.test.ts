/**
 * The builder's in-memory path must load in browsers: nothing reachable from
 * src/build/index.ts by static imports may import a node:* module (the disk
 * context lives in src/build/node.ts, reached only from src/node.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const STATIC = /^\s*(?:import|export)\s+(?!type\b)(?:[^;'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

function reachable(entry: string): { files: Set<string>; nodeImports: string[] } {
  const files = new Set<string>();
  const nodeImports: string[] = [];
  const queue = [entry];
  while (queue.length) {
    const f = queue.pop()!;
    if (files.has(f)) continue;
    files.add(f);
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(STATIC)) {
      const spec = m[1]!;
      if (spec.startsWith('node:')) nodeImports.push(`${f.split('/src/')[1]} -> ${spec}`);
      else if (spec.startsWith('.')) queue.push(resolve(dirname(f), spec.replace(/\.js$/, '.ts')));
    }
  }
  return { files, nodeImports };
}

describe('builder is browser-safe', () => {
  const entry = fileURLToPath(new URL('../../src/build/index.ts', import.meta.url));
  const { files, nodeImports } = reachable(entry);

  it('reaches the builder modules it should', () => {
    const names = [...files].map((f) => f.split('/src/')[1]);
    expect(names).toEqual(expect.arrayContaining(['build/builder.ts', 'build/context.ts', 'build/copy-layer.ts', 'build/dockerfile/parse.ts']));
    expect(names).not.toContain('build/node.ts');
  });

  it('has no static node:* import anywhere below src/build/index.ts', () => {
    expect(nodeImports).toEqual([]);
  });
});
