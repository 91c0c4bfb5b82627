// Merge-join of two sorted entry tables (a lower and an upper tree), the hot
// loop of diffTrees. Tables are PACKED in linear memory by src/core/diff.ts:
//   pathOff: i32[n+1]  offsets into pathBytes (UTF-8, concatenated)
//   extraOff: i32[n+1] offsets into extraBytes (link target + xattrs, as JS
//                      serialises them; compared byte for byte)
//   meta:    i32[n*META_I32] type, mode, uid, gid, devmajor, devminor, subsec
//   num:     f64[n*2]  size, mtime
// Both tables must be sorted by path with '/' ranked before every other byte
// (CONFORMANCE.md rule 21). The join writes one status byte per entry.
// Nothing here knows about images or tar; only bytes and numbers.

export const DIFF_META_I32: i32 = 8;

export const DIFF_ADDED: u8 = 1;
export const DIFF_UNCHANGED: u8 = 2;
export const DIFF_CHANGED: u8 = 3;
export const DIFF_COMPARE: u8 = 4;
export const DIFF_DELETED: u8 = 5;

// Type codes used in meta[0] (shared with src/core/diff.ts).
const T_FILE: i32 = 0;
const T_CHAR: i32 = 3;
const T_BLOCK: i32 = 4;

let scratchPtr: usize = 0;
let scratchSize: usize = 0;

/**
 * A region of at least `size` bytes owned by the diff join, reused across
 * calls (the stub runtime never frees, so we keep one block and grow it).
 * Returns 0 when memory cannot grow.
 */
export function diffScratch(size: usize): usize {
  if (size <= scratchSize) return scratchPtr;
  // Grow in powers of two so repeated diffs settle on one block.
  let want: usize = 1 << 16;
  while (want < size) want <<= 1;
  const pages = (want + 0xffff) >>> 16;
  // Leave headroom check to the allocator; memory.grow failing would trap
  // inside __alloc, so ask first whether the engine can grow that far.
  if (memory.grow(0) + <i32>pages > 65536) return 0;
  scratchPtr = heap.alloc(want);
  scratchSize = want;
  return scratchPtr;
}

// '/' sorts before every other byte; NUL never occurs in a clean path.
// @ts-ignore: decorator
@inline function rank(b: u32): u32 {
  return b == 47 ? 0 : b;
}

function comparePaths(a: usize, al: i32, b: usize, bl: i32): i32 {
  const n = al < bl ? al : bl;
  let i = 0;
  // Skip the common prefix 8 bytes at a time (paths share long directory prefixes).
  while (i + 8 <= n && load<u64>(a + <usize>i) == load<u64>(b + <usize>i)) i += 8;
  for (; i < n; i++) {
    const x = <u32>load<u8>(a + <usize>i);
    const y = <u32>load<u8>(b + <usize>i);
    if (x != y) return <i32>rank(x) - <i32>rank(y);
  }
  return al - bl;
}

function bytesEqual(a: usize, al: i32, b: usize, bl: i32): bool {
  if (al != bl) return false;
  let i = 0;
  while (i + 8 <= al) {
    if (load<u64>(a + <usize>i) != load<u64>(b + <usize>i)) return false;
    i += 8;
  }
  for (; i < al; i++) if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
  return true;
}

/**
 * Status of a path present in both trees (CONFORMANCE.md rule 20): changed
 * when type, mode, uid, gid, size, device numbers, link target or xattrs
 * differ; for regular files with equal metadata, unchanged only when both
 * mtimes are equal AND carry a sub-second part, else the content decides.
 */
function compareEntry(
  lMeta: usize, lNum: usize, lExtraOff: usize, lExtra: usize, i: i32,
  uMeta: usize, uNum: usize, uExtraOff: usize, uExtra: usize, j: i32,
): u8 {
  const lm = lMeta + (<usize>i * <usize>DIFF_META_I32 << 2);
  const um = uMeta + (<usize>j * <usize>DIFF_META_I32 << 2);
  const type = load<i32>(lm);
  if (type != load<i32>(um)) return DIFF_CHANGED;
  // mode, uid, gid
  if (load<i32>(lm, 4) != load<i32>(um, 4)) return DIFF_CHANGED;
  if (load<i32>(lm, 8) != load<i32>(um, 8)) return DIFF_CHANGED;
  if (load<i32>(lm, 12) != load<i32>(um, 12)) return DIFF_CHANGED;
  if (type == T_CHAR || type == T_BLOCK) {
    if (load<i32>(lm, 16) != load<i32>(um, 16)) return DIFF_CHANGED;
    if (load<i32>(lm, 20) != load<i32>(um, 20)) return DIFF_CHANGED;
  }
  const ln = lNum + (<usize>i << 4);
  const un = uNum + (<usize>j << 4);
  if (load<f64>(ln) != load<f64>(un)) return DIFF_CHANGED;
  const le = load<i32>(lExtraOff + (<usize>i << 2));
  const ue = load<i32>(uExtraOff + (<usize>j << 2));
  const lel = load<i32>(lExtraOff + (<usize>(i + 1) << 2)) - le;
  const uel = load<i32>(uExtraOff + (<usize>(j + 1) << 2)) - ue;
  if (!bytesEqual(lExtra + <usize>le, lel, uExtra + <usize>ue, uel)) return DIFF_CHANGED;
  if (type != T_FILE) return DIFF_UNCHANGED;
  const bothSubsec = load<i32>(lm, 24) != 0 && load<i32>(um, 24) != 0;
  if (bothSubsec && load<f64>(ln, 8) == load<f64>(un, 8)) return DIFF_UNCHANGED;
  return DIFF_COMPARE;
}

/**
 * Joins lower (n entries) and upper (m entries). Writes lStatus[i] (DELETED,
 * or the status of the matching upper entry) and uStatus[j] (ADDED,
 * UNCHANGED, CHANGED or COMPARE). Returns the number of upper entries that
 * are not UNCHANGED.
 */
export function diffJoin(
  n: i32, lPathOff: usize, lPath: usize, lExtraOff: usize, lExtra: usize, lMeta: usize, lNum: usize, lStatus: usize,
  m: i32, uPathOff: usize, uPath: usize, uExtraOff: usize, uExtra: usize, uMeta: usize, uNum: usize, uStatus: usize,
): i32 {
  let i = 0;
  let j = 0;
  let changes = 0;
  while (i < n && j < m) {
    const la = load<i32>(lPathOff + (<usize>i << 2));
    const lb = load<i32>(lPathOff + (<usize>(i + 1) << 2));
    const ua = load<i32>(uPathOff + (<usize>j << 2));
    const ub = load<i32>(uPathOff + (<usize>(j + 1) << 2));
    const c = comparePaths(lPath + <usize>la, lb - la, uPath + <usize>ua, ub - ua);
    if (c < 0) {
      store<u8>(lStatus + <usize>i, DIFF_DELETED);
      i++;
    } else if (c > 0) {
      store<u8>(uStatus + <usize>j, DIFF_ADDED);
      changes++;
      j++;
    } else {
      const s = compareEntry(lMeta, lNum, lExtraOff, lExtra, i, uMeta, uNum, uExtraOff, uExtra, j);
      store<u8>(lStatus + <usize>i, s);
      store<u8>(uStatus + <usize>j, s);
      if (s != DIFF_UNCHANGED) changes++;
      i++;
      j++;
    }
  }
  for (; i < n; i++) store<u8>(lStatus + <usize>i, DIFF_DELETED);
  for (; j < m; j++) {
    store<u8>(uStatus + <usize>j, DIFF_ADDED);
    changes++;
  }
  return changes;
}
