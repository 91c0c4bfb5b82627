/**
 * The digest memo of a context on disk (ContextDigestMemo): what list()
 * saw of each file, the digests an earlier build remembered, and what this
 * build learnt. Browser-safe bookkeeping; src/build/node.ts feeds it.
 */
import type { ContextDigestMemo, RememberedDigest } from './context.js';

/**
 * How long before the listing a file's times must lie for its digest to be
 * remembered: more than any file system's clock tick, so that no write can
 * share a tick with the one the digest was taken after (git's racy entries).
 */
export const SETTLE_MS = 1000;

/** A file as list() saw it. */
interface Seen {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  /** Whether its digest may be remembered (see SETTLE_MS, and CONFORMANCE 20 on whole-second times). */
  settled: boolean;
}

const sameStamp = (s: Seen, r: RememberedDigest) => r[0] === s.ino && r[1] === s.size && r[2] === s.mtimeMs && r[3] === s.ctimeMs;

export class DigestMemo implements ContextDigestMemo {
  private readonly seen = new Map<string, Seen>();
  private remembered = new Map<string, RememberedDigest>();
  private readonly learned = new Map<string, RememberedDigest>();
  private changed = false;

  constructor(readonly key: string) {}

  /** A regular file as list() saw it (`listedAt`: when the listing began, ms since the epoch). */
  saw(path: string, ino: number, size: number, mtimeMs: number, ctimeMs: number, listedAt: number): void {
    // The change time is the kernel's own (no utimes sets it): it must have a sub-second part.
    const settled = ctimeMs % 1000 !== 0 && Math.max(mtimeMs, ctimeMs) < listedAt - SETTLE_MS;
    this.seen.set(path, { ino, size, mtimeMs, ctimeMs, settled });
  }

  /** The remembered digest of `path`, when its stamp is the one it was hashed with. */
  known(path: string): string | undefined {
    const r = this.remembered.get(path);
    if (r === undefined) return undefined;
    const s = this.seen.get(path);
    if (s === undefined || !sameStamp(s, r)) return undefined;
    this.learned.set(path, r);
    return r[4];
  }

  /** The digest of `path` as just read. */
  learn(path: string, digest: string): void {
    const s = this.seen.get(path);
    if (!s?.settled) return;
    const r = this.remembered.get(path);
    if (r === undefined || !sameStamp(s, r) || r[4] !== digest) this.changed = true;
    this.learned.set(path, [s.ino, s.size, s.mtimeMs, s.ctimeMs, digest]);
  }

  restore(files: Record<string, RememberedDigest>): void {
    this.remembered = new Map();
    for (const path of Object.keys(files ?? {})) {
      const r = files[path];
      if (Array.isArray(r) && r.length === 5 && typeof r[4] === 'string' && r.slice(0, 4).every((x) => typeof x === 'number')) this.remembered.set(path, r);
    }
  }

  dump(): Record<string, RememberedDigest> | undefined {
    // What was remembered and still holds (files this build did not read) is kept too.
    const out = new Map(this.learned);
    for (const [path, r] of this.remembered) {
      if (out.has(path)) continue;
      const s = this.seen.get(path);
      if (s !== undefined && sameStamp(s, r)) out.set(path, r);
      else this.changed = true; // gone, or changed and not read again
    }
    return this.changed ? Object.fromEntries(out) : undefined;
  }
}
