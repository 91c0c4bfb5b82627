/**
 * Streaming tar (ustar, PAX, GNU long names): a synchronous push parser,
 * Web Stream adapters for reading, and a deterministic writer.
 */
export type { EntryType, TarHeader } from './types.js';
export { TarParser, MAX_META_SIZE, type TarParserHandler } from './parser.js';
export { parseTar, readTar, parseTarSync, iterateBytes, concatBytes, type TarEntry, type TarFile, type ByteSource } from './reader.js';
export { createTarWriter, encodeTar, type TarWriter, type TarBody } from './writer.js';
export { encodeHeader, tarHeader, END_OF_ARCHIVE, paddingFor, formatPaxTime } from './encode.js';
