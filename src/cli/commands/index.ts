/**
 * The command table. Each entry loads its module lazily so that `layerfs`
 * starts fast. Add one line per command file.
 */
import type { Command } from '../command.js';

export const commandLoaders: Array<() => Promise<{ default: Command }>> = [
  () => import('./hash.js'),
  () => import('./pull.js'),
  () => import('./push.js'),
  () => import('./ls-tags.js'),
  () => import('./diff.js'),
  () => import('./apply.js'),
  () => import('./layer-ls.js'),
  () => import('./copy.js'),
  () => import('./load.js'),
  () => import('./save.js'),
  () => import('./images.js'),
  () => import('./tag.js'),
  () => import('./rmi.js'),
  () => import('./inspect.js'),
  () => import('./history.js'),
  () => import('./du.js'),
  () => import('./gc.js'),
  () => import('./fsck.js'),
  () => import('./ls.js'),
  () => import('./cat.js'),
  () => import('./unpack.js'),
  () => import('./container-create.js'),
  () => import('./container-ls.js'),
  () => import('./container-rm.js'),
  () => import('./container-diff.js'),
  () => import('./container-commit.js'),
  () => import('./container-cp.js'),
  () => import('./container-cat.js'),
  () => import('./container-ls-files.js'),
  () => import('./container-write.js'),
  () => import('./container-delete.js'),
  () => import('./volume-create.js'),
  () => import('./volume-ls.js'),
  () => import('./volume-rm.js'),
  () => import('./build.js'),
  () => import('./tour.js'),
];
