/**
 * Registry authentication as the Docker token spec and RFC 7235 describe
 * it: a 401 carries `WWW-Authenticate: Basic realm=...` or `Bearer
 * realm=...,service=...,scope=...`. Basic sends the credentials on every
 * request; Bearer trades them (or nothing: anonymous) at the realm for a
 * token, cached per scope set until it expires.
 */

export interface BasicCredentials {
  username: string;
  password: string;
}

/** Credentials for a registry host, or undefined for anonymous access. */
export type CredentialsProvider = (registry: string) => BasicCredentials | undefined | Promise<BasicCredentials | undefined>;

export interface Challenge {
  scheme: string; // lower-case: 'basic' | 'bearer' | ...
  params: Record<string, string>;
}

/**
 * Parses a WWW-Authenticate header (RFC 7235 §4.1): one or more challenges,
 * each a scheme followed by comma-separated auth-params whose values may
 * be quoted strings (with backslash escapes).
 */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const n = header.length;
  const skipWs = () => {
    while (i < n && (header[i] === ' ' || header[i] === '\t' || header[i] === ',')) i++;
  };
  while (i < n) {
    skipWs();
    const m = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(header.slice(i));
    if (!m) break;
    const scheme = m[0].toLowerCase();
    i += m[0].length;
    const params: Record<string, string> = {};
    for (;;) {
      while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
      if (header[i] === ',') i++;
      while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
      const k = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*/.exec(header.slice(i));
      if (!k) break;
      i += k[0].length;
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < n && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < n) i++;
          value += header[i];
          i++;
        }
        i++; // closing quote
      } else {
        const v = /^[^,\s]*/.exec(header.slice(i))![0];
        value = v;
        i += v.length;
      }
      params[k[1]!.toLowerCase()] = value;
    }
    out.push({ scheme, params });
  }
  return out;
}

/** base64 of a UTF-8 string, without Buffer (browser-safe). */
export function base64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

export function basicHeader(c: BasicCredentials): string {
  return `Basic ${base64(`${c.username}:${c.password}`)}`;
}

/** `user:pass` (as given to --creds and LAYERFS_AUTH) -> credentials. */
export function parseCredentials(s: string): BasicCredentials {
  const i = s.indexOf(':');
  if (i < 0) return { username: s, password: '' };
  return { username: s.slice(0, i), password: s.slice(i + 1) };
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Per-registry auth state: which scheme the registry asked for and the tokens got so far. */
export class AuthState {
  basic = false;
  bearer?: { realm: string; service?: string };
  private readonly tokens = new Map<string, CachedToken>();

  static scopeKey(scopes: readonly string[]): string {
    return [...scopes].sort().join(' ');
  }

  token(scopes: readonly string[], now = Date.now()): string | undefined {
    const t = this.tokens.get(AuthState.scopeKey(scopes));
    return t && t.expiresAt > now ? t.token : undefined;
  }

  setToken(scopes: readonly string[], token: string, expiresInSec: number | undefined, now = Date.now()): void {
    // Docker's token spec: expires_in defaults to 60 s; renew 10 s early.
    const ttl = Math.max(10, (expiresInSec ?? 60) - 10);
    this.tokens.set(AuthState.scopeKey(scopes), { token, expiresAt: now + ttl * 1000 });
  }

  dropToken(scopes: readonly string[]): void {
    this.tokens.delete(AuthState.scopeKey(scopes));
  }
}
