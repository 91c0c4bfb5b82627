// BENCH_SCALE shrinks (or grows) every bench's sizes for a quick check:
// BENCH_SCALE=0.1 npm run bench -- hash. Default 1 = the sizes the issues ask for.
export function benchScale(env = process.env) {
  const s = Number(env.BENCH_SCALE ?? 1);
  if (!Number.isFinite(s) || s <= 0) throw new Error(`BENCH_SCALE must be a positive number, got ${env.BENCH_SCALE}`);
  return s;
}

/** `n` scaled by `scale`, rounded, and at least `min`. */
export function scaled(n, scale, min = 1) {
  return Math.max(min, Math.round(n * scale));
}
