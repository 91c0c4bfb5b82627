/**
 * Loads the WebAssembly core once per realm, in Node and in browsers.
 *
 * Two builds ship (build/layerfs.simd.wasm and build/layerfs.scalar.wasm);
 * the SIMD one is used when `WebAssembly.validate` accepts a v128 probe.
 * This directory (src/core) is the only TypeScript that knows pointers and
 * memory views; every other module calls the typed functions exported from
 * src/core/*.ts.
 */
import { instantiate } from '@assemblyscript/loader';
import { WasmCoreError } from '../errors/WasmCoreError.js';

export interface CoreModule {
  /** Raw exports of the instance (functions and globals). */
  readonly exports: Record<string, any>;
  readonly memory: WebAssembly.Memory;
  readonly simd: boolean;
}

/**
 * Smallest module that uses a v128 instruction: (func (result v128) v128.const 0).
 * If the engine validates it, the SIMD build runs there.
 */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 11,
]);

export function simdSupported(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

const cache = new Map<boolean, Promise<CoreModule>>();

function wasmUrl(simd: boolean): URL {
  // src/core/load.ts and dist/core/load.js both sit two levels below the root.
  return simd
    ? new URL('../../build/layerfs.simd.wasm', import.meta.url)
    : new URL('../../build/layerfs.scalar.wasm', import.meta.url);
}

async function readBytes(url: URL): Promise<ArrayBuffer | Response> {
  if (url.protocol === 'file:') {
    // Node (and Deno/Bun): fetch() does not read file: URLs in Node 20.
    // The specifier is built at run time so that bundlers for the browser
    // never try to resolve a Node built-in.
    const mod = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ mod)) as typeof import('node:fs/promises');
    const buf = await fs.readFile(url);
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  }
  const res = await fetch(url);
  if (!res.ok) throw new WasmCoreError(`cannot fetch the Wasm core from ${url.href}: HTTP ${res.status}`, { url: url.href });
  return await res.arrayBuffer();
}

/**
 * The core module. `simd` forces a build (tests run both); by default the
 * SIMD build is chosen when the engine supports it.
 */
export function loadCore(opts: { simd?: boolean } = {}): Promise<CoreModule> {
  const simd = opts.simd ?? simdSupported();
  let p = cache.get(simd);
  if (!p) {
    p = (async () => {
      const url = wasmUrl(simd);
      let source: ArrayBuffer | Response;
      try {
        source = await readBytes(url);
      } catch (e) {
        if (e instanceof WasmCoreError) throw e;
        throw new WasmCoreError(`cannot read the Wasm core at ${url.href} (was \`npm run build\` run?)`, { url: url.href }, { cause: e });
      }
      try {
        const inst = await instantiate<Record<string, any>>(source as ArrayBuffer, {
          env: {
            abort(_msg: number, _file: number, line: number, col: number) {
              throw new WasmCoreError(`Wasm core aborted at ${line}:${col}`);
            },
          },
        });
        const exports = inst.exports as Record<string, any>;
        return { exports, memory: exports.memory as WebAssembly.Memory, simd };
      } catch (e) {
        throw new WasmCoreError(`cannot instantiate the Wasm core (${simd ? 'simd' : 'scalar'} build)`, {}, { cause: e });
      }
    })();
    p.catch(() => cache.delete(simd));
    cache.set(simd, p);
  }
  return p;
}
