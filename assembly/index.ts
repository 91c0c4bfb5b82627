// Entry point of the WebAssembly core. Each hot path lives in its own file;
// this file only re-exports them. Nothing here knows about images.
export * from './sha256';
export * from './diff';
export * from './union';
