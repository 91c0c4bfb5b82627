// `npm run bench -- store`: reading an image without unpacking it. One file
// and a full listing out of a 2-layer, 4,000-file (~100 MiB at scale 1)
// image: layerfs's union view (layer indexes cached in the store, then cold
// with the cache dropped) against `umoci unpack` + reading the file, which is
// what a daemonless tool without a view has to do. Same run, same image.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore } from 'layerfs/node';
import { wallClock } from './wall-clock.mjs';



function sh(cmd, args) {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export async function run(ctx) {
  const { wallMeasure, wallGroups } = wallClock();
  const files = ctx.scaled(4000, 20);
  const bytes = ctx.scaled(100 * 1024 * 1024, 1 << 20);
  const base = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'layerfs-bench-store-'));
  const rootless = process.getuid && process.getuid() === 0 ? [] : ['--rootless'];
  try {
    const layout = path.join(base, 'layout');
    ctx.log(`building a ${ctx.formatBytes(bytes)}, ${files}-file, 2-layer image with umoci...`);
    sh('umoci', ['init', '--layout', layout]);
    sh('umoci', ['new', '--image', `${layout}:t`]);
    for (let layer = 0; layer < 2; layer++) {
      const bundle = path.join(base, `b${layer}`);
      sh('umoci', ['unpack', ...rootless, '--image', `${layout}:t`, bundle]);
      const per = Math.floor(files / 2);
      const size = Math.floor(bytes / 2 / per);
      for (let i = 0; i < per; i++) {
        const d = path.join(bundle, 'rootfs', `l${layer}`, `d${i % 50}`);
        fs.mkdirSync(d, { recursive: true });
        fs.writeFileSync(path.join(d, `f${i}`), i % 2 ? randomBytes(size) : Buffer.alloc(size, 97));
      }
      sh('umoci', ['repack', '--image', `${layout}:t`, bundle]);
      fs.rmSync(bundle, { recursive: true, force: true });
    }
    const store = await openStore(path.join(base, 'store'));
    await store.copy(`oci:${layout}:t`, 'bench:1');
    const target = `l1/d7/f${7 + 50}`;
    const expected = fs.statSync(path.join(layout, 'index.json')) && Math.floor(bytes / 2 / Math.floor(files / 2));
    const check = (b) => {
      if (b.length !== expected) throw new Error(`read ${b.length} bytes, expected ${expected}`);
    };
    const dropIndexes = async () => {
      for (const k of await store.backend.listRecords('layer-index')) await store.backend.deleteRecord('layer-index', k);
    };
    await store.view('bench:1'); // warm the cache once
    ctx.note('files', files);
    ctx.note('uncompressedBytes', bytes);

    await wallMeasure(ctx, 'read one file of the image', {
      rounds: 3,
      baseline: 'umoci unpack + read',
      tasks: {
        'layerfs view (indexes cached)': async () => check(await (await store.view('bench:1')).readFile(target)),
        'layerfs view (cold: read layers)': async () => {
          await dropIndexes();
          check(await (await store.view('bench:1')).readFile(target));
        },
        'umoci unpack + read': () => {
          const out = path.join(base, 'unpacked');
          fs.rmSync(out, { recursive: true, force: true });
          sh('umoci', ['unpack', ...rootless, '--image', `${layout}:t`, out]);
          check(fs.readFileSync(path.join(out, 'rootfs', target)));
        },
      },
    });

    await wallMeasure(ctx, 'list every path of the image', {
      rounds: 3,
      baseline: 'umoci unpack + walk',
      tasks: {
        'layerfs view (indexes cached)': async () => {
          const n = (await store.view('bench:1')).entries().length;
          if (n < files) throw new Error(`listed ${n}`);
        },
        'umoci unpack + walk': () => {
          const out = path.join(base, 'unpacked');
          fs.rmSync(out, { recursive: true, force: true });
          sh('umoci', ['unpack', ...rootless, '--image', `${layout}:t`, out]);
          const n = fs.readdirSync(path.join(out, 'rootfs'), { recursive: true }).length;
          if (n < files) throw new Error(`listed ${n}`);
        },
      },
    });
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
  return { wallClock: wallGroups };
}
