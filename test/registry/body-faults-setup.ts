/**
 * The setup both body-fault suites share (faults-bodies over fetch,
 * faults-node-http over node:http): docker-registry behind the fault proxy,
 * holding a small two-layer image and one with a 600 kB layer, pushed
 * without faults.
 */
import { randomBytes } from 'node:crypto';
import { openMemoryStore } from '../../src/store/open-memory.js';
import { pushImage } from '../../src/transport/registry/push.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { buildImage, makeLayer, randomLayer, storeImage, type BuiltImage } from './fixtures.js';

export interface BodyFaultRegistry {
  reg: TestRegistry;
  proxy: FaultProxy;
  /** `${repo}/small:1` */
  small: BuiltImage;
  /** `${repo}/big:1` */
  big: BuiltImage;
}

export async function startBodyFaultRegistry(repo: string, seed: string, retry: { baseDelayMs: number; maxDelayMs: number; retries: number }): Promise<BodyFaultRegistry> {
  const reg = await startRegistry();
  const proxy = await startFaultProxy({ host: '127.0.0.1', port: reg.port });
  const small = buildImage([randomLayer(`${seed}0`), randomLayer(`${seed}1`)]);
  const big = buildImage([makeLayer({ 'big.bin': randomBytes(600_000) })]);
  const store = openMemoryStore();
  await storeImage(store, small, `${repo}/small:1`);
  await storeImage(store, big, `${repo}/big:1`);
  await pushImage(store, `${repo}/small:1`, `docker://${reg.host}/${repo}/small:1`, retry);
  await pushImage(store, `${repo}/big:1`, `docker://${reg.host}/${repo}/big:1`, retry);
  return { reg, proxy, small, big };
}
