/**
 * Shared by the image commands: the `--store DIR` option (default
 * $LAYERFS_HOME, else ~/.local/share/layerfs) and small output helpers.
 * Uses only the public API (layerfs/node).
 */
import type { CliIO } from '../command.js';

export const storeOption = { store: { type: 'string' as const } };

export async function openCliStore(values: { store?: string }, io: CliIO) {
  const { openStore } = await import('../../node.js');
  return openStore(values.store, io.env);
}

export function shortId(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
}

export function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${n}B` : `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)}${units[i]}`;
}

/** Columns padded to their widest cell, two spaces apart (docker's table style). */
export function table(rows: string[][]): string {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('   ')).join('\n') + '\n';
}

export function json(io: CliIO, v: unknown): void {
  io.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
}
