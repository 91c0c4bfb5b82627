/**
 * The shape of one tar entry as layerfs sees it, after PAX and GNU long-name
 * records have been folded in. Shared by the tar reader and writer, trees,
 * layers and the union view.
 */

/** Entry kinds of ustar (POSIX.1-1988) that OCI layers carry (layer.md, "File Types"). */
export type EntryType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo';

export interface TarHeader {
  /** Name as stored (PAX `path` / GNU `L` applied); not normalised. */
  path: string;
  type: EntryType;
  /** Permission bits, including setuid/setgid/sticky (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Bytes of content that follow the header (regular files only; 0 otherwise). */
  size: number;
  /** Seconds since the epoch; fractional when PAX gave a sub-second part. */
  mtime: number;
  /** Symlink target or hardlink target ('' when none). */
  linkname: string;
  devmajor: number;
  devminor: number;
  /** SCHILY.xattr.* records: name -> raw value. */
  xattrs: Record<string, Uint8Array>;
}
