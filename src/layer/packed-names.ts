/**
 * A layer's entry names packed as the Wasm union index reads them: every
 * name as stored in the tar (UTF-8), one NUL byte between two names (no NUL
 * ends the last), in tar order, and one kind byte per entry (0 directory,
 * 1 anything else: all the index needs of a type). Tar names cannot hold a
 * NUL (the header fields end at one, and the union index refuses one), so
 * the separator is unambiguous. readLayer fills one while it parses, so a
 * union view built from it never encodes a JS string (src/union).
 */
import type { EntryType } from '../tar/types.js';

export interface PackedNames {
  /** UTF-8 names joined by single NUL bytes, entry order. */
  readonly bytes: Uint8Array;
  /** PackedKind of each entry. */
  readonly kinds: Uint8Array;
}

/** The kind byte of an entry. */
export const PackedKind = { directory: 0, other: 1 } as const;

const enc = new TextEncoder();

/** Collects names one at a time into a buffer grown by doubling. */
export class PackedNamesBuilder {
  #bytes = new Uint8Array(4096);
  #len = 0;
  #kinds = new Uint8Array(256);
  #count = 0;

  add(path: string, type: EntryType | string | undefined): void {
    const sep = this.#count > 0 ? 1 : 0;
    // ASCII first; room for the worst case (3 bytes per UTF-16 unit) only if that fails.
    this.#reserve(sep + path.length);
    if (sep) this.#bytes[this.#len] = 0;
    let r = enc.encodeInto(path, this.#bytes.subarray(this.#len + sep));
    if (r.read! < path.length) {
      this.#reserve(sep + 3 * path.length);
      r = enc.encodeInto(path, this.#bytes.subarray(this.#len + sep));
    }
    this.#len += sep + r.written!;
    if (this.#count === this.#kinds.length) {
      const k = new Uint8Array(2 * this.#kinds.length);
      k.set(this.#kinds);
      this.#kinds = k;
    }
    this.#kinds[this.#count++] = type === 'directory' ? PackedKind.directory : PackedKind.other;
  }

  get count(): number {
    return this.#count;
  }

  /** The table (trimmed copies; the builder can be dropped). */
  finish(): PackedNames {
    return { bytes: this.#bytes.slice(0, this.#len), kinds: this.#kinds.slice(0, this.#count) };
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#bytes.length) return;
    const b = new Uint8Array(Math.max(2 * this.#bytes.length, this.#len + n));
    b.set(this.#bytes.subarray(0, this.#len));
    this.#bytes = b;
  }
}

/** The packed names of entries already parsed (what readLayer gives, for entries from elsewhere). */
export function packNames(entries: ArrayLike<{ readonly path: string; readonly type?: EntryType | string }>): PackedNames {
  const b = new PackedNamesBuilder();
  for (let i = 0; i < entries.length; i++) b.add(entries[i]!.path, entries[i]!.type);
  return b.finish();
}
