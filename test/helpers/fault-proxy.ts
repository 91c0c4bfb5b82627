/**
 * A misbehaving HTTP proxy on loopback for the robustness suites: it sits
 * between layerfs and a real registry and, for the requests a test picks,
 * answers 500 / 429 / 403, resets the connection, truncates, corrupts or
 * replaces the body, trickles it, sends a wrong Content-Length, or stalls.
 * Everything else is forwarded untouched (the Host header too, so the
 * registry's Location headers point back at the proxy).
 */
import { randomBytes } from 'node:crypto';
import { createServer, STATUS_CODES, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Close the socket without answering. */
  | { kind: 'reset' }
  /** Forward, then send only the first `bytes` bytes of the body and close the socket. */
  | { kind: 'truncate'; bytes: number }
  /** Forward, flipping one byte of the body at `at` (default the middle). */
  | { kind: 'corrupt'; at?: number }
  /** Never answer (until the client gives up). */
  | { kind: 'stall' }
  /** Forward after `ms` milliseconds (to observe how many requests a client keeps in flight). */
  | { kind: 'delay'; ms: number }
  /** Forward without the Range header: a server that does not do ranges answers 200 with the whole body. */
  | { kind: 'no-range' }
  /**
   * Forward the body `bytes` at a time every `everyMs`; with `stallAfter`,
   * stop after that many bytes and hold the connection open (never end).
   */
  | { kind: 'trickle'; bytes: number; everyMs: number; stallAfter?: number }
  /** Forward the whole body with a Content-Length header off by `delta` bytes, then close the connection. */
  | { kind: 'length'; delta: number }
  /** Replace the response body (or, with `request`, the request body) by random bytes of the same length. */
  | { kind: 'replace'; request?: boolean }
  /** Forward the request with only the first `bytes` bytes of its body, then cut both connections (an upload broken off midway). */
  | { kind: 'cut-request'; bytes: number };

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  fault?: Fault['kind'];
}

/** Decides the fault for a request; `count` is how many requests with the same method+path came before. */
export type FaultPlan = (req: { method: string; url: string; path: string; count: number; headers: IncomingMessage['headers'] }) => Fault | undefined;

