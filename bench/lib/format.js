// Number formatting and plain-text tables for bench output.

/** 1536 -> '1.5 KiB', 67108864 -> '64 MiB'. */
export function formatBytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let u = 0;
  while (n >= 1024 && u < units.length - 1 && n % 1024 === 0) {
    n /= 1024;
    u++;
  }
  if (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
    return `${n.toFixed(1)} ${units[u]}`;
  }
  return `${n} ${units[u]}`;
}

/** Decimal megabytes per second (1 MB = 1e6 bytes), as most tools print. */
export function mbPerSec(bytesPerOp, opsPerSec) {
  return (bytesPerOp * opsPerSec) / 1e6;
}

export function formatRate(x) {
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

export function formatOps(x) {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(x >= 100 ? 0 : 1);
}

/** Prints rows (arrays of cells) with the first row as the header; numbers right-aligned. */
export function printTable(rows, log = console.log) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  for (const [i, r] of rows.entries()) {
    log(
      r
        .map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c])))
        .join('  '),
    );
    if (i === 0) log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}
