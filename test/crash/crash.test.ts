/**
 * Crash safety (issue 9): the built CLI copies, pulls, saves, commits a
 * container and collects garbage against a disk store, and is killed with
 * SIGKILL at seeded points (when a temp file or lock record appears, a
 * moment later, or after a delay within the operation's measured length).
 * After each kill the store is reopened in this process and must hold:
 *  - every image tagged before intact (manifest, config, layers verify);
 *  - `fsck` clean (every blob hashes to its name, every tag complete,
 *    the container and its writable layer sound);
 *  - no file under blobs/ that is not a complete blob named by its digest;
 *  - the operation's own tag, if it got written, naming a complete image;
 *  - after `gc`: no temp files, no lease or lock records of the dead process;
 *  - the operation, run again here, completes (nothing the crash left
 *    blocks or breaks it).
 * Save destinations (OCI layout, docker-archive) must never show a partial
 * blob or archive under its final name either.
 *
 * CRASH_RUNS=N (or FUZZ set, 20) runs N kill points per operation instead
 * of 3; CRASH_SEED replays a run.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fsck, type Store } from '../../src/index.js';
import { openStore } from '../../src/node.js';
import { cli } from '../concurrency/helpers.js';
import { cleanup, tempDir } from '../container/helpers.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { buildImage, makeLayer, randomLayer, sha, storeImage, writeLayout, type BuiltImage } from '../registry/fixtures.js';
import { killAt, prng, type KillPoint } from './helpers.js';

const RUNS = Number(process.env.CRASH_RUNS ?? (process.env.FUZZ ? 20 : 3));
const SEED = Number(process.env.CRASH_SEED ?? 0x1a7e5);
const DIGEST_FILE = /^(sha256\/[0-9a-f]{64}|sha512\/[0-9a-f]{128})$/;

let base: BuiltImage; // tagged in every store before the operation
let img: BuiltImage; // what copy and pull bring in
let layout: string;
let reg: TestRegistry;
let template: string;
let work: string;

beforeAll(async () => {
  base = buildImage([randomLayer('base-a', 2, 200_000), makeLayer({ 'etc/hostname': 'base\n', 'etc/motd': 'hello\n' })]);
  // ~3 MB of incompressible layers: copy and pull take long enough to be cut in the middle.
  img = buildImage([randomLayer('img-a', 4, 300_000), randomLayer('img-b', 4, 300_000), randomLayer('img-c', 2, 200_000)]);
  layout = writeLayout(img, 'v1');
  reg = await startRegistry();
  work = await tempDir('layerfs-crash-');
  template = path.join(work, 'template');
  const s = await openStore(template);
  await storeImage(s, img, 'src:1');
  await s.copy('src:1', `docker://${reg.host}/crash/img:1`, { insecure: true });
  await s.untag('src:1');
  await s.gc({ tempOlderThanMs: 0 });
  await storeImage(s, base, 'base:1');
  // A container with a large change, so commit has a layer of some size to write.
  const box = await s.createContainer('base:1', { name: 'box' });
  await box.writeFile('/etc/big.bin', randomBytes(1_500_000));
  await box.writeFile('/etc/motd', 'changed\n');
  await box.rm('/etc/hostname');
  // Garbage for gc: an untagged image and loose blobs.
  const junk = buildImage([randomLayer('junk', 2, 50_000)]);
  await storeImage(s, junk, 'junk:1');
  await s.untag('junk:1');
  for (let i = 0; i < 150; i++) await s.putBlob(randomBytes(2000));
}, 120_000);

afterAll(async () => {
  await reg?.stop();
  await fs.rm(layout, { recursive: true, force: true });
  await cleanup();
});

interface Op {
  name: string;
  args: (dir: string, out: string) => string[];
  /** Where the first sign of work shows (a temp file, a lock record, the destination). */
  watch: (dir: string, out: string) => { dir: string; match?: RegExp };
  /** The tag the operation writes, checked when present. */
  tag?: string;
  /** Checks of the destination outside the store (save). */
  checkOut?: (out: string) => Promise<void>;
  /** The operation again, in this process, to completion. */
  again: (store: Store, out: string) => Promise<void>;
}

const sha256Hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** An OCI layout never shows a partial blob; once index.json exists, everything it reaches is there. */
async function checkLayout(out: string): Promise<void> {
  const blobs = path.join(out, 'blobs', 'sha256');
  for (const n of await fs.readdir(blobs).catch(() => [] as string[])) expect(sha256Hex(await fs.readFile(path.join(blobs, n)))).toBe(n);
  const index = await fs.readFile(path.join(out, 'index.json'), 'utf8').catch(() => undefined);
  if (index === undefined) return;
  for (const m of JSON.parse(index).manifests as Array<{ digest: string }>) {
    const manifest = JSON.parse(await fs.readFile(path.join(blobs, m.digest.slice(7)), 'utf8'));
    for (const d of [manifest.config, ...manifest.layers] as Array<{ digest: string; size: number }>) {
      expect((await fs.stat(path.join(blobs, d.digest.slice(7)))).size).toBe(d.size);
    }
  }
}

