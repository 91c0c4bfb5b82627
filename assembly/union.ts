// Union path index over a stack of layers (CONFORMANCE.md rules 7-9, 12-16,
// 23; OCI image-spec layer.md "Whiteouts"). Works on packed tables in linear
// memory laid out by src/core/union.ts; nothing here knows about images.
//
// Three stages, all over bytes:
//  1. per layer: split the NUL-joined entry names, clean them in place, turn
//     `.wh.NAME` into a whiteout of NAME and `.wh..wh..opq` into an opaque
//     mark of its directory (unionSplitClean);
//  2. per layer: stable sort by path ('/' ranked first, rule 21), collapse
//     duplicates (last wins, rule 16), drop what the layer itself hides
//     (children of a path it made a non-directory, rule 12) and add the
//     implied parent directories of its entries (rule 14) (unionSort,
//     unionRecords) -> one "record" per path, with its key's hash;
//  3. k-way merge of the layers' records, top layer winning, applying
//     whiteouts and opaque marks of higher layers to lower ones only
//     (rules 8, 9) -> the merged table, then a hash table over it from the
//     records' hashes (unionMerge, unionTable; unionPack when the keys are
//     copied out).

// Entry kinds written by JS (low nibble) and the CHANGED bit added here.
const K_DIR: u8 = 0;
const K_NONDIR: u8 = 1;
const K_WHITEOUT: u8 = 2;
const K_OPAQUE: u8 = 3;
const K_IGNORED: u8 = 4;
const K_CHANGED: u8 = 0x10;

// Record flags (stage 2 output).
const R_REAL: u8 = 1; // a real entry survives here (the record's entry is its index)
const R_DIR: u8 = 2; // ... and it is a directory
const R_WHITEOUT: u8 = 4; // the layer deletes this path from lower layers
const R_OPAQUE: u8 = 8; // the layer hides lower children of this directory
const R_IMPLIED: u8 = 16; // the layer has entries below this path
const R_CHANGED: u8 = 32; // the real entry's stored name was not clean

// Node flags (stage 3 output), read by src/core/union.ts.
const N_DIR: u8 = 1;
const N_IMPLIED: u8 = 2;
const N_CHANGED: u8 = 4;

const E_NUL: i32 = -1;
const E_UNSAFE: i32 = -2;
const E_WHITEOUT: i32 = -3;
const E_BELOW_WHITEOUT: i32 = -4;
const E_KIND: i32 = -5; // a kind other than K_DIR or K_NONDIR

const INF: i32 = 0x7fffffff;

let errIndex: i32 = 0;
let maxDepth: i32 = 0;
let keyBytes: i32 = 0;
let maxKeyLen: i32 = 0;
let splitEnd: i32 = 0;

/** Entry index of the last error returned by unionSplitClean. */
export function unionErrorIndex(): i32 {
  return errIndex;
}
/** Deepest path (in '/' separators) seen by the last unionSplitClean. */
export function unionMaxDepth(): i32 {
  return maxDepth;
}
/** End of the names and their rewritten copies after the last unionSplitClean (see there). */
export function unionSplitEnd(): i32 {
  return splitEnd;
}
/** Longest key of the layer the last unionSplitClean split, in bytes (sizes unionRecords' hash states). */
export function unionMaxKeyLen(): i32 {
  return maxKeyLen;
}
/** Total bytes of the merged keys of the last unionMerge. */
export function unionKeyBytes(): i32 {
  return keyBytes;
}

/**
 * A block of `size` bytes for one index build, or 0 when memory cannot grow
 * that far (checked first: a failed grow inside the allocator would trap).
 * Blocks are released with unionFree in reverse order, which lets the stub
 * runtime's bump allocator take the space back.
 */
export function unionAlloc(size: usize): usize {
  if (size == 0) size = 8;
  const pages = <i32>((size + 0xffff) >>> 16);
  if (memory.size() + pages + 1 > 65536) return 0;
  return heap.alloc(size);
}

/**
 * Block `ptr` resized to `size` bytes, its contents kept (grown in place
 * when it is the last block, as a buffer being filled is), or 0 when memory
 * cannot grow that far.
 */
export function unionRealloc(ptr: usize, size: usize): usize {
  const pages = <i32>((size + 0xffff) >>> 16);
  if (memory.size() + pages + 1 > 65536) return 0;
  return heap.realloc(ptr, size);
}

export function unionFree(ptr: usize): void {
  if (ptr != 0) heap.free(ptr);
}

// ---------------------------------------------------------------- stage 1

/** An empty, `.` or `..` path segment (what cleaning removes). */
// @ts-ignore: decorator
@inline function isDotSeg(p: usize, l: i32): bool {
  return l == 0 || (l <= 2 && load<u8>(p) == 46 && (l == 1 || load<u8>(p + 1) == 46));
}

let gPlainDepth: i32 = 0;
let gPlainSeg: i32 = 0;
let gPlainLcp: i32 = -1;

/**
 * The end (its NUL) of the name at pos when it needs no cleaning and has no
 * `.wh.` segment: no segment of it starts with '.' or '/' and it does not
 * end with '/' or right where it starts. Sets gPlainDepth (its '/' count)
 * and gPlainSeg (where its last segment starts). -1 for any other name, or
 * when its NUL is not within 16-byte steps that stay below rawLen. With
 * prev >= 0 (where the name before starts) also sets gPlainLcp, the common
 * prefix of the two names: compared in the same steps, each name's NUL
 * ending the other's match (names hold no NUL).
 */
function plainName(raw: usize, pos: i32, rawLen: i32, prev: i32): i32 {
  const zero = i8x16.splat(0);
  const slash = i8x16.splat(47);
  const dot = i8x16.splat(46);
  let p = pos;
  let carry: i32 = 1; // bit 0: the step's first byte starts a segment
  let depth: i32 = 0;
  let last: i32 = -1;
  let lcp: i32 = prev >= 0 ? INF : -1;
  while (p + 16 <= rawLen) {
    const v = v128.load(raw + <usize>p);
    if (lcp == INF) {
      const mm = ~i8x16.bitmask(i8x16.eq(v, v128.load(raw + <usize>(prev + p - pos)))) & 0xffff;
      if (mm != 0) lcp = p - pos + ctz(mm);
    }
    const m0 = i8x16.bitmask(i8x16.eq(v, zero));
    const ms = i8x16.bitmask(i8x16.eq(v, slash));
    const md = i8x16.bitmask(i8x16.eq(v, dot));
    // Bytes that start a segment and are '.', '/' or the name's end.
    const odd = ((ms << 1) | carry) & (md | ms | m0);
    if (m0 != 0) {
      const e = ctz(m0);
      if ((odd & ((2 << e) - 1)) != 0) return -1;
      const s = ms & ((1 << e) - 1);
      depth += popcnt(s);
      if (s != 0) last = p + 31 - clz(s);
      gPlainDepth = depth;
      gPlainSeg = last >= 0 ? last + 1 : pos;
      gPlainLcp = lcp > p + e - pos ? p + e - pos : lcp;
      return p + e;
    }
    if (odd != 0) return -1;
    depth += popcnt(ms);
    if (ms != 0) last = p + 31 - clz(ms);
    carry = (ms >> 15) & 1;
    p += 16;
  }
  return -1;
}

