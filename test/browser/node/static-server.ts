/**
 * A minimal static file server for the page tests: files under `root`
 * (GET/HEAD only, no directory listing, nothing outside root), extra pages
 * held in memory, and a log of every path asked for so a test can see which
 * files the browser fetched (e.g. that the Wasm core came by URL).
 */
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.tar': 'application/x-tar',
};

export interface StaticServer {
  readonly url: string;
  /** Paths requested so far, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function serveStatic(root: string, pages: Record<string, string> = {}): Promise<StaticServer> {
  const base = resolve(root);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      requests.push(path);
      if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
      const page = pages[path];
      if (page !== undefined) return void res.writeHead(200, { 'content-type': TYPES['.html']! }).end(page);
      const file = resolve(base, '.' + path);
      if (file !== base && !file.startsWith(base + sep)) return void res.writeHead(403).end();
      try {
        if (!(await stat(file)).isFile()) return void res.writeHead(404).end();
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': body.length });
        res.end(req.method === 'HEAD' ? undefined : body);
      } catch {
        res.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
