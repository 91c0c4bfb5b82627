/**
 * Chain ids (OCI image-spec config.md "Layer ChainID", CONFORMANCE 3):
 * ChainID(L0) = DiffID(L0); ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " + DiffID(Ln)).
 * They name each prefix of a layer stack, so two images on one base share them.
 */
import { checkDigest, sha256String } from './hashing.js';

export async function chainIds(diffIds: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const d of diffIds) {
    checkDigest(d);
    out.push(out.length === 0 ? d : await sha256String(`${out[out.length - 1]} ${d}`));
  }
  return out;
}

/** ChainID of the whole stack (undefined for no layers). */
export async function chainId(diffIds: readonly string[]): Promise<string | undefined> {
  const ids = await chainIds(diffIds);
  return ids[ids.length - 1];
}