/**
 * Splits `raw` (n names joined by NUL bytes) into off/len, cleans each name
 * (no empty or `.` segments, `..` pops, above the root is an error) and
 * classifies whiteouts, rewriting their key to the target (whiteout) or
 * the directory (opaque marker). The rawLen name bytes are left as they
 * are: a name that cleaning or a whiteout rewrites is copied after them
 * first (the block needs room for rawLen more bytes), and unionSplitEnd()
 * tells where those copies end. Returns the total number of '/' in the
 * clean keys (a bound for implied parents), or E_* (E_KIND: a kind other
 * than 0 (directory) or 1 (anything else) given; E_BELOW_WHITEOUT: a
 * `.wh.` name used as a directory). slcp (n i32): slcp[i] := the common
 * prefix of keys i - 1 and i where both are their names as given and the
 * SIMD build compared them on the way (for unionSort), else -1.
 */
export function unionSplitClean(raw: usize, rawLen: i32, n: i32, off: usize, len: usize, kind: usize, slcp: usize): i32 {
  let sumDepth: i32 = 0;
  maxDepth = 0;
  errIndex = 0;
  let pos: i32 = 0;
  let ov: i32 = rawLen; // end of the rewritten copies
  splitEnd = rawLen;
  maxKeyLen = 0;
  let prevPlain: i32 = -1; // where the name before starts, when it was plain
  let prevLen: i32 = 0; // and its length
  for (let i: i32 = 0; i < n; i++) {
    if (ASC_FEATURE_SIMD) {
      // 16 bytes a step: a name none of whose segments starts with '.', '/'
      // or its end (no empty, `.`, `..` or `.wh.` segment: nothing to clean
      // or rewrite) is its own key, done here; any other name, and the
      // bytes of the last 15 (the vector must not read past the names),
      // take the byte loop below.
      const pp = prevPlain;
      const l = plainName(raw, pos, rawLen, pp);
      prevPlain = -1;
      if (l >= 0) {
        // A NUL that ends the last name means more names than n.
        if (i == n - 1) {
          errIndex = i;
          return E_NUL;
        }
        // The pair's order, while its bytes are at hand: a pair out of
        // order gets -1, and unionSort compares it again (and sorts).
        const cl = l - pos;
        let lc = gPlainLcp;
        if (lc >= 0) {
          if (lc < cl && lc < prevLen) {
            if (rank(<u32>load<u8>(raw + <usize>(pp + lc))) > rank(<u32>load<u8>(raw + <usize>(pos + lc)))) lc = -1;
          } else if (lc == cl && cl < prevLen) lc = -1;
        }
        store<i32>(slcp + (<usize>i << 2), lc);
        if (load<u8>(kind + <usize>i) > K_NONDIR) {
          errIndex = i;
          return E_KIND;
        }
        store<u32>(off + (<usize>i << 2), <u32>pos);
        store<u32>(len + (<usize>i << 2), <u32>cl);
        if (cl > maxKeyLen) maxKeyLen = cl;
        const d = gPlainDepth;
        sumDepth += d;
        if (d > maxDepth) maxDepth = d;
        prevPlain = pos;
        prevLen = cl;
        pos = l + 1;
        continue;
      }
    }
    store<i32>(slcp + (<usize>i << 2), -1);
    // One pass finds the end of the name, counts its separators and tells
    // whether it is already clean.
    let end = pos;
    let seg = pos;
    let d: i32 = 0;
    let dirty = false;
    let whDir = false; // a segment before the last one is a `.wh.` name
    while (end < rawLen) {
      const c = load<u8>(raw + <usize>end);
      if (c <= 47) {
        if (c == 0) break;
        if (c == 47) {
          if (isDotSeg(raw + <usize>seg, end - seg)) dirty = true;
          else if (end - seg >= 4 && load<u32>(raw + <usize>seg) == 0x2e68772e) whDir = true;
          d++;
          seg = end + 1;
        }
      }
      end++;
    }
    if (i < n - 1 ? end >= rawLen : end != rawLen) {
      errIndex = i;
      return E_NUL;
    }
    if (end > pos && isDotSeg(raw + <usize>seg, end - seg)) dirty = true;
    let s = raw + <usize>pos;
    let at = pos; // where the key lies (the name itself, or its rewritten copy)
    const rl = end - pos;
    let w: i32 = rl;
    let b: i32 = seg - pos; // base name start
    if (dirty) {
      // Names are never rewritten where they lie (the caller's copy of the
      // bytes stays valid for the keys that point into it): a name to clean
      // is copied past the names first.
      memory.copy(raw + <usize>ov, s, <usize>rl);
      s = raw + <usize>ov;
      at = ov;
      ov += rl;
      // Clean in place: w (write) never passes r (read).
      w = 0;
      let r: i32 = 0;
      while (r < rl) {
        let e = r;
        while (e < rl && load<u8>(s + <usize>e) != 47) e++;
        const sl = e - r;
        if (sl == 0 || (sl == 1 && load<u8>(s + <usize>r) == 46)) {
          // empty or '.'
        } else if (sl == 2 && load<u8>(s + <usize>r) == 46 && load<u8>(s + <usize>r + 1) == 46) {
          if (w == 0) {
            errIndex = i;
            return E_UNSAFE;
          }
          while (w > 0 && load<u8>(s + <usize>(w - 1)) != 47) w--;
          if (w > 0) w--; // drop the separator too
        } else {
          if (w > 0) store<u8>(s + <usize>(w++), 47);
          for (let j: i32 = 0; j < sl; j++) store<u8>(s + <usize>(w + j), load<u8>(s + <usize>(r + j)));
          w += sl;
        }
        r = e + 1;
      }
      d = 0;
      b = 0;
      for (let j: i32 = 0; j < w; j++) {
        if (load<u8>(s + <usize>j) == 47) {
          d++;
          b = j + 1;
        }
      }
    }
    if (dirty && whDir) {
      // Cleaning may have dropped or moved that segment: look again.
      whDir = false;
      let sg: i32 = 0;
      for (let j: i32 = 0; j < b; j++) {
        if (load<u8>(s + <usize>j) != 47) continue;
        if (j - sg >= 4 && load<u32>(s + <usize>sg) == 0x2e68772e) whDir = true;
        sg = j + 1;
      }
    }
    if (whDir) {
      // Nothing exists below a whiteout name (applyLayer refuses it too).
      errIndex = i;
      return E_BELOW_WHITEOUT;
    }
    let k = load<u8>(kind + <usize>i);
    if (k > K_NONDIR) {
      errIndex = i;
      return E_KIND;
    }
    let changed = w != rl;
    const bl = w - b;
    if (bl >= 4 && load<u32>(s + <usize>b) == 0x2e68772e) {
      // ".wh." little-endian
      if (bl == 12 && load<u64>(s + <usize>b + 4) == 0x71706f2e2e68772e) {
        // ".wh..wh..opq": the key is the directory
        k = K_OPAQUE;
        w = b > 0 ? b - 1 : 0;
        if (d > 0) d--;
      } else {
        if (at == pos) {
          memory.copy(raw + <usize>ov, s, <usize>w);
          s = raw + <usize>ov;
          at = ov;
          ov += w;
        }
        const nl = bl - 4;
        const np = s + <usize>b + 4;
        const bad =
          nl == 0 ||
          (nl == 1 && load<u8>(np) == 46) ||
          (nl == 2 && load<u8>(np) == 46 && load<u8>(np + 1) == 46) ||
          (nl >= 4 && load<u32>(np) == 0x2e68772e);
        if (bad) {
          errIndex = i;
          return E_WHITEOUT;
        }
        memory.copy(s + <usize>b, np, <usize>nl);
        w -= 4;
        k = K_WHITEOUT;
      }
      changed = true;
    } else if (w == 0 && k != K_DIR) {
      // Rule 18: an empty name or '.' never replaces the root's type.
      k = K_IGNORED;
    }
    store<u8>(kind + <usize>i, k | (changed ? K_CHANGED : 0));
    store<u32>(off + (<usize>i << 2), <u32>at);
    store<u32>(len + (<usize>i << 2), <u32>w);
    if (w > maxKeyLen) maxKeyLen = w;
    sumDepth += d;
    if (d > maxDepth) maxDepth = d;
    pos = end + 1;
  }
  if (n == 0 && rawLen != 0) {
    errIndex = 0;
    return E_NUL;
  }
  splitEnd = ov;
  return sumDepth;
}

