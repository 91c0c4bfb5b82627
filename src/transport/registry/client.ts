/**
 * A client for one OCI distribution-spec registry over `fetch` (Node 20 and
 * browsers alike). It knows the HTTP API (distribution-spec "Pull", "Push",
 * "Content Discovery"), authentication, retries and resumable downloads;
 * it knows nothing of stores: src/transport/registry/{pull,push}.ts move
 * images between a registry and a store with it.
 */
import { DigestMismatchError } from '../../errors/DigestMismatchError.js';
import { InvalidArgumentError } from '../../errors/InvalidArgumentError.js';
import { LayerfsError } from '../../errors/LayerfsError.js';
import { ManifestInvalidError } from '../../errors/ManifestInvalidError.js';
import { RegistryError } from '../../errors/RegistryError.js';
import { sha256, verify, verifyTransform } from '../../digest/index.js';
import { MediaType } from '../../image/media-types.js';
import { concatBytes } from '../../tar/reader.js';
import { registryApiHost, registryScheme } from '../docker-ref.js';
import { AuthState, basicHeader, parseChallenges, parseCredentials, type BasicCredentials, type CredentialsProvider } from './auth.js';
import { errorFor, mapErrorResponse } from './errors.js';
import { abortError, backoffDelay, isRetryableStatus, RETRY_DEFAULTS, sleep, throwIfAborted, type RetryOptions } from './retry.js';

/** Manifest media types asked for, most preferred first (distribution-spec "Pulling manifests"). */
export const MANIFEST_ACCEPT = [
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerManifestList,
  MediaType.dockerManifest,
] as const;

/** Manifests larger than this are refused (containerd uses the same 4 MiB bound). */
export const MANIFEST_LIMIT = 4 * 1024 * 1024;

export interface RegistryClientOptions extends RetryOptions {
  /** Plain http for a host other than localhost / 127.0.0.0/8. */
  insecure?: boolean;
  /** Fixed credentials, `user:pass`, or a lookup by registry host. */
  credentials?: BasicCredentials | string | CredentialsProvider;
  /** fetch to use (tests, proxies). Default: globalThis.fetch. */
  fetch?: typeof fetch;
  /** Cancels every request of this client. */
  signal?: AbortSignal;
  /** Sent as User-Agent where the platform allows it. */
  userAgent?: string;
  /** Blobs up to this size go up in one PUT (buffered, so it can be re-sent); larger ones in PATCH chunks. Default 16 MiB. */
  monolithicMax?: number;
  /**
   * Bytes of a blob download read ahead of the consumer, so the network keeps
   * flowing while the store writes. Default 4 MiB.
   */
  readAhead?: number;
  /** PATCH chunk size for large blobs. Default 64 MiB. */
  chunkSize?: number;
  /**
   * Longest wait, in ms, for a response to a request without a body, or for
   * the next bytes of a manifest or blob being read. Then the attempt counts
   * as failed: it is retried (a blob download resumes with Range) within
   * the retry policy, so a stalled registry cannot hang a pull. Uploads are
   * bounded by `signal` only (sending a large chunk may take long). Default 60 000.
   */
  timeoutMs?: number;
  /**
   * Stream PATCH chunk bodies instead of buffering each chunk (a failed chunk
   * then restarts the blob). Default: true in Node; false in browsers, whose
   * fetch streams request bodies only over HTTP/2.
   */
  streamChunks?: boolean;
}

export interface BlobProgress {
  digest: string;
  done: number;
  total: number;
}

export interface FetchedManifest {
  bytes: Uint8Array;
  mediaType: string;
  digest: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

interface SendRequest {
  method: string;
  url: string | URL;
  /** Token scopes this request needs (Docker token spec "scope"). */
  scopes: string[];
  repository?: string;
  /** What is being done, for messages: "pull manifest alpine:3". */
  what: string;
  headers?: Record<string, string>;
  /**
   * Bytes and strings may be sent again (after a 401 or a retryable
   * failure); a stream is sent once, and a failure is the caller's to retry.
   */
  body?: Uint8Array | string | ReadableStream<Uint8Array>;
  signal?: AbortSignal;
  /** Statuses returned to the caller instead of thrown (e.g. 404 for HEAD). */
  accept?: number[];
  /** fetch for this request (blob downloads use the platform's blob fetch, see setBlobFetch). */
  fetch?: typeof fetch;
}

function pullScope(repo: string): string {
  return `repository:${repo}:pull`;
}
function pushScope(repo: string): string {
  return `repository:${repo}:pull,push`;
}

function anySignal(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (!a) return b;
  if (!b) return a;
  if (typeof AbortSignal.any === 'function') return AbortSignal.any([a, b]);
  const c = new AbortController();
  const on = (s: AbortSignal) => () => c.abort(s.reason);
  if (a.aborted || b.aborted) c.abort((a.aborted ? a : b).reason);
  a.addEventListener('abort', on(a), { once: true });
  b.addEventListener('abort', on(b), { once: true });
  return c.signal;
}

async function drain(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    /* the connection is going away anyway */
  }
}

export const DEFAULT_TIMEOUT_MS = 60_000;

/** Nothing arrived for the client's timeoutMs. */
class IdleTimeout extends Error {}

