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
];
