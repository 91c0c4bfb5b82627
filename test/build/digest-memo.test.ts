/**
 * Content digests a context on disk remembers between builds: a rebuild
 * reads only files whose stamp (inode, size, mtime, ctime) changed. The
 * stamp decides only whether a remembered digest still holds; cache keys
 * keep the content digest, so an edit that keeps size and mtime (utimes)
 * still changes the ctime and the step is rebuilt.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/node.js';
import { build, pruneBuildCache, BUILD_CONTEXT_DIGESTS, type BuildEvent } from '../../src/build/index.js';
import { nodeContext } from '../../src/build/node.js';
import { DigestMemo, SETTLE_MS } from '../../src/build/digest-memo.js';

const sha = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const FAKE = `sha256:${'ab'.repeat(32)}`;

/** New bytes of the same size, and the old mtime put back to the nanosecond (GNU touch): only the ctime tells. */
function rewriteKeepingStamp(file: string, fill: number): void {
  const st = fs.statSync(file, { bigint: true });
  fs.writeFileSync(file, Buffer.alloc(Number(st.size), fill));
  const ns = st.mtimeNs % 1_000_000_000n;
  execFileSync('touch', ['-m', '-d', `@${st.mtimeNs / 1_000_000_000n}.${ns.toString().padStart(9, '0')}`, file]);
  const after = fs.statSync(file, { bigint: true });
  expect([after.size, after.mtimeNs, after.ino]).toEqual([st.size, st.mtimeNs, st.ino]);
  expect(after.ctimeNs).not.toBe(st.ctimeNs);
}

describe('DigestMemo', () => {
  const now = 1_700_000_000_000;
  const old = now - SETTLE_MS - 5000.25;

  it('gives a remembered digest back only while the stamp is the same', () => {
    const m = new DigestMemo('/ctx');
    m.saw('a', 7, 10, old, old, now);
    m.saw('b', 8, 10, old, old, now);
    m.restore({ a: [7, 10, old, old, FAKE], b: [8, 11, old, old, FAKE] });
    expect(m.known('a')).toBe(FAKE);
    expect(m.known('b')).toBeUndefined(); // size differs
    expect(m.known('c')).toBeUndefined(); // never listed
  });

  it('remembers only settled files: ctime with a sub-second part, both times before the listing by SETTLE_MS', () => {
    const m = new DigestMemo('/ctx');
    m.saw('settled', 1, 1, old, old, now);
    m.saw('racy', 2, 1, old, now - 10.5, now); // changed just before the listing
    m.saw('coarse', 3, 1, old, Math.floor(old / 1000) * 1000, now); // whole-second ctime
    for (const p of ['settled', 'racy', 'coarse']) m.learn(p, sha(p));
    expect(Object.keys(m.dump()!)).toEqual(['settled']);
  });

  it('dump() is undefined when nothing changed, and drops what no longer holds', () => {
    const m = new DigestMemo('/ctx');
    m.saw('a', 1, 1, old, old, now);
    m.saw('b', 2, 1, old, old, now);
    m.restore({ a: [1, 1, old, old, sha('a')], b: [2, 1, old, old, sha('b')] });
    expect(m.known('a')).toBe(sha('a'));
    expect(m.dump()).toBeUndefined();
    const n = new DigestMemo('/ctx');
    n.saw('a', 1, 1, old, old, now);
    n.restore({ a: [1, 1, old, old, sha('a')], gone: [3, 1, old, old, sha('gone')], bad: ['x', 1, 2, 3, 'y'] as never });
    expect(Object.keys(n.dump()!)).toEqual(['a']);
  });
});

let tmp: string;
let ctxDir: string;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerfs-build-memo-'));
  ctxDir = path.join(tmp, 'ctx');
  for (let i = 0; i < 30; i++) {
    fs.mkdirSync(path.join(ctxDir, `d${i % 3}`), { recursive: true });
    fs.writeFileSync(path.join(ctxDir, `d${i % 3}`, `f${i}`), `file ${i}\n`.repeat(20 + i));
  }
  fs.writeFileSync(path.join(ctxDir, 'Dockerfile'), 'FROM scratch\nCOPY d0 /a/\nCOPY d1 /b/\nCOPY d2 /c/\n');
  // Only files whose times lie SETTLE_MS before a listing are remembered.
  await new Promise((r) => setTimeout(r, SETTLE_MS + 100));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('a Node context remembers digests between builds', () => {
  it('digestMany answers from the memo without reading, and reads a file whose stamp changed', async () => {
    const ctx = await nodeContext(ctxDir);
    await ctx.list();
    const paths = ['d0/f0', 'd0/f3'];
    const sizes = paths.map((p) => fs.statSync(path.join(ctxDir, p)).size);
    const real = await ctx.digestMany!(paths, sizes);
    expect(real).toEqual(paths.map((p) => sha(fs.readFileSync(path.join(ctxDir, p)))));
    const learnt = ctx.digestMemo!.dump()!;
    expect(Object.keys(learnt).sort()).toEqual(paths);

    // A second context over the same directory, told a digest no file has: it is believed, as the stamps match.
    const again = await nodeContext(ctxDir);
    await again.list();
    again.digestMemo!.restore({ ...learnt, 'd0/f0': [...learnt['d0/f0']!.slice(0, 4), FAKE] as never });
    expect(await again.digestMany!(paths, sizes)).toEqual([FAKE, real[1]]);

    // Rewritten with the same size and its old mtime put back: the ctime moved, so it is read again.
    const f0 = path.join(ctxDir, 'd0/f0');
    rewriteKeepingStamp(f0, 0x41);
    const third = await nodeContext(ctxDir);
    await third.list();
    third.digestMemo!.restore({ ...learnt, 'd0/f0': [...learnt['d0/f0']!.slice(0, 4), FAKE] as never });
    expect((await third.digestMany!(paths, sizes))[0]).toBe(sha(fs.readFileSync(f0)));
  });

  it('a rebuild keeps the memo in the store; an edit that keeps size and mtime is still rebuilt; prune forgets', async () => {
    const store = await openStore(path.join(tmp, 'store'));
    const first = await build(store, { context: ctxDir, sourceDateEpoch: 1000 });
    const memos = store.records<{ v: number; files: Record<string, unknown> }>(BUILD_CONTEXT_DIGESTS);
    const keys = await memos.list();
    expect(keys).toHaveLength(1);
    // Every file but d0/f0, rewritten by the test above less than SETTLE_MS ago (racy: hashed again next time).
    const remembered = Object.keys((await memos.get(keys[0]!))!.files);
    expect(remembered).toHaveLength(29);
    expect(remembered).not.toContain('d0/f0');

    const steps = async () => {
      const ev: BuildEvent[] = [];
      const r = await build(store, { context: ctxDir, sourceDateEpoch: 1000, onEvent: (e) => ev.push(e) });
      return { id: r.id, cached: ev.filter((e) => e.type === 'step-done' && e.kind === 'copy').map((e) => (e as { cached: boolean }).cached) };
    };
    expect(await steps()).toEqual({ id: first.id, cached: [true, true, true] });

    // Same size, same mtime, other bytes: only the ctime tells, and the step that copies it runs again.
    rewriteKeepingStamp(path.join(ctxDir, 'd1/f4'), 0x5a);
    const edited = await steps();
    expect(edited.cached).toEqual([true, false, false]);
    expect(edited.id).not.toBe(first.id);

    await pruneBuildCache(store);
    expect(await memos.list()).toEqual([]);
  });
});