// ---------------------------------------------------------------- keys

// @ts-ignore: decorator
@inline function rank(b: u32): u32 {
  return b == 47 ? 0 : b;
}

/** comparePaths over UTF-8 bytes: '/' first, then byte order, shorter first. */
// @ts-ignore: decorator
@inline function cmpKeys(a: usize, al: i32, b: usize, bl: i32): i32 {
  return cmpFrom(a, al, b, bl, 0);
}

/** The length of the prefix keys a and b share. */
// @ts-ignore: decorator
@inline function lcpOf(a: usize, al: i32, b: usize, bl: i32): i32 {
  cmpFrom(a, al, b, bl, 0);
  return gL;
}

// ---------------------------------------------------------------- stage 2

// @ts-ignore: decorator
@inline function cmpIdx(raw: usize, off: usize, len: usize, i: u32, j: u32): i32 {
  return cmpKeys(
    raw + <usize>load<u32>(off + (<usize>i << 2)), <i32>load<u32>(len + (<usize>i << 2)),
    raw + <usize>load<u32>(off + (<usize>j << 2)), <i32>load<u32>(len + (<usize>j << 2)),
  );
}

/** Stable sort of the n entry indices at `a` by key (tmp: n slots). */
function sortIdx(raw: usize, off: usize, len: usize, a: usize, n: i32, tmp: usize): void {
  // Insertion sort on runs of 16, then bottom-up merges.
  const RUN: i32 = 16;
  for (let lo: i32 = 0; lo < n; lo += RUN) {
    const hi = min(lo + RUN, n);
    for (let i = lo + 1; i < hi; i++) {
      const v = load<u32>(a + (<usize>i << 2));
      let j = i - 1;
      while (j >= lo && cmpIdx(raw, off, len, load<u32>(a + (<usize>j << 2)), v) > 0) {
        store<u32>(a + (<usize>(j + 1) << 2), load<u32>(a + (<usize>j << 2)));
        j--;
      }
      store<u32>(a + (<usize>(j + 1) << 2), v);
    }
  }
  let src = a;
  let dst = tmp;
  for (let width: i32 = RUN; width < n; width <<= 1) {
    for (let lo: i32 = 0; lo < n; lo += width << 1) {
      const mid = min(lo + width, n);
      const hi = min(lo + (width << 1), n);
      if (mid >= hi || cmpIdx(raw, off, len, load<u32>(src + (<usize>(mid - 1) << 2)), load<u32>(src + (<usize>mid << 2))) <= 0) {
        memory.copy(dst + (<usize>lo << 2), src + (<usize>lo << 2), <usize>(hi - lo) << 2);
        continue;
      }
      mergeRuns(raw, off, len, src + (<usize>lo << 2), mid - lo, src + (<usize>mid << 2), hi - mid, dst + (<usize>lo << 2));
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src != a) memory.copy(a, src, <usize>n << 2);
}

/** Does entry u's key go before entry v's? On equal keys the smaller entry index first (stability). */
// @ts-ignore: decorator
@inline function before(raw: usize, off: usize, len: usize, u: u32, v: u32): bool {
  const c = cmpIdx(raw, off, len, u, v);
  return c < 0 || (c == 0 && u < v);
}

/** Merges two sorted index runs into dst (order: `before`). */
function mergeRuns(raw: usize, off: usize, len: usize, x: usize, nx: i32, y: usize, ny: i32, dst: usize): void {
  let i: i32 = 0;
  let j: i32 = 0;
  let o: usize = dst;
  while (i < nx && j < ny) {
    const u = load<u32>(x + (<usize>i << 2));
    const v = load<u32>(y + (<usize>j << 2));
    if (before(raw, off, len, u, v)) {
      store<u32>(o, u);
      i++;
    } else {
      store<u32>(o, v);
      j++;
    }
    o += 4;
  }
  if (i < nx) memory.copy(o, x + (<usize>i << 2), <usize>(nx - i) << 2);
  if (j < ny) memory.copy(o, y + (<usize>j << 2), <usize>(ny - j) << 2);
}

/**
 * Merges unionSort's long main run x with its few other keys y into dst,
 * and gives each output position the common prefix of its key with the key
 * before it (dl, i32 per position): a key of x that follows its own
 * predecessor in x keeps that one's (xl[i], found by the sortedness check).
 * Each key v of y is compared with the next key of x once; from there the
 * common prefixes of x's neighbours carry the comparison along (Ng and
 * Kakehi's LCP merge, one side at a time): with h = lcp(x[p], v) and x[p]
 * before v, a next key sharing more than h with x[p] is before v too (and
 * shares h with it), one sharing less is after v (and shares that much),
 * and only one sharing exactly h compares bytes, from h on. So the x keys
 * before v cost one integer comparison each, they are copied in one block,
 * and the prefixes next to v come out of the walk.
 */
function mergeRunsLcp(raw: usize, off: usize, len: usize, x: usize, nx: i32, xl: usize, y: usize, ny: i32, dst: usize, dl: usize): void {
  let i: i32 = 0; // next key of x
  let o: i32 = 0; // keys written
  let nextL: i32 = 0; // lcp(the last key of y written, x[i])
  for (let j: i32 = 0; j < ny; j++) {
    const v = load<u32>(y + (<usize>j << 2));
    const vp = raw + <usize>load<u32>(off + (<usize>v << 2));
    const vl = <i32>load<u32>(len + (<usize>v << 2));
    let p = i; // the first key of x not before v
    let vL: i32 = 0; // lcp(the key v follows, v)
    let nL: i32 = 0; // lcp(v, x[p])
    if (i < nx) {
      let u = load<u32>(x + (<usize>i << 2));
      let c = cmpFrom(raw + <usize>load<u32>(off + (<usize>u << 2)), <i32>load<u32>(len + (<usize>u << 2)), vp, vl, 0);
      let h = gL;
      if (c < 0 || (c == 0 && u < v)) {
        // x[i] goes before v: walk on while the neighbours' prefixes say so.
        p = i + 1;
        while (p < nx) {
          const s = load<i32>(xl + (<usize>p << 2));
          if (s > h) {
            p++;
            continue;
          }
          if (s < h) {
            nL = s;
            break;
          }
          u = load<u32>(x + (<usize>p << 2));
          c = cmpFrom(raw + <usize>load<u32>(off + (<usize>u << 2)), <i32>load<u32>(len + (<usize>u << 2)), vp, vl, h);
          if (c < 0 || (c == 0 && u < v)) {
            h = gL;
            p++;
            continue;
          }
          nL = gL;
          break;
        }
        vL = h;
      } else {
        nL = h;
        // v follows the last key written (of y, or x[i - 1]).
        if (o > 0) vL = lcpIdx(raw, off, len, load<u32>(dst + (<usize>(o - 1) << 2)), v);
      }
    } else if (o > 0) vL = lcpIdx(raw, off, len, load<u32>(dst + (<usize>(o - 1) << 2)), v);
    const c = p - i;
    if (c > 0) {
      memory.copy(dst + (<usize>o << 2), x + (<usize>i << 2), <usize>c << 2);
      memory.copy(dl + (<usize>o << 2), xl + (<usize>i << 2), <usize>c << 2);
      // The first of the block follows a key of y (or nothing).
      store<i32>(dl + (<usize>o << 2), o == 0 ? 0 : nextL);
      o += c;
      i = p;
    }
    store<u32>(dst + (<usize>o << 2), v);
    store<i32>(dl + (<usize>o << 2), o > 0 ? vL : 0);
    o++;
    nextL = nL;
  }
  const c = nx - i;
  if (c > 0) {
    memory.copy(dst + (<usize>o << 2), x + (<usize>i << 2), <usize>c << 2);
    memory.copy(dl + (<usize>o << 2), xl + (<usize>i << 2), <usize>c << 2);
    if (o > 0) store<i32>(dl + (<usize>o << 2), nextL);
    else store<i32>(dl, 0);
  }
}

/** The common prefix of entries u's and v's keys. */
function lcpIdx(raw: usize, off: usize, len: usize, u: u32, v: u32): i32 {
  return lcpOf(
    raw + <usize>load<u32>(off + (<usize>u << 2)), <i32>load<u32>(len + (<usize>u << 2)),
    raw + <usize>load<u32>(off + (<usize>v << 2)), <i32>load<u32>(len + (<usize>v << 2)),
  );
}

/**
 * perm := 0..n-1 stably sorted by key (tmp: 2n slots). Layer writers emit
 * paths in this order already, except that rewriting whiteouts to their
 * targets (and cleaning odd spellings) moves those keys: such entries are
 * sorted apart and merged back, so a sorted layer costs about one pass.
 * plcp (2n i32): plcp[i] := the common prefix of the keys at perm[i - 1]
 * and perm[i] (plcp[0] := 0); the sortedness check finds most of them for
 * free, and unionRecords then needs no key comparison.
 */
export function unionSort(raw: usize, n: i32, off: usize, len: usize, kind: usize, perm: usize, tmp: usize, plcp: usize): void {
  const main = tmp;
  const other = tmp + (<usize>n << 2);
  // The main run's common prefixes go above plcp's n slots (the merge with
  // the others writes plcp[0..n) as it reads them). Those slots come from
  // unionSplitClean: where it compared a name with the one before and found
  // them in order, their common prefix (slot i is read before slots <= i
  // are written), so checking the run's order mostly reads one slot a key.
  const sl = plcp + (<usize>n << 2);
  let nm: i32 = 0;
  let no: i32 = 0;
  let sorted = true;
  let prev: i32 = -1; // the main run's last key
  for (let i: i32 = 0; i < n; i++) {
    if ((load<u8>(kind + <usize>i) & K_CHANGED) != 0) {
      store<u32>(other + (<usize>(no++) << 2), <u32>i);
      continue;
    }
    let l: i32 = 0;
    if (prev >= 0 && sorted) {
      l = prev == i - 1 ? load<i32>(sl + (<usize>i << 2)) : -1;
      if (l < 0) {
        const c = cmpFrom(
          raw + <usize>load<u32>(off + (<usize>prev << 2)), <i32>load<u32>(len + (<usize>prev << 2)),
          raw + <usize>load<u32>(off + (<usize>i << 2)), <i32>load<u32>(len + (<usize>i << 2)),
          0,
        );
        if (c > 0) sorted = false;
        l = gL;
      }
    }
    store<i32>(sl + (<usize>nm << 2), l);
    store<u32>(main + (<usize>(nm++) << 2), <u32>i);
    prev = i;
  }
  if (!sorted) {
    for (let i: i32 = 0; i < n; i++) store<u32>(perm + (<usize>i << 2), <u32>i);
    sortIdx(raw, off, len, perm, n, tmp);
    if (n > 0) store<i32>(plcp, 0);
    for (let i: i32 = 1; i < n; i++) store<i32>(plcp + (<usize>i << 2), lcpIdx(raw, off, len, load<u32>(perm + (<usize>(i - 1) << 2)), load<u32>(perm + (<usize>i << 2))));
    return;
  }
  if (no == 0) {
    memory.copy(perm, main, <usize>n << 2);
    memory.copy(plcp, sl, <usize>n << 2);
    return;
  }
  sortIdx(raw, off, len, other, no, perm);
  mergeRunsLcp(raw, off, len, main, nm, sl, other, no, perm, plcp);
}

// Stage-2 stack frame: key len, min tar index of surviving descendants, record index.
// Its key is the first `key len` bytes of the last record's key (see unionRecords).
const SF: usize = 12;

// A record (20 bytes, in one array so that the merge reads one stream per
// layer, not five): key offset in the layer's bytes, key length, entry
// index (-1: none), the length of the prefix the key shares with the
// previous record's (the merge uses it to skip comparing what is already
// known to be equal), and the key's hash (made here, while the layer's
// keys are in cache; a view's hash table is built from them without
// reading a key again). Flags are a byte array of their own.
const REC: usize = 20;

/**
 * One record per distinct key of a sorted layer. Returns the record count.
 * stack: (maxDepth + 2) * SF bytes. rec: n + sumDepth + 1 records of REC
 * bytes; recFlags: as many bytes. plcp: as unionSort left it. states:
 * 8 * (unionMaxKeyLen() / 8 + 1) bytes (see hashKey). Reads up to 15 bytes
 * past a key (16-byte steps, masked): the caller leaves 16 bytes of room
 * after raw's keys.
 *
 * Every key comparison here comes from plcp: in sorted keys the common
 * prefix of two keys is the least of the common prefixes of the neighbours
 * between them, so `lr` (the last record's common prefix with the key at
 * hand) follows along, and the frames on the stack, all prefixes of the
 * last record's key, share min(their length, lr) bytes with it.
 */
export function unionRecords(
  raw: usize, n: i32, off: usize, len: usize, kind: usize, perm: usize, stack: usize,
  rec: usize, recFlags: usize, plcp: usize, states: usize,
): i32 {
  hashStart(states);
  let sp: i32 = 0; // frames on the stack
  let r: i32 = 0; // records written
  let lr: i32 = 0; // common prefix of the last record's key with this key
  let g: i32 = 0;
  while (g < n) {
    const first = load<u32>(perm + (<usize>g << 2));
    const kp = raw + <usize>load<u32>(off + (<usize>first << 2));
    const kl = <i32>load<u32>(len + (<usize>first << 2));
    if (g > 0) {
      const c = load<i32>(plcp + (<usize>g << 2));
      if (c < lr) lr = c;
    }
    let ge = g + 1;
    while (ge < n) {
      const x = load<u32>(perm + (<usize>ge << 2));
      if (<i32>load<u32>(len + (<usize>x << 2)) != kl || load<i32>(plcp + (<usize>ge << 2)) < kl) break;
      ge++;
    }
    // Deepest ancestor on the stack.
    while (sp > 0) {
      const fl = load<i32>(stack + <usize>(sp - 1) * SF);
      if (fl == 0 ? kl > 0 : fl < kl && lr >= fl && load<u8>(kp + <usize>fl) == 47) break;
      sp--;
    }
    const inherited = sp > 0 ? load<i32>(stack + <usize>(sp - 1) * SF, 4) : 0;
    // Collapse the group (tar order, because the sort is stable).
    let finalIdx: i32 = -1;
    let finalDir = false;
    let finalChanged = false;
    let lastNonDir: i32 = -1;
    let barrier: i32 = 0;
    let pending = false;
    let wh = false;
    let opq = false;
    for (let j = g; j < ge; j++) {
      const idx = <i32>load<u32>(perm + (<usize>j << 2));
      if (idx < inherited) continue; // hidden by this layer's own replacement of an ancestor
      const kb = load<u8>(kind + <usize>idx);
      const k = kb & 0x0f;
      if (k == K_DIR || k == K_NONDIR) {
        if (k == K_NONDIR) {
          lastNonDir = idx;
          pending = true;
        } else if (pending) {
          // A directory recreated after a non-directory: remove, then recreate
          // (rule 16); this layer's entries below written before it are gone.
          barrier = idx;
          pending = false;
        }
        finalIdx = idx;
        finalDir = k == K_DIR;
        finalChanged = (kb & K_CHANGED) != 0;
      } else if (k == K_WHITEOUT) wh = true;
      else if (k == K_OPAQUE) opq = true;
    }
    if (finalIdx < 0 && !wh && !opq) {
      g = ge;
      continue;
    }
    // The key's hash states, continued from the last record's: its
    // placeholders below are prefixes of it, so their states are here too.
    const hash = hashKey(kp, kl, lr, states);
    // Placeholders for missing ancestors keep the records sorted and give
    // implied parents a record to be marked on.
    let from: i32 = sp > 0 ? load<i32>(stack + <usize>(sp - 1) * SF) + 1 : 0;
    if (ASC_FEATURE_SIMD) {
      // Most keys add no directory: skip 16 bytes without a '/' at a time,
      // the last step masked to the key (raw has 16 bytes of room after it).
      const slash = i8x16.splat(47);
      while (from < kl) {
        let m = i8x16.bitmask(i8x16.eq(v128.load(kp + <usize>from), slash));
        if (kl - from < 16) m &= (1 << (kl - from)) - 1;
        if (m != 0) {
          from += ctz(m);
          break;
        }
        from += 16;
      }
    }
    for (let q = from; q < kl; q++) {
      if (load<u8>(kp + <usize>q) != 47) continue;
      const rp = rec + <usize>r * REC;
      store<u32>(rp, <u32>(kp - raw));
      store<u32>(rp, <u32>q, 4);
      store<i32>(rp, -1, 8);
      store<i32>(rp, lr < q ? lr : q, 12);
      store<u32>(rp, hashPrefix(kp, q, states), 16);
      store<u8>(recFlags + <usize>r, 0);
      lr = q;
      const f = stack + <usize>sp * SF;
      store<i32>(f, q);
      store<i32>(f, inherited, 4);
      store<i32>(f, r, 8);
      sp++;
      r++;
    }
    let flags: u8 = 0;
    if (finalIdx >= 0) {
      flags |= R_REAL;
      if (finalDir) flags |= R_DIR;
      if (finalChanged) flags |= R_CHANGED;
      // A directory that replaced a non-directory of this layer does not merge with lower ones.
      if (finalDir && lastNonDir >= 0) flags |= R_OPAQUE;
    }
    if (wh) flags |= R_WHITEOUT;
    if (opq) flags |= R_OPAQUE;
    const rp = rec + <usize>r * REC;
    store<u32>(rp, <u32>(kp - raw));
    store<u32>(rp, <u32>kl, 4);
    store<i32>(rp, finalIdx, 8);
    store<i32>(rp, lr < kl ? lr : kl, 12);
    store<u32>(rp, hash, 16);
    store<u8>(recFlags + <usize>r, flags);
    lr = kl;
    if (finalIdx >= 0) {
      // Every ancestor of a real entry is a directory of this layer (rule 14).
      for (let s = sp - 1; s >= 0; s--) {
        const rf = recFlags + <usize>load<i32>(stack + <usize>s * SF, 8);
        const fl = load<u8>(rf);
        if ((fl & R_IMPLIED) != 0) break;
        store<u8>(rf, fl | R_IMPLIED);
      }
    }
    let minIdx = inherited;
    if (finalIdx >= 0 && !finalDir) minIdx = INF;
    else if (barrier > minIdx) minIdx = barrier;
    const f = stack + <usize>sp * SF;
    store<i32>(f, kl);
    store<i32>(f, minIdx, 4);
    store<i32>(f, r, 8);
    sp++;
    r++;
    g = ge;
  }
  return r;
}

// ---------------------------------------------------------------- stage 3

// Layer descriptor (8 x u32): bytes, rec, 0, 0, recFlags, count, cursor, 0.
const LD: usize = 32;

// LCP-aware tournament (loser) tree over the layers' current records.
// Scratch (u32 each): tree[k] (tree[0] = winner, tree[1..k-1] = losers),
// tl[k] = common prefix length of each loser with the winner that beat it,
// hp[k] / hl[k] = each layer's current key (hl -1 when exhausted), win[2k]
// (only while building). Every key left in the tree is >= the last winner,
// and the losers on the winner's path know their common prefix with it; a
// layer's next key knows its common prefix with the key it follows (its
// record's fourth field). Comparing two such prefix lengths decides most
// matches without reading a byte; equal ones compare from there on.

let gL: i32 = 0; // common prefix length found by the last cmpFrom
let gWinL: i32 = 0; // common prefix of the new winner with the previous one

/**
 * Compares two keys known to agree on their first `from` bytes, 8 bytes a
 * step (the last step masked to the shorter key: it reads up to 7 bytes past
 * it, and every block of keys has 8 bytes of room after its last); sets gL
 * to the length of the prefix they share.
 */
function cmpFrom(a: usize, al: i32, b: usize, bl: i32, from: i32): i32 {
  const n = al < bl ? al : bl;
  let i = from;
  while (i < n) {
    let d = load<u64>(a + <usize>i) ^ load<u64>(b + <usize>i);
    if (n - i < 8) d &= (<u64>1 << (<u64>(n - i) << 3)) - 1;
    if (d != 0) {
      i += <i32>(ctz(d) >>> 3);
      gL = i;
      return <i32>rank(<u32>load<u8>(a + <usize>i)) - <i32>rank(<u32>load<u8>(b + <usize>i));
    }
    i += 8;
  }
  gL = n;
  return al - bl;
}

/** Does layer a's key come before layer b's? Full compare (building); sets gL. */
function beats(hp: usize, hl: usize, a: u32, b: u32): bool {
  const la = load<i32>(hl + (<usize>a << 2));
  const lb = load<i32>(hl + (<usize>b << 2));
  gL = 0;
  if (lb < 0) return la >= 0 || a > b;
  if (la < 0) return false;
  const c = cmpFrom(<usize>load<u32>(hp + (<usize>a << 2)), la, <usize>load<u32>(hp + (<usize>b << 2)), lb, 0);
  // On equal keys the higher layer first (any strict order would do).
  return c < 0 || (c == 0 && a > b);
}

/**
 * Loads layer l's record at its cursor into hp/hl (key) and hf/he (flags,
 * entry: kept with the key so that taking the record needs no second look
 * through the layer's descriptor); returns its common prefix with the
 * record before (0 when exhausted).
 */
// @ts-ignore: decorator
@inline function loadHead(desc: usize, hp: usize, l: u32, k: i32): i32 {
  const d = desc + <usize>l * LD;
  const c = <usize>load<u32>(d, 24);
  const hl = hp + (<usize>k << 2);
  if (c >= <usize>load<u32>(d, 20)) {
    store<i32>(hl + (<usize>l << 2), -1);
    return 0;
  }
  const hf = hl + (<usize>k << 2);
  const he = hf + (<usize>k << 2);
  const rp = <usize>load<u32>(d, 4) + c * REC;
  store<u32>(hp + (<usize>l << 2), load<u32>(d) + load<u32>(rp));
  store<i32>(hl + (<usize>l << 2), load<i32>(rp, 4));
  store<i32>(he + (<usize>l << 2), load<i32>(rp, 8));
  store<u32>(hf + (<usize>l << 2), <u32>load<u8>(<usize>load<u32>(d, 16) + c));
  return load<i32>(rp, 12);
}

/**
 * The winner's layer l moved on to its next key, which shares candL bytes
 * with the old winner: replay its matches up to the root. Sets tree[0] and
 * gWinL (the new winner's common prefix with the old one).
 */
function replay(tree: usize, tl: usize, hp: usize, hl: usize, k: i32, l: u32, candL: i32): void {
  let cand = l;
  let cl = candL;
  let j = (<u32>k + l) >> 1;
  while (j >= 1) {
    const t = load<u32>(tree + (<usize>j << 2));
    const tL = load<i32>(tl + (<usize>j << 2));
    const lt = load<i32>(hl + (<usize>t << 2));
    const lc = load<i32>(hl + (<usize>cand << 2));
    let tWins: bool;
    let loserL: i32;
    if (lc < 0) {
      tWins = lt >= 0 || t > cand;
      loserL = 0;
    } else if (lt < 0) {
      tWins = false;
      loserL = 0;
    } else if (tL > cl) {
      // t follows the old winner further: t comes first; they part where cand left it.
      tWins = true;
      loserL = cl;
    } else if (cl > tL) {
      tWins = false;
      loserL = tL;
    } else {
      const c = cmpFrom(<usize>load<u32>(hp + (<usize>t << 2)), lt, <usize>load<u32>(hp + (<usize>cand << 2)), lc, tL);
      tWins = c < 0 || (c == 0 && t > cand);
      loserL = gL;
    }
    if (tWins) {
      store<u32>(tree + (<usize>j << 2), cand);
      cand = t;
      cl = tL;
    }
    store<i32>(tl + (<usize>j << 2), loserL);
    j >>= 1;
  }
  store<u32>(tree, cand);
  gWinL = cl;
}

// Stage-3 stack frame: key ptr, key len, hide level for descendants, node index (-1: none).
const MF: usize = 16;

/**
 * Merges k layers' records (layer 0 at the bottom) into the visible nodes,
 * in key order. A hide level h means "layers below h are hidden": a whiteout
 * in layer L hides the path and its subtree below L, an opaque mark hides
 * lower children, a non-directory hides everything below it up to its own
 * layer. Returns the node count; unionKeyBytes() tells the key bytes.
 * A node's entry is its record's entry: the winning entry, or for an
 * implied directory the implied record's entry (-1 in a prepared layer;
 * an already merged view passed in as one layer carries node indexes there).
 * heapP: 8k u32 (tournament); stack: stackCap frames of 16 bytes
 * (max depth + 2 suffice; -1 is returned when a layer is deeper than that);
 * node arrays: 1 + total records slots; nodeKeySrc[i] (u16): the layer
 * whose key bytes nodeKeyPtr[i] points into (see unionKeyRefs);
 * nodeHash[i]: its key's hash (its record's: every layer's record of a key
 * has the same).
 */
export function unionMerge(
  desc: usize, k: i32, heapP: usize, stack: usize, stackCap: i32,
  nodeKeyPtr: usize, nodeKeyLen: usize, nodeLayer: usize, nodeEntry: usize, nodeFlags: usize, nodeEnd: usize,
  nodeKeySrc: usize, nodeHash: usize,
): i32 {
  const tree = heapP;
  const tl = heapP + (<usize>k << 2);
  const hp = tl + (<usize>k << 2);
  const hl = hp + (<usize>k << 2);
  const win = hl + (<usize>(3 * k) << 2); // after hf and he (see loadHead)
  for (let l: i32 = 0; l < k; l++) {
    store<u32>(desc + <usize>l * LD, 0, 24);
    loadHead(desc, hp, <u32>l, k);
  }
  if (k > 0) {
    for (let j: i32 = 2 * k - 1; j >= 1; j--) {
      if (j >= k) {
        store<u32>(win + (<usize>j << 2), <u32>(j - k));
        continue;
      }
      const a = load<u32>(win + (<usize>(2 * j) << 2));
      const b = load<u32>(win + (<usize>(2 * j + 1) << 2));
      if (beats(hp, hl, a, b)) {
        store<u32>(win + (<usize>j << 2), a);
        store<u32>(tree + (<usize>j << 2), b);
      } else {
        store<u32>(win + (<usize>j << 2), b);
        store<u32>(tree + (<usize>j << 2), a);
      }
      store<i32>(tl + (<usize>j << 2), gL);
    }
    store<u32>(tree, k == 1 ? 0 : load<u32>(win + 4));
  }
  const rootHash = hashRoot();
  let m: i32 = 0;
  let sp: i32 = 0;
  let kb: i32 = 0;
  let rootDone = false;
  let nextL: i32 = 0; // common prefix of the next key with the one just processed
  while (true) {
    const w = k > 0 ? load<u32>(tree) : 0;
    const more = k > 0 && load<i32>(hl + (<usize>w << 2)) >= 0;
    if (!more && rootDone) break;
    let kp: usize = 0;
    let kl: i32 = 0;
    let kh: u32 = rootHash;
    let prevL: i32 = nextL;
    if (more) {
      kp = <usize>load<u32>(hp + (<usize>w << 2));
      kl = load<i32>(hl + (<usize>w << 2));
      const d = desc + <usize>w * LD;
      kh = load<u32>(<usize>load<u32>(d, 4) + <usize>load<u32>(d, 24) * REC, 16);
    }
    // No layer has a root record: the root is an implied directory.
    const impliedRoot = !rootDone && (!more || kl != 0);
    if (impliedRoot) {
      rootDone = true;
      kl = 0;
      kh = rootHash;
      prevL = 0;
      nextL = 0;
    }
    // Pop frames that are not ancestors; close their subtrees. Every frame
    // is a prefix of the previous key, so "prefix of this key" is prevL >= its length.
    while (sp > 0) {
      const f = stack + <usize>(sp - 1) * MF;
      const fl = load<i32>(f, 4);
      if (fl == 0 ? kl > 0 : fl < kl && prevL >= fl && load<u8>(kp + <usize>fl) == 47) break;
      const ni = load<i32>(f, 12);
      if (ni >= 0) store<u32>(nodeEnd + (<usize>ni << 2), <u32>m);
      sp--;
    }
    const hideAnc: i32 = sp > 0 ? load<i32>(stack + <usize>(sp - 1) * MF, 8) : 0;
    let hideSelf = hideAnc;
    let own: i32 = 0;
    // Topmost visible real record and topmost visible implied record.
    let rl: i32 = -1;
    let rEntry: i32 = -1;
    let rFlags: u8 = 0;
    let il: i32 = -1;
    let iEntry: i32 = -1;
    if (!impliedRoot) {
      // Take every layer whose current record has this key. They come top
      // layer first (ties go to the higher layer), so a whiteout seen so far
      // is all that can hide the record at hand, and the first visible real
      // (implied) record is the topmost one.
      const hf = hl + (<usize>k << 2);
      const he = hf + (<usize>k << 2);
      let x = w;
      do {
        const xo = <usize>x << 2;
        const l = <i32>x;
        const fl = <u8>load<u32>(hf + xo);
        // Whiteouts at this path hide it (and its subtree) below their layer.
        if ((fl & R_WHITEOUT) != 0) {
          if (l > hideSelf) hideSelf = l;
          if (l > own) own = l;
        }
        if ((fl & R_OPAQUE) != 0 && l > own) own = l;
        if ((fl & (R_REAL | R_DIR)) == R_REAL && l + 1 > own) own = l + 1;
        if (l >= hideSelf) {
          if ((fl & R_REAL) != 0 && rl < 0) {
            rl = l;
            rEntry = load<i32>(he + xo);
            rFlags = fl;
          }
          if ((fl & R_IMPLIED) != 0 && il < 0) {
            il = l;
            // -1 for a layer's own records; a flattened view's node index (see unionMerge's doc).
            iEntry = load<i32>(he + xo);
          }
        }
        const d = desc + <usize>x * LD;
        store<u32>(d, load<u32>(d, 24) + 1, 24);
        const cl = loadHead(desc, hp, x, k);
        replay(tree, tl, hp, hl, k, x, cl);
        x = load<u32>(tree);
      } while (load<i32>(hl + (<usize>x << 2)) == kl && gWinL == kl);
      nextL = gWinL;
      if (kl == 0) rootDone = true;
    }
    let nLayer: i32 = -1;
    let nEntry: i32 = -1;
    let nFlags: u8 = 0;
    if (kl == 0) {
      // The root always exists; its attributes come from a root entry if any.
      nLayer = rl >= 0 ? rl : 0;
      nEntry = rEntry;
      nFlags = N_DIR | (rl >= 0 ? ((rFlags & R_CHANGED) != 0 ? N_CHANGED : 0) : N_IMPLIED);
    } else if (rl >= 0 && ((rFlags & R_DIR) != 0 || il < rl)) {
      nLayer = rl;
      nEntry = rEntry;
      nFlags = ((rFlags & R_DIR) != 0 ? N_DIR : 0) | ((rFlags & R_CHANGED) != 0 ? N_CHANGED : 0);
    } else if (il >= 0) {
      nLayer = il;
      nEntry = iEntry;
      nFlags = N_DIR | N_IMPLIED;
    }
    let hideDesc = hideAnc > own ? hideAnc : own;
    let ni: i32 = -1;
    if (nLayer >= 0) {
      ni = m++;
      store<u32>(nodeKeyPtr + (<usize>ni << 2), <u32>kp);
      store<u16>(nodeKeySrc + (<usize>ni << 1), <u16>w);
      store<u32>(nodeKeyLen + (<usize>ni << 2), <u32>kl);
      store<u32>(nodeHash + (<usize>ni << 2), kh);
      store<i32>(nodeLayer + (<usize>ni << 2), nLayer);
      store<i32>(nodeEntry + (<usize>ni << 2), nEntry);
      store<u8>(nodeFlags + <usize>ni, nFlags);
      kb += kl;
      if ((nFlags & N_DIR) == 0) hideDesc = INF;
    } else hideDesc = INF; // nothing below an invisible path can be visible
    // A table deeper than its maxDepth said (a damaged stored table) stops
    // here instead of writing past the stack.
    if (sp >= stackCap) return -1;
    const f = stack + <usize>sp * MF;
    store<usize>(f, kp);
    store<i32>(f, kl, 4);
    store<i32>(f, hideDesc, 8);
    store<i32>(f, ni, 12);
    sp++;
  }
  while (sp > 0) {
    const ni = load<i32>(stack + <usize>(sp - 1) * MF, 12);
    if (ni >= 0) store<u32>(nodeEnd + (<usize>ni << 2), <u32>m);
    sp--;
  }
  keyBytes = kb;
  return m;
}

/**
 * Turns each node's key pointer into an offset inside its source layer's
 * key bytes (desc: the layer descriptors unionMerge read), so that a view
 * can point into the layers' own copies of those bytes (held by JS, cached
 * per layer) instead of copying every merged key out.
 */
export function unionKeyRefs(desc: usize, srcMap: usize, nodeKeyPtr: usize, nodeKeyLen: usize, nodeKeySrc: usize, m: i32): void {
  // srcMap, 3 u32 per layer: split, source of bytes below it, source of
  // bytes from it on (a layer given as bytes: its names, then the rewritten
  // copies, are two buffers on the JS side).
  for (let i: i32 = 0; i < m; i++) {
    const a = nodeKeyPtr + (<usize>i << 2);
    const sp = nodeKeySrc + (<usize>i << 1);
    const l = <usize>load<u16>(sp);
    const mp = srcMap + l * 12;
    if (load<u32>(nodeKeyLen + (<usize>i << 2)) == 0) {
      store<u32>(a, 0);
      store<u16>(sp, <u16>load<u32>(mp, 4));
      continue;
    }
    const o = load<u32>(a) - load<u32>(desc + l * LD);
    const split = load<u32>(mp);
    if (o < split) {
      store<u32>(a, o);
      store<u16>(sp, <u16>load<u32>(mp, 4));
    } else {
      store<u32>(a, o - split);
      store<u16>(sp, <u16>load<u32>(mp, 8));
    }
  }
}

// ---------------------------------------------------------------- hash

// The key hash: the key's UTF-8 bytes as little-endian 32-bit words (the
// last one zero-padded), the even words into lane a and the odd ones into
// lane b (two multiplies in flight: four bytes a step each, where a byte-wise
// hash spends a multiply on every byte), then murmur3's final mix. JS hashes
// a string's char codes the same way, four at a time for ASCII (hashPath in
// src/core/union.ts, UnionView.indexOf); the two must match.
const HASH_A: u32 = 0x811c9dc5;
const HASH_B: u32 = 0x811c9dc5 ^ 0x85ebca6b;
const HASH_MUL: u32 = 0x9e3779b1;

// @ts-ignore: decorator
@inline function hashStep(h: u32, w: u32): u32 {
  return rotl<u32>((h ^ w) * HASH_MUL, 13);
}

/**
 * The hash of an n-byte key from its lanes after its first n & ~7 bytes;
 * p points at its last rem = n & 7 bytes. Reads 8 bytes at p (masked):
 * every block of keys has 8 bytes of room after its last key.
 */
function hashEnd(a: u32, b: u32, p: usize, rem: i32, n: i32): u32 {
  if (rem > 0) {
    const x = load<u64>(p) & ((<u64>1 << (<u64>rem << 3)) - 1);
    a = hashStep(a, <u32>x);
    if (rem > 4) b = hashStep(b, <u32>(x >> 32));
  }
  let h = a ^ rotl<u32>(b, 16) ^ <u32>n;
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  return h ^ (h >> 16);
}

/** states[0] := the lanes of the empty key (see hashKey). */
// @ts-ignore: decorator
@inline function hashStart(states: usize): void {
  store<u32>(states, HASH_A);
  store<u32>(states, HASH_B, 4);
}

/** The hash of the empty key (the root's). */
function hashRoot(): u32 {
  return hashEnd(HASH_A, HASH_B, 0, 0, 0);
}

/**
 * The hash of key (p, l), its lanes continued from `from`: states[k] holds
 * the lanes (a, b) after the key's first 8k bytes (states[0] = the initial
 * ones), and those up to `from` are a key's that shares its first `from`
 * bytes with this one. Fills states up to l / 8. Keys come sorted, so each
 * key goes on from its common prefix with the one before.
 */
function hashKey(p: usize, l: i32, from: i32, states: usize): u32 {
  let k = (from < l ? from : l) >> 3;
  let st = states + (<usize>k << 3);
  let a = load<u32>(st);
  let b = load<u32>(st, 4);
  const full = l >> 3;
  while (k < full) {
    const x = load<u64>(p + (<usize>k << 3));
    a = hashStep(a, <u32>x);
    b = hashStep(b, <u32>(x >> 32));
    k++;
    st += 8;
    store<u32>(st, a);
    store<u32>(st, b, 4);
  }
  return hashEnd(a, b, p + (<usize>k << 3), l & 7, l);
}

/** The hash of the key's first q bytes, whose lanes hashKey left in states. */
// @ts-ignore: decorator
@inline function hashPrefix(p: usize, q: i32, states: usize): u32 {
  const st = states + (<usize>(q >> 3) << 3);
  return hashEnd(load<u32>(st), load<u32>(st, 4), p + (<usize>(q >> 3) << 3), q & 7, q);
}

/**
 * Copies the m node keys into one compact byte array (keyOff[i]: where
 * key i starts; keyOff[m]: the total), for views whose layers' key bytes
 * JS does not hold. (Each node's hash comes with its record: unionMerge.)
 */
export function unionPack(nodeKeyPtr: usize, nodeKeyLen: usize, m: i32, keys: usize, keyOff: usize): void {
  let o: u32 = 0;
  for (let i: i32 = 0; i < m; i++) {
    const p = <usize>load<u32>(nodeKeyPtr + (<usize>i << 2));
    const l = load<u32>(nodeKeyLen + (<usize>i << 2));
    store<u32>(keyOff + (<usize>i << 2), o);
    memory.copy(keys + <usize>o, p, <usize>l);
    o += l;
  }
  store<u32>(keyOff + (<usize>m << 2), o);
}

/**
 * Open addressing, linear probing, one u32 a slot: 0 = empty, else node
 * index + 1 in the low ib bits (ib = 32 - clz(m): as many as m takes) and
 * the key's hash above them. A probe compares those high bits before it
 * compares any key (a false match, one in 2^(32 - ib), costs one key
 * comparison); a slot of 4 bytes instead of a hash and an index side by side
 * halves the table a view copies out and every build fills.
 */
export function unionTable(hashes: usize, m: i32, table: usize, mask: u32): void {
  memory.fill(table, 0, (<usize>mask + 1) << 2);
  const high = ~((<u32>1 << (32 - clz(<u32>m))) - 1); // m >= 1: the root is always there
  for (let i: i32 = 0; i < m; i++) {
    const h = load<u32>(hashes + (<usize>i << 2));
    let s = h & mask;
    while (load<u32>(table + (<usize>s << 2)) != 0) s = (s + 1) & mask;
    store<u32>(table + (<usize>s << 2), (h & high) | <u32>(i + 1));
  }
}

/**
 * A merged index as one layer's records (see flattenIndex in
 * src/core/union.ts): node i's key, keyLen[i] bytes from keyOff[i] in source
 * src[i] (u16; src = 0: every key in source 0; srcPtr: where each source
 * lies), is copied to out, the keys one after another in node order, and
 * record i gets its offset there, its length, entry i, its common prefix
 * with key i - 1 and its hash (as unionRecords makes them). out needs 8
 * bytes of room after the keys; states: as unionRecords'. Returns the bytes
 * written.
 */
export function unionFlatten(srcPtr: usize, src: usize, keyOff: usize, keyLen: usize, m: i32, out: usize, rec: usize, states: usize): i32 {
  hashStart(states);
  let pos: u32 = 0;
  let prev: usize = out;
  let prevLen: i32 = 0;
  for (let i: i32 = 0; i < m; i++) {
    const s = src == 0 ? 0 : <usize>load<u16>(src + (<usize>i << 1));
    const l = load<i32>(keyLen + (<usize>i << 2));
    const q = out + <usize>pos;
    memory.copy(q, <usize>load<u32>(srcPtr + (s << 2)) + <usize>load<u32>(keyOff + (<usize>i << 2)), <usize>l);
    const lcp = i == 0 ? 0 : lcpOf(prev, prevLen, q, l);
    const rp = rec + <usize>i * REC;
    store<u32>(rp, pos);
    store<i32>(rp, l, 4);
    store<i32>(rp, i, 8);
    store<i32>(rp, lcp, 12);
    store<u32>(rp, hashKey(q, l, lcp, states), 16);
    prev = q;
    prevLen = l;
    pos += <u32>l;
  }
  return <i32>pos;
}
