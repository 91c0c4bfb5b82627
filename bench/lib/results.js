// bench/results/NAME.json (the directory is committed with a .gitkeep; the JSON files are not).
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

export function resultsPath(name) {
  return `${RESULTS_DIR}${name}.json`;
}

export function writeResults(name, data) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = resultsPath(name);
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}

/** Modification time of NAME.json in ms, or 0 when absent. */
export function resultsTime(name) {
  try {
    return statSync(resultsPath(name)).mtimeMs;
  } catch {
    return 0;
  }
}
