// `npm run bench -- copy`: moving images between transports, layerfs against
// skopeo in the same run, on an OCI layout built with umoci (2 gzip layers,
// ~100 MiB and 4,000 files at scale 1; BENCH_SCALE shrinks it).
//   oci: -> oci:              blobs copied as they are (verify + write)
//   oci: -> docker-archive:   layers inflated to plain tars, one tar written
//   docker-archive: -> oci:   archive read back (layerfs keeps plain layers; skopeo recompresses them)
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { copyReferences } from 'layerfs/node';
import { wallClock } from './wall-clock.mjs';



function sh(cmd, args) {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function buildLayout(dir, files, bytes) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'layerfs-bench-copy-work-'));
  sh('umoci', ['init', '--layout', dir]);
  sh('umoci', ['new', '--image', `${dir}:t`]);
  const rootless = process.getuid && process.getuid() === 0 ? [] : ['--rootless'];
  for (let layer = 0; layer < 2; layer++) {
    const bundle = path.join(work, `b${layer}`);
    sh('umoci', ['unpack', ...rootless, '--image', `${dir}:t`, bundle]);
    const root = path.join(bundle, 'rootfs');
    const per = Math.floor(files / 2);
    const size = Math.floor(bytes / 2 / per);
    for (let i = 0; i < per; i++) {
      const d = path.join(root, `l${layer}`, `d${i % 50}`);
      fs.mkdirSync(d, { recursive: true });
      // half random (incompressible), half text: a realistic mix for gzip
      const body = i % 2 ? randomBytes(size) : Buffer.from(`line ${i} of layer ${layer}\n`.repeat(Math.ceil(size / 24)).slice(0, size));
      fs.writeFileSync(path.join(d, `f${i}`), body);
    }
    sh('umoci', ['repack', '--image', `${dir}:t`, bundle]);
  }
  fs.rmSync(work, { recursive: true, force: true });
}

export async function run(ctx) {
  const { wallMeasure, wallGroups } = wallClock();
  const files = ctx.scaled(4000, 20);
  const bytes = ctx.scaled(100 * 1024 * 1024, 1 << 20);
  const base = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'layerfs-bench-copy-'));
  try {
    const layout = path.join(base, 'src');
    ctx.log(`building a ${ctx.formatBytes(bytes)}, ${files}-file, 2-layer image with umoci...`);
    buildLayout(layout, files, bytes);
    const stored = fs.readdirSync(path.join(layout, 'blobs/sha256')).reduce((n, f) => n + fs.statSync(path.join(layout, 'blobs/sha256', f)).size, 0);
    ctx.note('files', files);
    ctx.note('uncompressedBytes', bytes);
    const fresh = (p) => fs.rmSync(p, { recursive: true, force: true });
    const spec = { rounds: 3 };

    await wallMeasure(ctx, 'oci: -> oci: (stored bytes)', {
      ...spec,
      bytes: stored,
      baseline: 'skopeo',
      tasks: {
        layerfs: async () => {
          fresh(path.join(base, 'o1'));
          await copyReferences(undefined, `oci:${layout}:t`, `oci:${path.join(base, 'o1')}:t`);
        },
        skopeo: () => {
          fresh(path.join(base, 'o2'));
          sh('skopeo', ['copy', '--quiet', `oci:${layout}:t`, `oci:${path.join(base, 'o2')}:t`]);
        },
      },
    });

    await wallMeasure(ctx, 'oci: -> docker-archive: (uncompressed bytes)', {
      ...spec,
      bytes,
      baseline: 'skopeo',
      tasks: {
        layerfs: async () => {
          fresh(path.join(base, 'a1.tar'));
          await copyReferences(undefined, `oci:${layout}:t`, `docker-archive:${path.join(base, 'a1.tar')}:bench/img:1`);
        },
        skopeo: () => {
          fresh(path.join(base, 'a2.tar'));
          sh('skopeo', ['copy', '--quiet', `oci:${layout}:t`, `docker-archive:${path.join(base, 'a2.tar')}:bench/img:1`]);
        },
      },
    });

    await wallMeasure(ctx, 'docker-archive: -> oci: (uncompressed bytes)', {
      ...spec,
      bytes,
      baseline: 'skopeo',
      tasks: {
        layerfs: async () => {
          fresh(path.join(base, 'b1'));
          await copyReferences(undefined, `docker-archive:${path.join(base, 'a2.tar')}`, `oci:${path.join(base, 'b1')}:t`);
        },
        skopeo: () => {
          fresh(path.join(base, 'b2'));
          sh('skopeo', ['copy', '--quiet', `docker-archive:${path.join(base, 'a2.tar')}`, `oci:${path.join(base, 'b2')}:t`]);
        },
      },
    });
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
  return { wallClock: wallGroups };
}
