/**
 * Node side of the Chromium suites: make sure Debian's chromium is there,
 * start a local docker-registry (distribution 2.8) whose CORS headers let
 * the page read Docker-Content-Digest, and hand its URL to the browser
 * through vitest's provide/inject.
 */
import type { TestProject } from 'vitest/node';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { requireTools } from '../helpers/tools.js';

declare module 'vitest' {
  export interface ProvidedContext {
    registryUrl: string;
    registryHost: string;
  }
}

let registry: TestRegistry | undefined;

export async function setup(project: TestProject): Promise<void> {
  requireTools('chromium');
  registry = await startRegistry();
  project.provide('registryUrl', registry.url);
  project.provide('registryHost', registry.host);
}

export async function teardown(): Promise<void> {
  await registry?.stop();
}