/** reader.read(), failing with IdleTimeout (and cancelling the reader) when nothing arrives for `ms`. */
async function readWithin<T>(reader: ReadableStreamDefaultReader<T>, ms: number): Promise<ReadableStreamReadResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const read = reader.read();
  read.catch(() => {}); // once the timeout wins, a later rejection is nobody's business
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IdleTimeout(`no data for ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([read, timeout]);
  } catch (e) {
    if (e instanceof IdleTimeout) reader.cancel(e).catch(() => {});
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** Bytes of a download between two progress events (an event per network chunk would be ~5,000 objects per 300 MiB). */
const PROGRESS_BYTES = 1024 * 1024;

/** Size a fetchBlob stream's chunks are gathered to: every later stream stage costs tens of µs per chunk on the main thread. */
const COALESCE_BYTES = 1024 * 1024;

/**
 * The idle timeout of one body, with ONE timer per body instead of one per
 * chunk (a 300 MiB layer is ~5,000 chunks): the timer looks at when the last
 * chunk came, and time the consumer holds the body back (backpressure) is
 * not counted as a stalled registry.
 */
class IdleWatch {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #last = Date.now();
  #paused = false;
  #done = false;
  constructor(
    private readonly ms: number,
    private readonly onIdle: (e: IdleTimeout) => void,
  ) {
    this.#timer = setTimeout(this.#check, ms);
  }

  /** A chunk came. */
  touch(): void {
    this.#last = Date.now();
  }

  /** The consumer holds the body back: not idle. */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#last = Date.now();
  }

  stop(): void {
    this.#done = true;
    clearTimeout(this.#timer);
  }

  #check = (): void => {
    if (this.#done) return;
    const waited = Date.now() - this.#last;
    if (this.#paused || waited < this.ms) {
      this.#timer = setTimeout(this.#check, this.#paused ? this.ms : this.ms - waited);
      return;
    }
    this.#done = true;
    this.onIdle(new IdleTimeout(`no data for ${this.ms} ms`));
  };
}

/**
 * A response body handed over chunk by chunk, without a Web stream stage in
 * between. fetch's bodies are read through their stream; a platform fetch
 * can attach a cheaper pump to the Responses it makes (attachBodyPump: the
 * Node one feeds node:http's 'data' events straight through).
 */
export interface BodyPump {
  /**
   * Hands each chunk to `onChunk` in order, waiting for the promise it
   * returns before the next (backpressure). Resolves at the end of the body;
   * rejects when the body breaks off, `onChunk` throws or rejects, or stop() is called.
   */
  run(onChunk: (chunk: Uint8Array) => void | Promise<void>): Promise<void>;
  /** Abandons the body: run() rejects with `reason`, the connection is released. */
  stop(reason: unknown): void;
}

const bodyPumps = new WeakMap<Response, () => BodyPump>();

/** Lets `res`'s body be read by `pump` instead of through `res.body` (for a platform fetch, see setBlobFetch). */
export function attachBodyPump(res: Response, pump: () => BodyPump): void {
  bodyPumps.set(res, pump);
}

function webBodyPump(body: ReadableStream<Uint8Array>): BodyPump {
  const reader = body.getReader();
  let stopped: { reason: unknown } | undefined;
  const check = () => {
    if (stopped) throw stopped.reason;
  };
  return {
    async run(onChunk) {
      for (;;) {
        check();
        const r = await reader.read();
        // A cancelled reader ends its pending read as done: that is the stop, not the end of the body.
        check();
        if (r.done) return;
        const p = onChunk(r.value);
        if (p) await p;
      }
    },
    stop(reason) {
      if (stopped) return;
      stopped = { reason };
      reader.cancel(reason).catch(() => {});
    },
  };
}

function bodyPumpOf(res: Response): BodyPump {
  const make = bodyPumps.get(res);
  if (make) return make();
  return webBodyPump(res.body!);
}

/** Where downloadBlob delivers a blob's bytes, in order. */
export interface BlobSink {
  /**
   * Takes the next chunk (the caller does not reuse it). A returned promise
   * holds the download back until it settles; a throw or rejection ends the
   * download with that error (no retry: the sink refused the bytes).
   */
  write(chunk: Uint8Array): void | Promise<void>;
}

let platformBlobFetch: typeof fetch | undefined;

/**
 * The fetch that clients without an explicit `fetch` option use for blob
 * downloads (undefined: globalThis.fetch). src/transport/node.ts installs
 * one over node:http, whose bodies need no Web stream per chunk.
 */
export function setBlobFetch(f: typeof fetch | undefined): void {
  platformBlobFetch = f;
}

/**
 * Read a response body up to `limit` bytes. A body that stalls or breaks
 * off is a RegistryError with `data.interrupted` (the caller may fetch it
 * again), never the platform's raw TypeError.
 */
async function readLimited(res: Response, limit: number, what: string, timeoutMs: number, signal?: AbortSignal): Promise<Uint8Array> {
  const len = Number(res.headers.get('content-length'));
  if (Number.isFinite(len) && len > limit) {
    await drain(res);
    throw new ManifestInvalidError(`${what}: ${len} bytes is more than the ${limit}-byte limit`, { size: len });
  }
  const parts: Uint8Array[] = [];
  let n = 0;
  if (res.body) {
    const reader = res.body.getReader();
    try {
      for (;;) {
        const r = await readWithin(reader, timeoutMs);
        if (r.done) break;
        n += r.value.byteLength;
        if (n > limit) {
          await reader.cancel().catch(() => {});
          throw new ManifestInvalidError(`${what}: more than the ${limit}-byte limit`, { size: n });
        }
        parts.push(r.value);
      }
    } catch (e) {
      if (e instanceof LayerfsError) throw e;
      if (signal?.aborted) throw abortError(signal, what);
      throw new RegistryError(`${what}: the response body was interrupted: ${(e as Error)?.message ?? e}`, { interrupted: true }, { cause: e });
    }
  }
  const buf = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    buf.set(p, o);
    o += p.byteLength;
  }
  return buf;
}

export class RegistryClient {
  /** Registry name as in references (docker.io, 127.0.0.1:5000). */
  readonly registry: string;
  /** `http(s)://apiHost` with no trailing slash. */
  readonly baseUrl: string;
  readonly auth = new AuthState();
  private readonly opts: RegistryClientOptions;
  private readonly retry: Required<RetryOptions>;
  private readonly fetchFn: typeof fetch;
  private credsPromise?: Promise<BasicCredentials | undefined>;

  constructor(registry: string, opts: RegistryClientOptions = {}) {
    if (!registry || /[/\s]/.test(registry)) throw new InvalidArgumentError(`invalid registry host '${registry}'`, { registry });
    this.registry = registry;
    const apiHost = registryApiHost(registry);
    this.baseUrl = `${registryScheme(apiHost, opts.insecure)}://${apiHost}`;
    this.opts = opts;
    this.retry = {
      retries: opts.retries ?? RETRY_DEFAULTS.retries,
      baseDelayMs: opts.baseDelayMs ?? RETRY_DEFAULTS.baseDelayMs,
      maxDelayMs: opts.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs,
    };
    this.fetchFn = opts.fetch ?? globalThis.fetch.bind(globalThis);
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** See RegistryClientOptions.timeoutMs. */
  readonly timeoutMs: number;

  get retryOptions(): Required<RetryOptions> {
    return this.retry;
  }

  private credentials(): Promise<BasicCredentials | undefined> {
    if (!this.credsPromise) {
      const c = this.opts.credentials;
      this.credsPromise = Promise.resolve(
        c === undefined ? undefined : typeof c === 'string' ? parseCredentials(c) : typeof c === 'function' ? c(this.registry) : c,
      );
    }
    return this.credsPromise;
  }

  private url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  /**
   * Authorization header for a request that needs `scopes`, from what is
   * known so far. Once the registry is known to want Bearer tokens, a
   * token for these scopes is fetched before the request (no 401 round trip).
   */
  private async authHeader(scopes: string[], req: SendRequest, signal: AbortSignal | undefined): Promise<string | undefined> {
    if (this.auth.basic) {
      const c = await this.credentials();
      return c ? basicHeader(c) : undefined;
    }
    if (this.auth.bearer) {
      let t = this.auth.token(scopes);
      if (!t && scopes.length) {
        await this.fetchToken(scopes, await this.credentials(), req, signal);
        t = this.auth.token(scopes);
      }
      return t ? `Bearer ${t}` : undefined;
    }
    return undefined;
  }

  /**
   * Answers a 401 challenge. Returns true when something new was learnt
   * (basic credentials to send, a fresh token) so the request is worth
   * sending again; false when sending again would get the same 401.
   */
  private async handleChallenge(res: Response, req: SendRequest, sentAuth: string | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    const challenges = parseChallenges(res.headers.get('www-authenticate') ?? '');
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    const creds = await this.credentials();
    if (bearer && bearer.params.realm) {
      this.auth.bearer = { realm: bearer.params.realm, service: bearer.params.service };
      if (sentAuth?.startsWith('Bearer ')) {
        // A token we held was refused (expired or too narrow): get one fresh token, once.
        this.auth.dropToken(req.scopes);
        if ((req as { _renewed?: boolean })._renewed) return false;
        (req as { _renewed?: boolean })._renewed = true;
      }
      const scopes = req.scopes.length ? req.scopes : bearer.params.scope ? bearer.params.scope.split(' ') : [];
      await this.fetchToken(scopes, creds, req, signal);
      return true;
    }
    if (basic) {
      this.auth.basic = true;
      return !!creds && !sentAuth;
    }
    return false;
  }

  /** Token fetches in flight, by scope key: concurrent requests share one. */
  private readonly tokenFetches = new Map<string, Promise<void>>();

  /** Docker token spec: GET realm?service=&scope=... with basic credentials when known. */
  private fetchToken(scopes: string[], creds: BasicCredentials | undefined, req: SendRequest, signal: AbortSignal | undefined): Promise<void> {
    const key = AuthState.scopeKey(req.scopes.length ? req.scopes : scopes);
    let p = this.tokenFetches.get(key);
    if (!p) {
      p = this.fetchTokenNow(scopes, creds, req, signal).finally(() => this.tokenFetches.delete(key));
      this.tokenFetches.set(key, p);
    }
    return p;
  }

  private async fetchTokenNow(scopes: string[], creds: BasicCredentials | undefined, req: SendRequest, signal: AbortSignal | undefined): Promise<void> {
    const b = this.auth.bearer!;
    const u = new URL(b.realm);
    if (b.service) u.searchParams.set('service', b.service);
    for (const s of scopes) u.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    if (creds) headers.authorization = basicHeader(creds);
    const res = await this.fetchWithRetry(u.href, { method: 'GET', headers, signal }, `get a token for ${req.what}`);
    if (!res.ok) throw await mapErrorResponse(res, `get a token for ${req.what}`, req.repository, this.registry);
    let body: { token?: string; access_token?: string; expires_in?: number };
    try {
      body = (await res.json()) as typeof body;
    } catch (e) {
      throw new RegistryError(`the token server ${u.origin} answered with something that is not JSON`, { registry: this.registry }, { cause: e });
    }
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`the token server ${u.origin} gave no token`, { registry: this.registry });
    this.auth.setToken(req.scopes.length ? req.scopes : scopes, token, body.expires_in);
  }

  /**
   * One fetch, retried on network errors, 429 (with Retry-After) and 5xx,
   * with capped exponential backoff. Returns the last response for any
   * other status, and the last retryable response when attempts run out.
   */
  private async fetchWithRetry(url: string, init: RequestInit, what: string, fetchFn: typeof fetch = this.fetchFn): Promise<Response> {
    const signal = init.signal ?? undefined;
    // A streamed body can be sent once: its failures go to the caller, which starts the blob over.
    const oneShot = init.body instanceof ReadableStream;
    // Without a body the answer should come promptly: a registry that never answers is a failed attempt.
    const timed = init.body === undefined || init.body === null;
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(signal, what);
      let res: Response;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let timedOut = false;
      let attemptInit = oneShot ? ({ ...init, duplex: 'half' } as RequestInit) : init;
      if (timed) {
        const ac = new AbortController();
        timer = setTimeout(() => {
          timedOut = true;
          ac.abort(new IdleTimeout(`no response within ${this.timeoutMs} ms`));
        }, this.timeoutMs);
        attemptInit = { ...attemptInit, signal: anySignal(signal, ac.signal) ?? null };
      }
      try {
        res = await fetchFn(url, attemptInit);
      } catch (e0) {
        if (signal?.aborted) throw abortError(signal, what);
        const e = timedOut ? new IdleTimeout(`no response within ${this.timeoutMs} ms`) : e0;
        // The body stream itself failed (short source, digest check): that error, not "network error".
        const cause = (e as { cause?: unknown })?.cause;
        if (cause instanceof LayerfsError) throw cause;
        if (oneShot || attempt >= this.retry.retries) {
          throw new RegistryError(`${what}: network error after ${attempt + 1} attempts: ${(e as Error)?.message ?? e}`, { registry: this.registry, url }, { cause: e });
        }
        await sleep(backoffDelay(attempt + 1, this.retry), signal, what);
        continue;
      } finally {
        clearTimeout(timer);
      }
      if (isRetryableStatus(res.status) && attempt < this.retry.retries && !oneShot) {
        const delay = backoffDelay(attempt + 1, this.retry, res.headers.get('retry-after'));
        await drain(res);
        await sleep(delay, signal, what);
        continue;
      }
      return res;
    }
  }

  /** Sends an API request with auth, retries and typed errors. */
  async send(req: SendRequest): Promise<Response> {
    const signal = anySignal(req.signal, this.opts.signal);
    const href = typeof req.url === 'string' ? req.url : req.url.href;
    // At most two challenge rounds: anonymous -> credentials/token, then one token renewal.
    for (let round = 0; ; round++) {
      const headers: Record<string, string> = { ...req.headers };
      const auth = await this.authHeader(req.scopes, req, signal);
      if (auth) headers.authorization = auth;
      if (this.opts.userAgent) headers['user-agent'] = this.opts.userAgent;
      const res = await this.fetchWithRetry(href, { method: req.method, headers, body: req.body as BodyInit | undefined, signal, redirect: 'follow' }, req.what, req.fetch);
      if (res.ok || req.accept?.includes(res.status)) return res;
      if (res.status === 401 && round < 2 && !(req.body instanceof ReadableStream)) {
        const body = await res.text().catch(() => '');
        if (await this.handleChallenge(res, req, auth, signal)) continue;
        throw errorFor(401, body, req.what, req.repository, this.registry);
      }
      throw await mapErrorResponse(res, req.what, req.repository, this.registry);
    }
  }

  /** GET /v2/: checks the registry speaks the API and primes auth. */
  async ping(opts: RequestOptions = {}): Promise<void> {
    const res = await this.send({ method: 'GET', url: this.url('/v2/'), scopes: [], what: `reach ${this.registry}`, signal: opts.signal });
    await drain(res);
  }

  /**
   * Fetches a manifest or index by tag or digest, negotiating media types
   * (OCI and Docker schema2). When asked by digest, the bytes are verified.
   */
  async getManifest(repository: string, reference: string, opts: RequestOptions & { accept?: readonly string[] } = {}): Promise<FetchedManifest> {
    const what = `pull manifest ${this.registry}/${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
    const signal = anySignal(opts.signal, this.opts.signal);
    let res: Response;
    let bytes: Uint8Array;
    // A body that stalls or breaks off is fetched again, within the retry policy.
    for (let attempt = 0; ; attempt++) {
      res = await this.send({
        method: 'GET',
        url: this.url(`/v2/${repository}/manifests/${reference}`),
        scopes: [pullScope(repository)],
        repository,
        what,
        headers: { accept: (opts.accept ?? MANIFEST_ACCEPT).join(', ') },
        signal: opts.signal,
      });
      try {
        bytes = await readLimited(res, MANIFEST_LIMIT, what, this.timeoutMs, signal);
        break;
      } catch (e) {
        if (!(e instanceof RegistryError && (e.data as { interrupted?: boolean }).interrupted) || attempt >= this.retry.retries) throw e;
        await sleep(backoffDelay(attempt + 1, this.retry), signal, what);
      }
    }
    let mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    if (!mediaType || mediaType === 'application/json' || mediaType === 'text/plain') {
      // Some registries send a generic type; the manifest's own mediaType field decides then.
      try {
        mediaType = (JSON.parse(new TextDecoder().decode(bytes)) as { mediaType?: string }).mediaType ?? mediaType;
      } catch {
        /* reported by the caller's parser */
      }
    }
    let digest: string;
    if (reference.includes(':')) {
      await verify(bytes, reference);
      digest = reference;
    } else {
      digest = await sha256(bytes);
      const claimed = res.headers.get('docker-content-digest');
      if (claimed && claimed.startsWith('sha256:') && claimed !== digest) {
        throw new DigestMismatchError(`manifest of ${this.registry}/${repository}:${reference} hashes to ${digest}, the registry says ${claimed}`, {
          digest: claimed,
          actual: digest,
        });
      }
    }
    return { bytes, mediaType, digest };
  }

  /** HEAD a manifest: its digest, media type and size, or undefined when absent. */
  async headManifest(repository: string, reference: string, opts: RequestOptions = {}): Promise<{ digest?: string; mediaType: string; size: number } | undefined> {
    const res = await this.send({
      method: 'HEAD',
      url: this.url(`/v2/${repository}/manifests/${reference}`),
      scopes: [pullScope(repository)],
      repository,
      what: `check manifest ${this.registry}/${repository}:${reference}`,
      headers: { accept: MANIFEST_ACCEPT.join(', ') },
      signal: opts.signal,
      accept: [404],
    });
    await drain(res);
    if (res.status === 404) return undefined;
    return {
      digest: res.headers.get('docker-content-digest') ?? undefined,
      mediaType: (res.headers.get('content-type') ?? '').split(';')[0]!.trim(),
      size: Number(res.headers.get('content-length') ?? -1),
    };
  }

  /** PUT a manifest under a tag or its digest; returns the digest the registry computed. */
  async putManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string, opts: RequestOptions = {}): Promise<string> {
    const res = await this.send({
      method: 'PUT',
      url: this.url(`/v2/${repository}/manifests/${reference}`),
      scopes: [pushScope(repository)],
      repository,
      what: `push manifest ${this.registry}/${repository}:${reference}`,
      headers: { 'content-type': mediaType },
      body: bytes,
      signal: opts.signal,
    });
    await drain(res);
    const digest = await sha256(bytes);
    const claimed = res.headers.get('docker-content-digest');
    if (claimed && claimed.startsWith('sha256:') && claimed !== digest) {
      throw new DigestMismatchError(`the registry stored manifest ${claimed}, layerfs sent ${digest}`, { digest, actual: claimed });
    }
    return digest;
  }

  /** HEAD a blob: its size when the repository has it, else undefined. */
  async hasBlob(repository: string, digest: string, opts: RequestOptions & { push?: boolean } = {}): Promise<number | undefined> {
    const res = await this.send({
      method: 'HEAD',
      url: this.url(`/v2/${repository}/blobs/${digest}`),
      scopes: [opts.push ? pushScope(repository) : pullScope(repository)],
      repository,
      what: `check blob ${digest} in ${this.registry}/${repository}`,
      signal: opts.signal,
      accept: [404],
    });
    await drain(res);
    if (res.status === 404) return undefined;
    const n = Number(res.headers.get('content-length'));
    return Number.isFinite(n) ? n : 0;
  }

  /** The fetch for blob downloads: the caller's own, else the platform's (setBlobFetch), else global fetch. */
  private blobFetch(): typeof fetch {
    return this.opts.fetch ? this.fetchFn : (platformBlobFetch ?? this.fetchFn);
  }

  /**
   * Downloads a blob into `sink`, chunk by chunk, in order, with no Web
   * stream in between (the pull path: see BlobSink). The bytes are NOT
   * verified here: the sink verifies (the store does), or use fetchBlob.
   *
   * An interrupted transfer (reset, truncated body, no data for
   * `timeoutMs`) resumes with a Range request from the byte reached
   * (distribution-spec "Pulling blobs" allows Range); a registry that
   * answers 200 instead of 206 is read from the start and the bytes
   * already delivered are skipped. Interruptions are bounded by the retry
   * policy; the sink's own errors end the download at once.
   */
  async downloadBlob(
    repository: string,
    desc: { digest: string; size: number },
    sink: BlobSink,
    opts: RequestOptions & { onProgress?: (p: BlobProgress) => void } = {},
  ): Promise<void> {
    const signal = anySignal(opts.signal, this.opts.signal);
    const what = `pull blob ${desc.digest} from ${this.registry}/${repository}`;
    const url = this.url(`/v2/${repository}/blobs/${desc.digest}`);
    const fetchFn = this.blobFetch();
    const onProgress = opts.onProgress;
    let received = 0;
    let reported = 0;
    let interruptions = 0;
    for (;;) {
      const headers: Record<string, string> = {};
      if (received > 0) headers.range = `bytes=${received}-`;
      const res = await this.send({ method: 'GET', url, scopes: [pullScope(repository)], repository, what, headers, signal, fetch: fetchFn });
      let skip = 0;
      if (received > 0) {
        const cr = res.headers.get('content-range');
        const start = res.status === 206 && cr ? Number(/bytes\s+(\d+)-/.exec(cr)?.[1]) : NaN;
        if (res.status !== 206) skip = received;
        else if (start !== received) {
          await drain(res);
          throw new RegistryError(`${what}: asked for bytes from ${received}, got range '${cr}'`, { registry: this.registry, repository });
        }
      }
      if (!res.body) throw new RegistryError(`${what}: empty response`, { registry: this.registry, repository });
      const pump = bodyPumpOf(res);
      const idle = new IdleWatch(this.timeoutMs, (e) => pump.stop(e));
      let refused: { error: unknown } | undefined;
      const resumeAfter = (p: Promise<void>): Promise<void> => {
        idle.pause();
        return p.then(
          () => idle.resume(),
          (e: unknown) => {
            refused = { error: e };
            throw e;
          },
        );
      };
      try {
        await pump.run((chunk) => {
          idle.touch();
          if (skip > 0) {
            const n = Math.min(skip, chunk.byteLength);
            skip -= n;
            chunk = chunk.subarray(n);
            if (chunk.byteLength === 0) return;
          }
          received += chunk.byteLength;
          let p: void | Promise<void>;
          try {
            p = sink.write(chunk);
          } catch (e) {
            refused = { error: e };
            throw e;
          }
          if (onProgress && (received - reported >= PROGRESS_BYTES || received >= desc.size)) {
            reported = received;
            onProgress({ digest: desc.digest, done: received, total: desc.size });
          }
          return p ? resumeAfter(p) : undefined;
        });
      } catch (e) {
        idle.stop();
        pump.stop(e);
        if (refused) throw refused.error;
        // Broken off after the last byte (a Content-Length longer than the body): what came is checked by the digest.
        if (received >= desc.size && !signal?.aborted) return;
        await this.#interrupted(e, ++interruptions, received, desc, what, repository, signal);
        continue;
      }
      idle.stop();
      if (received < desc.size) {
        await this.#interrupted(new Error('body ended early'), ++interruptions, received, desc, what, repository, signal);
        continue;
      }
      return;
    }
  }

  /** An interrupted download: typed error when aborted or out of attempts, else the backoff before resuming. */
  async #interrupted(
    cause: unknown,
    interruptions: number,
    received: number,
    desc: { digest: string; size: number },
    what: string,
    repository: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    if (signal?.aborted) throw abortError(signal, what);
    if (interruptions > this.retry.retries) {
      throw new RegistryError(`${what}: transfer interrupted ${interruptions} times at byte ${received} of ${desc.size}`, { registry: this.registry, repository, digest: desc.digest }, { cause });
    }
    await sleep(backoffDelay(interruptions, this.retry), signal, what);
  }

  /**
   * The blob's bytes as a stream, verified against `digest` (and `size`):
   * the stream errors with DIGEST_MISMATCH instead of closing when they
   * differ. Downloads with downloadBlob (Range resume, retries, idle
   * timeout), reading up to `readAhead` bytes ahead of the consumer.
   */
  fetchBlob(
    repository: string,
    desc: { digest: string; size: number },
    opts: RequestOptions & {
      onProgress?: (p: BlobProgress) => void;
      /** false when the consumer verifies anyway (the store does): saves hashing twice. Default true. */
      verify?: boolean;
    } = {},
  ): ReadableStream<Uint8Array> {
    const cancelled = new AbortController();
    const signal = anySignal(opts.signal, cancelled.signal);
    let ctl!: ReadableStreamDefaultController<Uint8Array>;
    let wake: (() => void) | undefined;
    // Network chunks (~64 KiB) gathered into ~1 MiB ones: one copy per MiB costs less than a stream step per chunk.
    const held: Uint8Array[] = [];
    let heldBytes = 0;
    const flush = () => {
      if (heldBytes === 0) return;
      ctl.enqueue(concatBytes(held, heldBytes));
      held.length = 0;
      heldBytes = 0;
    };
    const sink: BlobSink = {
      write: (chunk) => {
        if (cancelled.signal.aborted) throw cancelled.signal.reason;
        held.push(chunk);
        heldBytes += chunk.byteLength;
        if (heldBytes < COALESCE_BYTES) return;
        flush();
        if ((ctl.desiredSize ?? 0) > 0) return;
        return new Promise<void>((resolve) => {
          wake = resolve;
        });
      },
    };
    const raw = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          ctl = c;
          this.downloadBlob(repository, desc, sink, { signal, onProgress: opts.onProgress }).then(
            () => {
              if (cancelled.signal.aborted) return;
              flush();
              ctl.close();
            },
            (e: unknown) => {
              if (!cancelled.signal.aborted) ctl.error(e);
            },
          );
        },
        pull: () => {
          wake?.();
          wake = undefined;
        },
        cancel: (reason) => {
          cancelled.abort(reason ?? new Error('cancelled'));
          wake?.();
          wake = undefined;
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: this.opts.readAhead ?? 4 * 1024 * 1024 }),
    );
    if (opts.verify === false) return raw;
    return raw.pipeThrough(verifyTransform(desc.digest, { size: desc.size }));
  }

  /**
   * POST /v2/NAME/blobs/uploads/, optionally as a cross-repository mount
   * (`?mount=DIGEST&from=OTHER`). Returns {mounted:true} on 201, else the
   * upload session's location (a registry that cannot mount opens a
   * session instead, distribution-spec "Mounting a blob from another repository").
   */
  async startUpload(repository: string, opts: RequestOptions & { mount?: { digest: string; from: string } } = {}): Promise<{ mounted: true } | { mounted: false; location: string }> {
    const u = new URL(this.url(`/v2/${repository}/blobs/uploads/`));
    const scopes = [pushScope(repository)];
    if (opts.mount) {
      u.searchParams.set('mount', opts.mount.digest);
      u.searchParams.set('from', opts.mount.from);
      scopes.push(pullScope(opts.mount.from));
    }
    const res = await this.send({
      method: 'POST',
      url: u,
      scopes,
      repository,
      what: opts.mount ? `mount ${opts.mount.digest} from ${opts.mount.from} into ${this.registry}/${repository}` : `start an upload to ${this.registry}/${repository}`,
      signal: opts.signal,
    });
    await drain(res);
    if (res.status === 201 && opts.mount) return { mounted: true };
    return { mounted: false, location: this.location(res, u.href) };
  }

  private location(res: Response, base: string): string {
    const loc = res.headers.get('location');
    if (!loc) throw new RegistryError(`${this.registry} answered ${res.status} without a Location header`, { registry: this.registry });
    return new URL(loc, base).href;
  }

  /**
   * Uploads a blob into an open session: one PUT with the body when it is
   * at most `monolithicMax` bytes, else PATCH chunks with Content-Range
   * then a closing PUT (distribution-spec "Pushing a blob in chunks").
   *
   * A PATCH that fails (network error, 5xx, 416) is resumed rather than the
   * blob restarted: the client asks the registry how much of the upload it
   * holds (distribution-spec "Get upload status": GET the upload URL, 204
   * with `Range: 0-<last byte>` and a fresh Location) and sends on from
   * there, with the tail of the chunk it still has in memory or, for a
   * streamed chunk, from `reopen()` with the bytes before that offset
   * skipped. A registry that cannot report the session (distribution 2.x
   * invalidates it once a PATCH broke off after some bytes arrived) makes
   * the original error stand; ensureBlob then starts the blob over.
   */
  async uploadBlob(
    repository: string,
    location: string,
    desc: { digest: string; size: number },
    data: ReadableStream<Uint8Array>,
    opts: RequestOptions & {
      onProgress?: (p: BlobProgress) => void;
      /** The same bytes again from the start, to resume a streamed chunk. */
      reopen?: () => Promise<ReadableStream<Uint8Array>>;
    } = {},
  ): Promise<void> {
    const what = `push blob ${desc.digest} to ${this.registry}/${repository}`;
    const scopes = [pushScope(repository)];
    const monolithicMax = this.opts.monolithicMax ?? 16 * 1024 * 1024;
    const chunkSize = Math.max(1, this.opts.chunkSize ?? 64 * 1024 * 1024);
    const stream = this.opts.streamChunks ?? isNode();
    const signal = anySignal(opts.signal, this.opts.signal);
    let reader = data.getReader();
    let chunks = new ChunkReader(reader);
    try {
      if (desc.size <= monolithicMax) {
        const body = await chunks.read(desc.size);
        await chunks.expectEnd(desc);
        const u = new URL(location);
        u.searchParams.set('digest', desc.digest);
        const res = await this.send({
          method: 'PUT',
          url: u,
          scopes,
          repository,
          what,
          headers: { 'content-type': 'application/octet-stream' },
          body,
          signal: opts.signal,
        });
        await drain(res);
        opts.onProgress?.({ digest: desc.digest, done: desc.size, total: desc.size });
        return;
      }
      let offset = 0;
      let resumes = 0;
      while (offset < desc.size) {
        const n = Math.min(chunkSize, desc.size - offset);
        const at = offset;
        const body = stream
          ? chunks.stream(n, (sent) => opts.onProgress?.({ digest: desc.digest, done: at + sent, total: desc.size }))
          : await chunks.read(n);
        let res: Response;
        try {
          res = await this.send({
            method: 'PATCH',
            url: location,
            scopes,
            repository,
            what,
            headers: {
              'content-type': 'application/octet-stream',
              'content-range': `${offset}-${offset + n - 1}`,
              'content-length': String(n),
            },
            body,
            signal: opts.signal,
          });
        } catch (e) {
          if (!isRetryableFailure(e) || resumes >= this.retry.retries || signal?.aborted) throw e;
          resumes++;
          await sleep(backoffDelay(resumes, this.retry), signal, what);
          const status = await this.uploadStatus(repository, location, { signal: opts.signal }).catch(() => undefined);
          const have = status ? resumeOffset(status.range, at) : undefined;
          // The registry must hold at least what it acknowledged, and at most this chunk more.
          if (!status || have === undefined || have < at || have > at + n) throw e;
          if (body instanceof Uint8Array) {
            chunks.unread(body.subarray(have - at));
          } else if (opts.reopen) {
            await reader.cancel().catch(() => {});
            reader.releaseLock();
            reader = (await opts.reopen()).getReader();
            chunks = new ChunkReader(reader);
            await chunks.skip(have, desc);
          } else {
            throw e;
          }
          location = status.location;
          offset = have;
          opts.onProgress?.({ digest: desc.digest, done: offset, total: desc.size });
          continue;
        }
        await drain(res);
        location = this.location(res, location);
        offset += n;
        opts.onProgress?.({ digest: desc.digest, done: offset, total: desc.size });
      }
      await chunks.expectEnd(desc);
      const u = new URL(location);
      u.searchParams.set('digest', desc.digest);
      const res = await this.send({ method: 'PUT', url: u, scopes, repository, what, signal: opts.signal });
      await drain(res);
    } catch (e) {
      await reader.cancel(e).catch(() => {});
      throw e;
    } finally {
      reader.releaseLock();
    }
  }

  /**
   * distribution-spec "Get upload status": how much of an upload session
   * the registry holds (`range`, the `Range` header: `0-<last byte>`) and
   * the URL to go on with. Undefined when the session is unknown or invalid (404).
   */
  async uploadStatus(repository: string, location: string, opts: RequestOptions = {}): Promise<{ range: string | null; location: string } | undefined> {
    const res = await this.send({
      method: 'GET',
      url: location,
      scopes: [pushScope(repository)],
      repository,
      what: `get the status of an upload to ${this.registry}/${repository}`,
      signal: opts.signal,
      accept: [404],
    });
    await drain(res);
    if (res.status === 404) return undefined;
    return { range: res.headers.get('range'), location: res.headers.get('location') ? this.location(res, location) : location };
  }

  /** Abandons an upload session (DELETE on its location); errors are ignored. */
  async cancelUpload(repository: string, location: string): Promise<void> {
    try {
      const res = await this.send({ method: 'DELETE', url: location, scopes: [pushScope(repository)], repository, what: 'cancel upload', accept: [404] });
      await drain(res);
    } catch {
      /* best effort: the registry purges stale uploads itself */
    }
  }

  /** GET /v2/NAME/tags/list, following `Link: <...>; rel="next"` pages. */
  async listTags(repository: string, opts: RequestOptions & { pageSize?: number } = {}): Promise<string[]> {
    const tags: string[] = [];
    let next: string | undefined = this.url(`/v2/${repository}/tags/list${opts.pageSize ? `?n=${opts.pageSize}` : ''}`);
    while (next) {
      const res = await this.send({ method: 'GET', url: next, scopes: [pullScope(repository)], repository, what: `list tags of ${this.registry}/${repository}`, signal: opts.signal });
      const body = (await res.json().catch(() => ({}))) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      const link = res.headers.get('link');
      const m = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
      next = m ? new URL(m[1]!, next).href : undefined;
    }
    return tags;
  }
}

function isNode(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
}

/** Failures worth asking the registry about (network errors, 5xx, 416): typed REGISTRY_ERROR, not a bad source. */
function isRetryableFailure(e: unknown): boolean {
  return e instanceof LayerfsError && e.code === 'REGISTRY_ERROR';
}

/**
 * Bytes an upload holds, from its status `Range: 0-<last byte>`.
 * distribution answers `0-0` for an empty upload as well as a one-byte
 * one; `acknowledged` (bytes the registry already confirmed) tells them apart.
 */
export function resumeOffset(range: string | null, acknowledged: number): number | undefined {
  const m = range ? /^(?:bytes=)?0-(\d+)$/.exec(range.trim()) : null;
  if (!m) return undefined;
  const last = Number(m[1]);
  if (!Number.isSafeInteger(last)) return undefined;
  return last === 0 && acknowledged === 0 ? 0 : last + 1;
}

/** Reads exact-size chunks from a stream. */
class ChunkReader {
  private pending: Uint8Array | undefined;
  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  async read(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      let chunk = this.pending;
      this.pending = undefined;
      if (!chunk) {
        const r = await this.reader.read();
        if (r.done) throw new DigestMismatchError(`blob source ended after ${o} of ${n} bytes`, { size: n, actualSize: o });
        chunk = r.value;
      }
      const take = Math.min(n - o, chunk.byteLength);
      out.set(chunk.subarray(0, take), o);
      o += take;
      if (take < chunk.byteLength) this.pending = chunk.subarray(take);
    }
    return out;
  }

  /** The next `n` bytes as a stream (no copy); errors with DIGEST_MISMATCH when the source ends first. */
  stream(n: number, onBytes?: (sent: number) => void): ReadableStream<Uint8Array> {
    let left = n;
    return new ReadableStream<Uint8Array>({
      pull: async (ctl) => {
        if (left === 0) return ctl.close();
        let chunk = this.pending;
        this.pending = undefined;
        if (!chunk) {
          const r = await this.reader.read();
          if (r.done) throw new DigestMismatchError(`blob source ended ${left} bytes short of its size`, { size: n, actualSize: n - left });
          chunk = r.value;
        }
        if (chunk.byteLength > left) {
          this.pending = chunk.subarray(left);
          chunk = chunk.subarray(0, left);
        }
        left -= chunk.byteLength;
        ctl.enqueue(chunk);
        onBytes?.(n - left);
        if (left === 0) ctl.close();
      },
    });
  }

  /** Puts bytes back in front of what is still to be read (the unsent tail of a chunk). */
  unread(bytes: Uint8Array): void {
    if (!bytes.byteLength) return;
    if (this.pending?.byteLength) {
      const both = new Uint8Array(bytes.byteLength + this.pending.byteLength);
      both.set(bytes);
      both.set(this.pending, bytes.byteLength);
      this.pending = both;
    } else {
      this.pending = bytes;
    }
  }

  /** Reads and drops `n` bytes; DIGEST_MISMATCH when the source ends first. */
  async skip(n: number, desc: { digest: string; size: number }): Promise<void> {
    let left = n;
    while (left > 0) {
      let chunk = this.pending;
      this.pending = undefined;
      if (!chunk) {
        const r = await this.reader.read();
        if (r.done) throw new DigestMismatchError(`blob ${desc.digest} source ended after ${n - left} of ${desc.size} bytes`, { digest: desc.digest, size: desc.size, actualSize: n - left });
        chunk = r.value;
      }
      if (chunk.byteLength > left) this.pending = chunk.subarray(left);
      left -= Math.min(left, chunk.byteLength);
    }
  }

  async expectEnd(desc: { digest: string; size: number }): Promise<void> {
    if (this.pending && this.pending.byteLength) throw new DigestMismatchError(`blob ${desc.digest} is longer than its size ${desc.size}`, { digest: desc.digest, size: desc.size });
    for (;;) {
      const r = await this.reader.read();
      if (r.done) return;
      if (r.value.byteLength) throw new DigestMismatchError(`blob ${desc.digest} is longer than its size ${desc.size}`, { digest: desc.digest, size: desc.size });
    }
  }
}

