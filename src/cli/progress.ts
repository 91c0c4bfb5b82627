/**
 * Per-blob transfer progress for the CLI: live bars on a TTY (redrawn in
 * place, at most every 100 ms, as docker pull does), plain one-line events
 * otherwise (logs and pipes stay readable).
 */
import type { CliIO } from './command.js';

export interface ProgressEvent {
  digest: string;
  done: number;
  total: number;
  skipped?: boolean;
  mounted?: boolean;
}

function mib(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;
}

function short(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
}

export interface ProgressReporter {
  onProgress(e: ProgressEvent): void;
  /** Final redraw (TTY) so the last state stays on screen. */
  finish(): void;
}

export function progressReporter(io: CliIO, verb: string, opts: { quiet?: boolean } = {}): ProgressReporter {
  const out = io.stderr;
  if (opts.quiet) return { onProgress() {}, finish() {} };
  const rows = new Map<string, { text: string; state: 'active' | 'done' }>();
  if (!out.isTTY) {
    const started = new Set<string>();
    return {
      onProgress(e) {
        const id = short(e.digest);
        if (e.skipped) out.write(`${id}: already there\n`);
        else if (e.mounted) out.write(`${id}: mounted\n`);
        else if (!started.has(e.digest)) {
          started.add(e.digest);
          out.write(`${id}: ${verb} ${mib(e.total)}\n`);
          if (e.done >= e.total && e.total > 0) out.write(`${id}: done\n`);
          return;
        } else if (e.done >= e.total) out.write(`${id}: done\n`);
      },
      finish() {},
    };
  }
  let drawn = 0;
  let last = 0;
  const draw = () => {
    let s = drawn ? `\x1b[${drawn}A` : '';
    for (const r of rows.values()) s += `\x1b[2K${r.text}\n`;
    drawn = rows.size;
    out.write(s);
  };
  return {
    onProgress(e) {
      const id = short(e.digest);
      let text: string;
      if (e.skipped) text = `${id}: already there`;
      else if (e.mounted) text = `${id}: mounted`;
      else {
        const width = 30;
        const frac = e.total > 0 ? Math.min(1, e.done / e.total) : 1;
        const fill = Math.round(frac * width);
        text = `${id}: ${verb} [${'='.repeat(fill)}${fill < width ? '>' : ''}${' '.repeat(Math.max(0, width - fill - 1))}] ${mib(e.done)}/${mib(e.total)}`;
      }
      rows.set(e.digest, { text, state: e.done >= e.total ? 'done' : 'active' });
      const now = Date.now();
      if (now - last >= 100 || e.done >= e.total) {
        last = now;
        draw();
      }
    },
    finish() {
      if (rows.size) draw();
    },
  };
}
