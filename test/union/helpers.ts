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
