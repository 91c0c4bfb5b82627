/**
 * Platforms (OCI image-spec image-index.md "platform"): the host's, parsing
 * `os/arch[/variant]`, and choosing one manifest from an index the way
 * containerd's platform matcher does (os and architecture equal, variant
 * equal after normalisation, arm64's default variant is v8).
 */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { NotFoundError } from '../errors/NotFoundError.js';
import type { Descriptor, ImageIndex, Platform } from './types.js';

/** Node's process.arch -> GOARCH. */
const ARCH: Record<string, string> = {
  x64: 'amd64',
  ia32: '386',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/** Node's process.platform -> GOOS. */
const OS: Record<string, string> = { win32: 'windows', sunos: 'solaris' };

/**
 * The platform layerfs runs on: in Node, process.platform/arch mapped to
 * GOOS/GOARCH (arm gets its variant from the build's arm_version); in a
 * browser, linux/amd64, the platform most images are published for.
 */
export function hostPlatform(): Platform {
  const proc = (globalThis as { process?: { platform?: string; arch?: string; versions?: { node?: string }; config?: { variables?: Record<string, unknown> } } }).process;
  if (!proc?.versions?.node || !proc.platform || !proc.arch) return { os: 'linux', architecture: 'amd64' };
  const os = OS[proc.platform] ?? proc.platform;
  const architecture = ARCH[proc.arch] ?? proc.arch;
  const p: Platform = { os, architecture };
  if (architecture === 'arm') {
    const v = proc.config?.variables?.arm_version;
    p.variant = `v${typeof v === 'string' || typeof v === 'number' ? v : 7}`;
  }
  return p;
}

/** Parse `os/arch[/variant]` (the --platform flag of docker, skopeo and crane). */
export function parsePlatform(s: string): Platform {
  const parts = s.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new InvalidArgumentError(`platform must be os/arch[/variant], got ${JSON.stringify(s)}`, { platform: s });
  }
  const p: Platform = { os: parts[0]!, architecture: parts[1]! };
  if (parts[2]) p.variant = parts[2];
  return p;
}

export function formatPlatform(p: Partial<Platform> | undefined): string {
  if (!p) return 'unknown';
  return [p.os ?? 'unknown', p.architecture ?? 'unknown', p.variant].filter(Boolean).join('/');
}

/** containerd normalises arm64's empty variant to v8 and arm's to v7. */
function normVariant(arch: string, variant: string | undefined): string {
  if (variant) return variant;
  if (arch === 'arm64') return 'v8';
  if (arch === 'arm') return 'v7';
  return '';
}

export function platformMatches(want: Platform, have: Partial<Platform> | undefined): boolean {
  if (!have || have.os !== want.os || have.architecture !== want.architecture) return false;
  if (!want.variant) return true;
  return normVariant(want.architecture, want.variant) === normVariant(have.architecture!, have.variant);
}

/**
 * The descriptor in `index` for `want` (default: the host's platform).
 * With no variant asked for, an entry whose variant is the architecture's
 * default is preferred, then the first match in index order.
 */
export function selectManifest(index: ImageIndex, want: Platform = hostPlatform()): Descriptor {
  const found = index.manifests.filter((m) => platformMatches(want, m.platform));
  if (found.length === 0) {
    const have = index.manifests.map((m) => formatPlatform(m.platform)).join(', ') || 'none';
    throw new NotFoundError(`no manifest for platform ${formatPlatform(want)} in the index (it has: ${have})`, {
      platform: formatPlatform(want),
    });
  }
  if (!want.variant && found.length > 1) {
    const def = normVariant(want.architecture, undefined);
    const best = found.find((m) => normVariant(m.platform!.architecture, m.platform!.variant) === def);
    if (best) return best;
  }
  return found[0]!;
}
