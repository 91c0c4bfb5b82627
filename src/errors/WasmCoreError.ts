import { LayerfsError } from './LayerfsError.js';

/** The WebAssembly core could not be loaded, or reported a failure instead of trapping. */
export class WasmCoreError extends LayerfsError {
  static readonly code = 'WASM_CORE';
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('WASM_CORE', message, data, options);
  }
}
