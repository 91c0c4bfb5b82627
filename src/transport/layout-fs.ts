/**
 * The little a file-based transport needs from a directory: read a file as
 * a stream, its size, and write one atomically (stage to a temporary name,
 * rename into place at commit). Node implements it over node:fs
 * (node-layout-fs.ts); a browser implementation over the File System Access
 * API can plug in the same way.
 */
export interface StagedFile {
  /** Rename into place at `rel` (parents created). */
  commit(rel: string): Promise<void>;
  discard(): Promise<void>;
}

export interface LayoutFs {
  /** For messages. */
  readonly description: string;
  /** The file at `rel` (relative, '/'-separated) or undefined when absent. */
  read(rel: string): Promise<ReadableStream<Uint8Array> | undefined>;
  size(rel: string): Promise<number | undefined>;
  /** Write `data` to a temporary file; if the stream errors, nothing stays. */
  stage(data: ReadableStream<Uint8Array> | Uint8Array): Promise<StagedFile>;
  /** Names in a directory ([] when absent). */
  list(rel: string): Promise<string[]>;
}