/** A docker-archive is absent or complete under its name (GNU tar reads it and it has manifest.json). */
async function checkArchive(out: string): Promise<void> {
  const file = path.join(out, 'base.tar');
  if (!(await fs.stat(file).catch(() => undefined))) return;
  const list = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n');
  expect(list).toContain('manifest.json');
  const manifest = JSON.parse(execFileSync('tar', ['-xOf', file, 'manifest.json'], { encoding: 'utf8' }));
  for (const l of manifest[0].Layers as string[]) expect(list).toContain(l);
}

const OPS: Op[] = [
  {
    name: 'copy oci: -> store',
    args: () => ['copy', `oci:${layout}:v1`, 'copied:1'],
    watch: (dir) => ({ dir: path.join(dir, 'tmp') }),
    tag: 'copied:1',
    again: async (s) => void (await s.copy(`oci:${layout}:v1`, 'copied:1')),
  },
  {
    name: 'pull',
    args: () => ['pull', '--quiet', '--insecure', `docker://${reg.host}/crash/img:1`, 'pulled:1'],
    watch: (dir) => ({ dir: path.join(dir, 'tmp') }),
    tag: 'pulled:1',
    again: async (s) => void (await s.copy(`docker://${reg.host}/crash/img:1`, 'pulled:1', { insecure: true })),
  },
  {
    name: 'save -> oci:',
    args: (_dir, out) => ['save', 'base:1', `oci:${path.join(out, 'layout')}:v1`],
    watch: (_dir, out) => ({ dir: path.join(out, 'layout') }),
    checkOut: (out) => checkLayout(path.join(out, 'layout')),
    again: async (s, out) => {
      await s.copy('base:1', `oci:${path.join(out, 'layout')}:v1`);
      await checkLayout(path.join(out, 'layout'));
      expect(await fs.stat(path.join(out, 'layout', 'index.json'))).toBeTruthy();
    },
  },
  {
    name: 'save -> docker-archive:',
    args: (_dir, out) => ['save', 'base:1', `docker-archive:${path.join(out, 'base.tar')}:base:1`],
    watch: (_dir, out) => ({ dir: out }),
    checkOut: (out) => checkArchive(out),
    again: async (s, out) => {
      await fs.rm(path.join(out, 'base.tar'), { force: true });
      await s.copy('base:1', `docker-archive:${path.join(out, 'base.tar')}:base:1`);
      await checkArchive(out);
    },
  },
  {
    name: 'container commit',
    args: () => ['container', 'commit', '-m', 'crash', 'box', 'committed:1'],
    watch: (dir) => ({ dir: path.join(dir, 'tmp') }),
    tag: 'committed:1',
    again: async (s) => {
      const c = (await s.containers()).find((x) => x.name === 'box');
      expect(c).toBeDefined();
      const box = await s.container(c!.id);
      const image = await box.commit({ tag: 'committed:1' });
      expect(image.layers.length).toBe(base.layers.length + 1);
    },
  },
  {
    name: 'gc',
    args: () => ['gc'],
    watch: (dir) => ({ dir: path.join(dir, 'records', 'gc-locks') }),
    again: async (s) => {
      await s.gc();
      expect((await s.du()).reclaimable).toBe(0);
    },
  },
];

/**
 * What must hold after any crash: the tags there before are still there,
 * every tag names a whole image whose blobs verify (base:1 byte for byte),
 * fsck is clean, and blobs/ holds only complete blobs under their digests.
 */
async function expectIntact(dir: string, before: string[], op?: Op, out?: string): Promise<Store> {
  const store = await openStore(dir);
  const names = (await store.images()).flatMap((i) => i.names);
  for (const t of before) expect(names).toContain(t);
  for (const t of names) {
    const image = await store.image(t);
    for (const l of image.layers) await store.getBlobBytes(l.digest, l.size); // a verified read
    expect(sha(await store.getBlobBytes(image.id))).toBe(image.id);
  }
  const b = await store.image('base:1');
  expect(b.digest).toBe(base.digest);
  for (const l of base.layers) expect(Buffer.from(await store.getBlobBytes(l.digest)).equals(l.blob)).toBe(true);
  // fsck: blobs, tags, the container and its writable layer.
  expect((await fsck(store)).problems).toEqual([]);
  const blobDir = path.join(dir, 'blobs');
  for (const e of await fs.readdir(blobDir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) expect(path.relative(blobDir, path.join(e.parentPath, e.name))).toMatch(DIGEST_FILE);
  }
  if (op && out) await op.checkOut?.(out);
  return store;
}

/** gc sweeps what dead processes left: temp files, leases, gc locks. */
async function expectSwept(store: Store): Promise<void> {
  await store.gc();
  expect(await fs.readdir(path.join(store.location, 'tmp'))).toEqual([]);
  expect(await store.backend.listRecords('leases')).toEqual([]);
  expect(await store.backend.listRecords('gc-locks')).toEqual([]);
}

