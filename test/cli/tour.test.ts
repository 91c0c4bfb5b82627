/**
 * `layerfs tour` (what `npm start` runs) through the built command, on a
 * temp store: every step succeeds, the container diff and the committed
 * image show the tour's edits, tour-b is untouched, and the saved layout
 * holds the edited image under its tag.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/layerfs.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'layerfs-tour-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tour() {
  return spawnSync(process.execPath, [bin, 'tour', '--store', join(dir, 'store'), '--layout', join(dir, 'layout')], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, LAYERFS_HOME: join(dir, 'unused-default') },
  });
}

describe('layerfs tour', () => {
  it('runs the main job end to end, and again on the same store', () => {
    const first = tour();
    expect(first.stderr).not.toMatch(/internal error/);
    expect(first.status).toBe(0);
    const out = first.stdout;
    expect(out).toContain(`store: ${join(dir, 'store')}`);
    // container diff of tour-a
    expect(out).toMatch(/^A \/srv\/hello\/NOTE\.txt$/m);
    expect(out).toMatch(/^D \/srv\/hello\/static\/notes\.txt$/m);
    // tour-b still lists the file tour-a deleted
    const lsB = out.slice(out.indexOf('ls-files tour-b'), out.indexOf('container commit'));
    expect(lsB).toContain('/srv/hello/static/notes.txt');
    // the committed image: NOTE.txt from the top layer (L2), notes.txt gone
    const ls = out.slice(out.indexOf('ls -R --origin'), out.indexOf('$ layerfs du'));
    expect(ls).toMatch(/L2 [0-9a-f]{12}\s+\/srv\/hello\/NOTE\.txt/);
    expect(ls).not.toContain('notes.txt');
    expect(out).toMatch(/sha256, one 64 MiB buffer .*MiB\/s/);
    // the layout names the edited image
    const index = JSON.parse(readFileSync(join(dir, 'layout', 'index.json'), 'utf8'));
    expect(index.manifests.map((m: { annotations?: Record<string, string> }) => m.annotations?.['org.opencontainers.image.ref.name'])).toContain('edited');

    // A second run replaces the tour's containers and rebuilds from cache.
    const second = tour();
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('CACHED');
  }, 180_000);
});