export interface FaultProxy {
  readonly host: string;
  /** Most requests that were in flight at once (since start or the last plan change). */
  readonly maxInFlight: number;
  readonly port: number;
  readonly seen: SeenRequest[];
  plan: FaultPlan;
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }, plan: FaultPlan = () => undefined): Promise<FaultProxy> {
  const seen: SeenRequest[] = [];
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const state = { plan, inFlight: 0, maxInFlight: 0 };

  const forward = (req: IncomingMessage, res: ServerResponse, fault?: Fault) => {
    const headers = { ...req.headers };
    if (fault?.kind === 'no-range') delete headers.range;
    const up = httpRequest(
      { host: target.host, port: target.port, method: req.method, path: req.url, headers },
      (upRes) => {
        const headers = { ...upRes.headers };
        if (fault?.kind === 'trickle') {
          res.writeHead(upRes.statusCode ?? 502, headers);
          const parts: Buffer[] = [];
          upRes.on('data', (c: Buffer) => parts.push(c));
          upRes.on('end', () => {
            const body = Buffer.concat(parts);
            const until = Math.min(body.byteLength, fault.stallAfter ?? body.byteLength);
            let at = 0;
            const tick = () => {
              if (res.destroyed || res.socket?.destroyed) return;
              if (at >= until) {
                if (fault.stallAfter === undefined) res.end();
                return; // stalled: the socket stays open until the client gives up
              }
              const n = Math.min(fault.bytes, until - at);
              res.write(body.subarray(at, at + n));
              at += n;
              setTimeout(tick, fault.everyMs);
            };
            tick();
          });
          return;
        }
        if (fault?.kind === 'length' || (fault?.kind === 'replace' && !fault.request)) {
          // Written on the raw socket: Node's own response object would refuse a length that does not match the body.
          const parts: Buffer[] = [];
          upRes.on('data', (c: Buffer) => parts.push(c));
          upRes.on('end', () => {
            let body = Buffer.concat(parts);
            if (fault.kind === 'replace') body = randomBytes(body.byteLength);
            const len = fault.kind === 'length' ? body.byteLength + fault.delta : body.byteLength;
            const lines = [`HTTP/1.1 ${upRes.statusCode} ${STATUS_CODES[upRes.statusCode ?? 502] ?? ''}`];
            for (let i = 0; i < upRes.rawHeaders.length; i += 2) {
              const name = upRes.rawHeaders[i]!;
              if (/^(content-length|transfer-encoding|connection|keep-alive)$/i.test(name)) continue;
              lines.push(`${name}: ${upRes.rawHeaders[i + 1]}`);
            }
            lines.push(`Content-Length: ${len}`, 'Connection: close', '', '');
            const sock = res.socket!;
            sock.write(lines.join('\r\n'));
            sock.end(body);
          });
          return;
        }
        if (fault?.kind === 'truncate') {
          res.writeHead(upRes.statusCode ?? 502, headers);
          let sent = 0;
          upRes.on('data', (chunk: Buffer) => {
            if (sent >= fault.bytes) return;
            const part = chunk.subarray(0, fault.bytes - sent);
            sent += part.byteLength;
            res.write(part);
            if (sent >= fault.bytes) {
              // Let the bytes leave, then cut the connection mid-body.
              setTimeout(() => res.socket?.destroy(), 20);
              upRes.destroy();
            }
          });
          upRes.on('end', () => res.end());
          return;
        }
        if (fault?.kind === 'corrupt') {
          res.writeHead(upRes.statusCode ?? 502, headers);
          let offset = 0;
          const total = Number(upRes.headers['content-length'] ?? 0);
          const at = fault.at ?? Math.floor(total / 2);
          upRes.on('data', (chunk: Buffer) => {
            const c = Buffer.from(chunk);
            if (at >= offset && at < offset + c.byteLength) c[at - offset] = c[at - offset]! ^ 0xff;
            offset += c.byteLength;
            res.write(c);
          });
          upRes.on('end', () => res.end());
          return;
        }
        res.writeHead(upRes.statusCode ?? 502, headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.socket?.destroy());
    if (fault?.kind === 'cut-request') {
      let sent = 0;
      req.on('data', (c: Buffer) => {
        if (sent >= fault.bytes) return;
        const part = c.subarray(0, fault.bytes - sent);
        sent += part.byteLength;
        up.write(part);
        if (sent >= fault.bytes) {
          // Give the registry a moment to take the bytes, then break both sides off.
          setTimeout(() => {
            up.destroy();
            req.socket.destroy();
          }, 50);
        }
      });
      return;
    }
    if (fault?.kind === 'replace' && fault.request) {
      // Same length, other bytes: the registry's digest check must catch it.
      req.on('data', (c: Buffer) => up.write(randomBytes(c.byteLength)));
      req.on('end', () => up.end());
      return;
    }
    req.pipe(up);
  };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    const key = `${req.method} ${path}`;
    const count = counts.get(key) ?? 0;
    counts.set(key, count + 1);
    const fault = state.plan({ method: req.method!, url: req.url!, path, count, headers: req.headers });
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, fault: fault?.kind });
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    res.on('close', () => state.inFlight--);
    if (fault?.kind === 'delay') {
      setTimeout(() => forward(req, res), fault.ms);
      return;
    }
    if (!fault || ['truncate', 'corrupt', 'no-range', 'trickle', 'length', 'replace', 'cut-request'].includes(fault.kind)) return forward(req, res, fault);
    // Faults answered by the proxy itself: drain the request body first.
    req.resume();
    req.on('end', () => {
      switch (fault.kind) {
        case 'status':
          res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
          res.end(fault.body ?? JSON.stringify({ errors: [{ code: 'INJECTED', message: `fault proxy ${fault.status}` }] }));
          return;
        case 'reset':
          req.socket.destroy();
          return;
        case 'stall':
          return;
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    port,
    seen,
    get maxInFlight() {
      return state.maxInFlight;
    },
    get plan() {
      return state.plan;
    },
    set plan(p: FaultPlan) {
      state.plan = p;
      state.maxInFlight = 0;
      counts.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
