/**
 * Node-only credential lookup, reached only from src/node.ts: `--creds
 * user:pass`, then `LAYERFS_AUTH` (user:pass), then the Docker CLI's
 * `config.json` (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`):
 * its `auths` map, keyed by registry host (or Docker Hub's legacy
 * `https://index.docker.io/v1/`), with a base64 `auth` field of `user:pass`
 * (or `username`/`password`). Credential helpers (`credsStore`,
 * `credHelpers`) are not run.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_HUB } from '../docker-ref.js';
import { parseCredentials, type BasicCredentials, type CredentialsProvider } from './auth.js';

export interface DockerConfigOptions {
  /** Path of config.json. Default: $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
  path?: string;
  env?: Record<string, string | undefined>;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
}

function configPath(opts: DockerConfigOptions): string {
  const env = opts.env ?? process.env;
  if (opts.path) return opts.path;
  return join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
}

/** Keys under which `registry` may appear in `auths` (the Docker CLI writes several forms). */
function keysFor(registry: string): string[] {
  const keys = [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
  if (registry === DOCKER_HUB || registry === 'index.docker.io' || registry === 'registry-1.docker.io') {
    keys.push('https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io');
  }
  return keys;
}

function decode(e: AuthEntry): BasicCredentials | undefined {
  if (e.auth) {
    const s = Buffer.from(e.auth, 'base64').toString('utf8');
    if (s.includes(':')) return parseCredentials(s);
  }
  if (e.username !== undefined && e.password !== undefined) return { username: e.username, password: e.password };
  return undefined;
}

/** Credentials for `registry` from a Docker config.json, or undefined. */
export function dockerConfigCredentials(registry: string, opts: DockerConfigOptions = {}): BasicCredentials | undefined {
  let auths: Record<string, AuthEntry>;
  try {
    auths = (JSON.parse(readFileSync(configPath(opts), 'utf8')) as { auths?: Record<string, AuthEntry> }).auths ?? {};
  } catch {
    return undefined; // no config (or unreadable): anonymous
  }
  for (const k of keysFor(registry)) {
    const e = auths[k];
    if (e) {
      const c = decode(e);
      if (c) return c;
    }
  }
  return undefined;
}

/** The CLI's lookup order: explicit creds, LAYERFS_AUTH, Docker config. */
export function nodeCredentials(opts: DockerConfigOptions & { creds?: string } = {}): CredentialsProvider {
  const env = opts.env ?? process.env;
  return (registry) => {
    if (opts.creds) return parseCredentials(opts.creds);
    if (env.LAYERFS_AUTH) return parseCredentials(env.LAYERFS_AUTH);
    return dockerConfigCredentials(registry, opts);
  };
}