/** Every invariant that must hold after a crash, whatever the point; then gc, and the operation again. */
async function expectSound(dir: string, op: Op, out: string): Promise<void> {
  const store = await expectIntact(dir, ['base:1'], op, out);
  await expectSwept(store);
  await op.again(store, out);
  expect((await fsck(store)).problems).toEqual([]);
  await op.checkOut?.(out);
}

/** Uncut length of each operation (ms), measured by its own test, so delay points fall inside it. */
const lengths = new Map<string, number>();

function pickPoint(k: number, r: number, length: number, w: { dir: string; match?: RegExp }): KillPoint {
  return k % 3 === 0
    ? { kind: 'appears', ...w, afterMs: 0, label: 'at first sign' }
    : k % 3 === 1
      ? { kind: 'appears', ...w, afterMs: Math.round(r * Math.min(80, length * 0.1)), label: 'soon after' }
      : { kind: 'delay', ms: Math.round(length * (0.15 + 0.6 * r)), label: 'after a delay' };
}

describe('kill -9 in the middle of an operation', () => {
  const rand = prng(SEED);
  for (const [i, op] of OPS.entries()) {
    it(`${op.name}: ${RUNS} kill points (seed ${SEED})`, async () => {
      // The operation's length uncut, so delay points fall inside it.
      const full = path.join(work, `full-${i}`);
      const fullOut = path.join(work, `full-out-${i}`);
      await fs.cp(template, full, { recursive: true });
      await fs.mkdir(fullOut, { recursive: true });
      const t0 = Date.now();
      const ok = await cli(full, ...op.args(full, fullOut)).done;
      const length = Date.now() - t0;
      lengths.set(op.name, length);
      expect(ok.code, ok.stderr).toBe(0);
      await expectIntact(full, ['base:1'], op, fullOut);
      await fs.rm(full, { recursive: true, force: true });

      const outcomes: string[] = [];
      for (let k = 0; k < RUNS; k++) {
        const dir = path.join(work, `run-${i}-${k}`);
        const out = path.join(work, `out-${i}-${k}`);
        await fs.cp(template, dir, { recursive: true });
        await fs.mkdir(out, { recursive: true });
        const w = op.watch(dir, out);
        const point = pickPoint(k, rand(), length, w);
        const { child, done } = cli(dir, ...op.args(dir, out));
        const outcome = await killAt(child, done, point);
        const res = await done;
        // Not killed: it must have finished normally.
        if (outcome === 'finished') expect(res.code, res.stderr).toBe(0);
        outcomes.push(`${point.label}: ${outcome}`);
        await expectSound(dir, op, out);
        // An archive's temp dir (docker-archive out) of the killed process went when the next one was made.
        expect((await fs.readdir(os.tmpdir())).filter((n) => /^layerfs-(docker|oci)-archive/.test(n) && n.includes(`-${child.pid}-`))).toEqual([]);
        await fs.rm(dir, { recursive: true, force: true });
      }
      // Where the points fell (whether a point cuts the operation depends on timing, so it is reported, not asserted).
      console.log(`crash ${op.name}: ${outcomes.join('; ')}`);
    }, 60_000 + RUNS * 10_000);
  }
});

describe('kill -9 again and again on one store', () => {
  const rand = prng(SEED ^ 0x5eed);
  const steps = RUNS + 1;
  it(`${steps} operations in a row, each killed at a random point (seed ${SEED}), leave it sound`, async () => {
    const dir = path.join(work, 'sequence');
    const out = path.join(work, 'sequence-out');
    await fs.cp(template, dir, { recursive: true });
    await fs.mkdir(out, { recursive: true });
    const log: string[] = [];
    for (let k = 0; k < steps; k++) {
      const op = OPS[Math.floor(rand() * OPS.length)]!;
      // Nothing is swept in between: each run meets what the killed ones left (temps, leases, a gc lock).
      const before = (await (await openStore(dir)).images()).flatMap((i) => i.names);
      const point = pickPoint(Math.floor(rand() * 3), rand(), lengths.get(op.name) ?? 1500, op.watch(dir, out));
      const { child, done } = cli(dir, ...op.args(dir, out));
      const outcome = await killAt(child, done, point);
      const res = await done;
      if (outcome === 'finished') expect(res.code, res.stderr).toBe(0);
      log.push(`${op.name} ${point.label}: ${outcome}`);
      await expectIntact(dir, before, op, out);
    }
    console.log(`crash sequence: ${log.join('; ')}`);
    const store = await openStore(dir);
    await expectSwept(store);
    for (const op of OPS) {
      await op.again(store, out);
      await op.checkOut?.(out);
    }
    expect((await fsck(store)).problems).toEqual([]);
  }, 60_000 + RUNS * 20_000);
});
