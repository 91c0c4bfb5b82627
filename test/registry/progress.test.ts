import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.js';
import { progressReporter } from '../../src/cli/progress.js';

function io(isTTY: boolean) {
  let err = '';
  const cli: CliIO = {
    stdout: { write: () => true, isTTY },
    stderr: { write: (s: string | Uint8Array) => ((err += String(s)), true), isTTY },
    stdin: new PassThrough(),
    env: {},
  };
  return { cli, out: () => err };
}

const A = 'sha256:' + 'a'.repeat(64);
const B = 'sha256:' + 'b'.repeat(64);

describe('CLI progress', () => {
  it('draws bars in place on a TTY, ending at the full size', () => {
    const { cli, out } = io(true);
    const p = progressReporter(cli, 'pulling');
    p.onProgress({ digest: A, done: 0, total: 2 * 1024 * 1024 });
    p.onProgress({ digest: B, done: 10, total: 10, skipped: true });
    p.onProgress({ digest: A, done: 2 * 1024 * 1024, total: 2 * 1024 * 1024 });
    p.finish();
    const s = out();
    expect(s).toContain('\x1b[2K'); // lines are cleared and redrawn
    expect(s).toMatch(/\x1b\[2A/); // cursor moves back over the two rows
    expect(s).toContain(`${A.slice(7, 19)}: pulling [${'='.repeat(30)}] 2.0 MiB/2.0 MiB`);
    expect(s).toContain(`${B.slice(7, 19)}: already there`);
  });

  it('writes plain lines elsewhere: start, done, skipped, mounted; no escape codes', () => {
    const { cli, out } = io(false);
    const p = progressReporter(cli, 'pushing');
    p.onProgress({ digest: A, done: 0, total: 2048 });
    p.onProgress({ digest: A, done: 1024, total: 2048 });
    p.onProgress({ digest: A, done: 2048, total: 2048 });
    p.onProgress({ digest: B, done: 5, total: 5, mounted: true });
    p.finish();
    expect(out()).toBe(`${A.slice(7, 19)}: pushing 2.0 KiB\n${A.slice(7, 19)}: done\n${B.slice(7, 19)}: mounted\n`);
  });

  it('--quiet prints nothing', () => {
    const { cli, out } = io(true);
    const p = progressReporter(cli, 'pulling', { quiet: true });
    p.onProgress({ digest: A, done: 1, total: 1 });
    p.finish();
    expect(out()).toBe('');
  });
});
