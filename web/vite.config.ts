/**
 * Vite config of the explorer page: `layerfs` resolves to the library's
 * source (src/index.ts, the browser-safe entry), and the dev server may read
 * the repository so the Wasm core (build/*.wasm, found by
 * `new URL(..., import.meta.url)` in src/core/load.ts) is served as is.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const repo = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { alias: { layerfs: fileURLToPath(new URL('../src/index.ts', import.meta.url)) } },
  server: { host: '127.0.0.1', strictPort: true, fs: { allow: [repo] } },
  build: { outDir: fileURLToPath(new URL('../dist-web', import.meta.url)), emptyOutDir: true, target: 'es2022' },
  clearScreen: false,
});
