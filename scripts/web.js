#!/usr/bin/env node
/**
 * `npm run web`: serves the layer explorer (web/) on http://127.0.0.1:$PORT
 * (default 5173) with Vite's dev server. `node scripts/web.js --build`
 * writes a static bundle to dist-web/ instead. Also importable:
 * startWebServer({ port }) -> { url, close() } and buildWebPage({ outDir })
 * (the end-to-end tests use both).
 */
import { fileURLToPath } from 'node:url';
import { build, createServer } from 'vite';

const configFile = fileURLToPath(new URL('../web/vite.config.ts', import.meta.url));

export async function startWebServer({ port = Number(process.env.PORT ?? 5173), logLevel = 'info' } = {}) {
  const server = await createServer({ configFile, logLevel, server: { port } });
  await server.listen();
  const addr = server.httpServer.address();
  const url = `http://127.0.0.1:${addr.port}/`;
  return { url, server, close: () => server.close() };
}

export async function buildWebPage({ outDir, logLevel = 'info' } = {}) {
  await build({ configFile, logLevel, ...(outDir ? { build: { outDir, emptyOutDir: true } } : {}) });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--build')) {
    await buildWebPage();
  } else {
    const { url } = await startWebServer();
    console.log(`layerfs explorer: ${url}`);
  }
}
