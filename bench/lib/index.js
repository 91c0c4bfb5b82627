// Shared helpers of the benches (see bench/run.js).
export { benchScale, scaled } from './scale.js';
export { formatBytes, formatOps, formatRate, mbPerSec, printTable } from './format.js';
export { createContext, benchClock } from './harness.js';
export { writeResults, resultsPath, RESULTS_DIR } from './results.js';
