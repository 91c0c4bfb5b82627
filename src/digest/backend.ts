/**
 * Which code computes a hash. 'wasm' is the layerfs core (every platform);
 * 'node' is node:crypto (OpenSSL, which uses the CPU's SHA extensions);
 * 'auto' picks per job by the crossovers measured with `npm run bench --
 * hash` (see README, "Digests").
 *
 * node:crypto is reached without a static import, so src/index.ts stays
 * browser-safe: process.getBuiltinModule where Node has it (20.16+), else a
 * dynamic import whose specifier is built at run time.
 */
import { UnsupportedError } from '../errors/UnsupportedError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';

export type HashBackend = 'auto' | 'wasm' | 'node';

export interface HashOptions {
  /** 'auto' (default), 'wasm' or 'node'. */
  backend?: HashBackend;
  /** Force the SIMD (true) or scalar (false) build of the Wasm core; default: SIMD when supported. */
  simd?: boolean;
}

export type NodeCrypto = typeof import('node:crypto');

/**
 * Measured crossovers (`npm run bench -- hash` on a 2-core AMD EPYC with
 * SHA-NI, Node 20, CPU time, best of many rounds; README "Digests"):
 * node:crypto wins for one message of any size (64 B to 64 MiB), and for
 * each input of sha256Many from about this size up (over six runs,
 * node:crypto was 0.8-1.2x the Wasm kernel at 768 B, median 0.98x;
 * 0.97-1.4x at 1 KiB, median 1.1x; 1.25-1.6x at 1.5 KiB); below it the Wasm
 * multi-buffer kernel wins (four messages per step, no createHash() per
 * input: 2.6-3.8x node:crypto at 64 B).
 */
export const MANY_NODE_MIN_SIZE = 1024;

let nodeCrypto: NodeCrypto | null | undefined;
let loading: Promise<NodeCrypto | null> | undefined;

function runningInNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

/** node:crypto when it is already loaded or loads synchronously; else undefined. */
export function nodeCryptoSync(): NodeCrypto | null | undefined {
  if (nodeCrypto !== undefined) return nodeCrypto;
  if (!runningInNode()) return (nodeCrypto = null);
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule === 'function') {
    nodeCrypto = (proc.getBuiltinModule('node:crypto') as NodeCrypto | undefined) ?? null;
    return nodeCrypto;
  }
  return undefined;
}

/** node:crypto in Node, null elsewhere. */
export function getNodeCrypto(): Promise<NodeCrypto | null> {
  const sync = nodeCryptoSync();
  if (sync !== undefined) return Promise.resolve(sync);
  loading ??= (async () => {
    try {
      const spec = ['node', 'crypto'].join(':');
      nodeCrypto = (await import(/* @vite-ignore */ spec)) as NodeCrypto;
    } catch {
      nodeCrypto = null;
    }
    return nodeCrypto;
  })();
  return loading;
}

function checkBackend(backend: unknown): asserts backend is HashBackend {
  if (backend !== 'auto' && backend !== 'node' && backend !== 'wasm') {
    throw new InvalidArgumentError(`unknown hash backend ${JSON.stringify(backend)}: use 'auto', 'wasm' or 'node'`, { backend });
  }
}

/**
 * pickNode() without waiting: node:crypto or null when that is already
 * known, undefined when node:crypto still has to be imported.
 */
export function pickNodeSync(opts: HashOptions | undefined, preferNode: boolean): NodeCrypto | null | undefined {
  const backend = opts?.backend ?? 'auto';
  checkBackend(backend);
  if (backend === 'wasm' || (backend === 'auto' && !preferNode)) return null;
  const crypto = nodeCryptoSync();
  if (crypto === null && backend === 'node') throw new UnsupportedError("hash backend 'node' needs Node's node:crypto; this runtime has none", { backend });
  return crypto;
}

/** Checks `opts.backend`; returns node:crypto when the job should use it, else null. */
export async function pickNode(opts: HashOptions | undefined, preferNode: boolean): Promise<NodeCrypto | null> {
  const backend = opts?.backend ?? 'auto';
  checkBackend(backend);
  if (backend === 'wasm' || (backend === 'auto' && !preferNode)) return null;
  const crypto = await getNodeCrypto();
  if (!crypto && backend === 'node') throw new UnsupportedError("hash backend 'node' needs Node's node:crypto; this runtime has none", { backend });
  return crypto;
}
