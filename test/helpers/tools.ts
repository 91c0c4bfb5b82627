/**
 * System tools the interop suites compare against (umoci, skopeo,
 * oci-image-tool, docker-registry, GNU tar, chromium). `requireTools`
 * installs what is missing when it can (root + apt-get) and otherwise fails
 * with a message naming the Debian packages to install.
 */
import { execFileSync, spawnSync } from 'node:child_process';

/** command name -> Debian package that provides it */
export const TOOL_PACKAGES: Record<string, string> = {
  umoci: 'umoci',
  skopeo: 'skopeo',
  'oci-image-tool': 'oci-image-tool',
  'docker-registry': 'docker-registry',
  tar: 'tar',
  zstd: 'zstd',
  chromium: 'chromium',
  htpasswd: 'apache2-utils',
};

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

let updated = false;

export function requireTools(...cmds: string[]): void {
  const missing = cmds.filter((c) => !has(c));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((c) => TOOL_PACKAGES[c] ?? c))];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && has('apt-get')) {
    try {
      if (!updated) {
        execFileSync('apt-get', ['update'], { stdio: 'ignore' });
        updated = true;
      }
      execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], {
        stdio: 'ignore',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch {
      /* fall through to the message below */
    }
  }
  const still = cmds.filter((c) => !has(c));
  if (still.length) {
    throw new Error(
      `these tests need ${still.join(', ')}; install the Debian packages: apt-get install ${[
        ...new Set(still.map((c) => TOOL_PACKAGES[c] ?? c)),
      ].join(' ')}`,
    );
  }
}
