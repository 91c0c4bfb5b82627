/** The OCI distribution client and the docker:// transport (browser-safe: fetch only). */
export {
  parseDockerReference,
  registryApiHost,
  registryScheme,
  withReference,
  DOCKER_HUB,
  DOCKER_HUB_API,
  type DockerReference,
  type ParseDockerReferenceOptions,
} from '../docker-ref.js';
export { RegistryClient, MANIFEST_ACCEPT, type RegistryClientOptions, type BlobProgress, type FetchedManifest, type BlobSink } from './client.js';
export { parseChallenges, parseCredentials, type BasicCredentials, type CredentialsProvider, type Challenge } from './auth.js';
export type { RetryOptions } from './retry.js';
export { BlobSources, defaultBlobSources, BLOB_SOURCES, type BlobLocation } from './blob-sources.js';
export { pullImage, familiarName, resolveManifest, type PullResult } from './pull.js';
export { pushImage, pushImageObject, ensureBlob, type PushResult, type BlobOutcome } from './push.js';
export { dockerSource, dockerDestination, type DockerTransportOptions } from './transport.js';
export type { PullOptions, PushOptions, RegistryProgress, RegistryTransferOptions } from './options.js';
