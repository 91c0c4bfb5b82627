import type { CoreModule } from '../../src/core/load.js';
/**
 * Builders for layer entries in tests: `f('a/b')` a file, `d('a')` a
 * directory, `l('a', 'target')` a symlink, `h('a', 'target')` a hardlink,
 * `wh('a/b')` the whiteout deleting a/b, `opq('a')` the opaque marker of a.
 */
import type { EntryType } from '../../src/tar/types.js';
import type { UnionLayerEntry } from '../../src/union/types.js';

export function entry(path: string, type: EntryType, extra: Partial<UnionLayerEntry> = {}): UnionLayerEntry {
  return {
    path,
    type,
    mode: type === 'directory' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    size: 0,
    mtime: 0,
    linkname: '',
    devmajor: 0,
    devminor: 0,
    xattrs: {},
    ...extra,
  };
}
export const f = (path: string, extra: Partial<UnionLayerEntry> = {}) => entry(path, 'file', extra);
export const d = (path: string, extra: Partial<UnionLayerEntry> = {}) => entry(path, 'directory', extra);
export const l = (path: string, target: string) => entry(path, 'symlink', { linkname: target });
export const h = (path: string, target: string) => entry(path, 'hardlink', { linkname: target });
export const wh = (path: string) => {
  const i = path.lastIndexOf('/');
  return f(i < 0 ? `.wh.${path}` : `${path.slice(0, i)}/.wh.${path.slice(i + 1)}`);
};
export const opq = (dir: string) => f(dir === '' ? '.wh..wh..opq' : `${dir}/.wh..wh..opq`);

/** The core, with its name-cleaning export counted (one call per layer prepared). */
export function counted(core: CoreModule): { core: CoreModule; calls: () => number } {
  let n = 0;
  const exports = new Proxy(core.exports, {
    get(t, k) {
      const v = t[k as string];
      if (k !== 'unionSplitClean') return v;
      return (...a: number[]) => {
        n++;
        return v(...a);
      };
    },
  });
  return { core: { exports, memory: core.memory, simd: core.simd }, calls: () => n };
}
