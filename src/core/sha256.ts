/**
 * Typed access to the SHA-256 kernels of the Wasm core (assembly/sha256.ts).
 *
 * The core has one streaming context in linear memory; each `CoreSha256`
 * keeps a copy of its own context while another hasher uses the slot, so any
 * number of hashers can be open at once and the usual case (one at a time)
 * copies nothing extra. Bulk bytes go through the core's fixed input buffer
 * in slices. Views on memory are made again whenever `memory.buffer`
 * changed: memory.grow detaches the old ArrayBuffer without a word.
 */
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { loadCore, type CoreModule } from './load.js';

interface Sha256Exports {
  sha256InputPtr(): number;
  sha256InputSize(): number;
  sha256JobsPtr(): number;
  sha256DigestsPtr(): number;
  sha256MaxJobs(): number;
  sha256CtxPtr(): number;
  sha256CtxSize(): number;
  sha256Lanes(): number;
  sha256Init(ctx: number): void;
  sha256Update(ctx: number, ptr: number, len: number): void;
  sha256Final(ctx: number, out: number): void;
  sha256Many(count: number): void;
  sha256HexPtr(): number;
  sha256DigestsHex(count: number): void;
}

const latin1 = new TextDecoder('latin1');
const HEX_TABLE: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hexOf(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX_TABLE[bytes[i]!];
  return s;
}

/** Inputs above this size skip the multi-buffer batches and stream through the input buffer. */
function bigInputLimit(inputSize: number): number {
  return inputSize >>> 2;
}

export class Sha256Kernel {
  readonly simd: boolean;
  /** Messages hashed side by side by sha256Many (4 with SIMD, else 1). */
  readonly lanes: number;
  private readonly x: Sha256Exports;
  private readonly memory: WebAssembly.Memory;
  private view: Uint8Array;
  private words: Uint32Array;
  private readonly inputPtr: number;
  private readonly inputSize: number;
  private readonly ctxPtr: number;
  private readonly ctxSize: number;
  private readonly jobsPtr: number;
  private readonly digestsPtr: number;
  private readonly maxJobs: number;
  private readonly hexPtr: number;
  /** The hasher whose context is in the core's slot now. */
  private owner: CoreSha256 | null = null;

  constructor(core: CoreModule) {
    this.x = core.exports as unknown as Sha256Exports;
    this.memory = core.memory;
    this.simd = core.simd;
    this.view = new Uint8Array(this.memory.buffer);
    this.words = new Uint32Array(this.memory.buffer);
    this.inputPtr = this.x.sha256InputPtr() >>> 0;
    this.inputSize = this.x.sha256InputSize();
    this.ctxPtr = this.x.sha256CtxPtr() >>> 0;
    this.ctxSize = this.x.sha256CtxSize();
    this.jobsPtr = this.x.sha256JobsPtr() >>> 0;
    this.digestsPtr = this.x.sha256DigestsPtr() >>> 0;
    this.maxJobs = this.x.sha256MaxJobs();
    this.hexPtr = this.x.sha256HexPtr() >>> 0;
    this.lanes = this.x.sha256Lanes();
  }

  /** A view of all of linear memory, made again if memory grew. */
  private mem(): Uint8Array {
    if (this.view.buffer !== this.memory.buffer) this.view = new Uint8Array(this.memory.buffer);
    return this.view;
  }

  /** All of linear memory as little-endian u32 words (Wasm is little-endian; so are the engines we run on). */
  private mem32(): Uint32Array {
    if (this.words.buffer !== this.memory.buffer) this.words = new Uint32Array(this.memory.buffer);
    return this.words;
  }

  /** A new streaming hasher. */
  create(): CoreSha256 {
    return new CoreSha256(this);
  }

  /** SHA-256 of one byte array (32 raw bytes). */
  digest(data: Uint8Array): Uint8Array {
    const h = this.create();
    h.update(data);
    return h.digest();
  }

  /** @internal Puts `h`'s context into the core's slot (saving the previous owner's). */
  claim(h: CoreSha256, fresh: boolean): void {
    if (this.owner === h) return;
    const mem = this.mem();
    const prev = this.owner;
    if (prev) prev.saved = mem.slice(this.ctxPtr, this.ctxPtr + this.ctxSize);
    if (fresh || !h.saved) this.x.sha256Init(this.ctxPtr);
    else mem.set(h.saved, this.ctxPtr);
    h.saved = null;
    this.owner = h;
  }

  /** @internal */
  release(h: CoreSha256): void {
    if (this.owner === h) this.owner = null;
  }

  /** @internal Feeds bytes to the context in the slot. */
  feed(data: Uint8Array): void {
    const size = this.inputSize;
    for (let off = 0; off < data.length; off += size) {
      const end = Math.min(off + size, data.length);
      this.mem().set(data.subarray(off, end), this.inputPtr);
      this.x.sha256Update(this.ctxPtr, this.inputPtr, end - off);
    }
  }

  /** @internal Finishes the context in the slot; returns the 32-byte digest. */
  finish(): Uint8Array {
    // The digest is written to the start of the input buffer, which is free now.
    this.x.sha256Final(this.ctxPtr, this.inputPtr);
    return this.mem().slice(this.inputPtr, this.inputPtr + 32);
  }

  /**
   * SHA-256 of each input, as `inputs.length` x 32 bytes. Small inputs are
   * packed into the input buffer and hashed by the multi-buffer kernel
   * (four lanes with SIMD); inputs above a quarter of the buffer stream
   * through it one by one.
   */
  many(inputs: readonly Uint8Array[]): Uint8Array {
    const out = new Uint8Array(inputs.length * 32);
    this.batched(
      inputs,
      (i, raw) => out.set(raw, i * 32),
      (idx, mem) => {
        for (let j = 0; j < idx.length; j++) out.set(mem.subarray(this.digestsPtr + j * 32, this.digestsPtr + j * 32 + 32), idx[j]! * 32);
      },
    );
    return out;
  }

  /** Like many(), as lowercase hex strings (formatted in the core, one decode per batch). */
  manyHex(inputs: readonly Uint8Array[]): string[] {
    const out = new Array<string>(inputs.length);
    this.batched(
      inputs,
      (i, raw) => (out[i] = hexOf(raw)),
      (idx, _mem) => {
        this.x.sha256DigestsHex(idx.length);
        const all = latin1.decode(this.mem().subarray(this.hexPtr, this.hexPtr + idx.length * 64));
        for (let j = 0; j < idx.length; j++) out[idx[j]!] = all.slice(j * 64, j * 64 + 64);
      },
    );
    return out;
  }

  /**
   * Packs inputs into the input buffer and job table and runs the
   * multi-buffer kernel per batch; `onBatch` reads the batch's digests
   * (DIGESTS, in batch order). Big inputs stream alone (`onBig`).
   */
  private batched(
    inputs: readonly Uint8Array[],
    onBig: (index: number, raw: Uint8Array) => void,
    onBatch: (indices: number[], mem: Uint8Array) => void,
  ): void {
    const big = bigInputLimit(this.inputSize);
    const batch: number[] = [];
    let used = 0;
    const flush = (): void => {
      if (batch.length === 0) return;
      this.x.sha256Many(batch.length);
      onBatch(batch, this.mem());
      batch.length = 0;
      used = 0;
    };
    let mem = this.mem();
    let words = this.mem32();
    for (let i = 0; i < inputs.length; i++) {
      const data = inputs[i]!;
      if (!(data instanceof Uint8Array)) throw new InvalidArgumentError(`input ${i} is not a Uint8Array`, { index: i });
      if (data.length > big) {
        // Streaming reuses the input buffer, so the packed batch goes first.
        flush();
        onBig(i, this.digest(data));
        mem = this.mem();
        words = this.mem32();
        continue;
      }
      if (used + data.length > this.inputSize || batch.length === this.maxJobs) {
        flush();
        mem = this.mem();
        words = this.mem32();
      }
      const ptr = this.inputPtr + used;
      mem.set(data, ptr);
      // Job table: (pointer u32, length u32) pairs; JOBS is 16-byte aligned.
      const job = (this.jobsPtr >>> 2) + batch.length * 2;
      words[job] = ptr;
      words[job + 1] = data.length;
      batch.push(i);
      used += data.length;
    }
    flush();
  }
}

/** One streaming SHA-256 computation in the Wasm core. */
export class CoreSha256 {
  /** @internal Context bytes while another hasher holds the core's slot. */
  saved: Uint8Array | null = null;
  private started = false;
  private done = false;

  constructor(private readonly kernel: Sha256Kernel) {}

  update(data: Uint8Array): this {
    if (this.done) throw new InvalidArgumentError('update() after digest(): this hasher is finished');
    this.kernel.claim(this, !this.started);
    this.started = true;
    this.kernel.feed(data);
    return this;
  }

  /** The 32-byte digest; the hasher cannot be used afterwards. */
  digest(): Uint8Array {
    if (this.done) throw new InvalidArgumentError('digest() called twice: this hasher is finished');
    this.kernel.claim(this, !this.started);
    this.started = true;
    this.done = true;
    const d = this.kernel.finish();
    this.kernel.release(this);
    return d;
  }
}

const kernels = new WeakMap<CoreModule, Sha256Kernel>();
/** Kernels already loaded, by the `simd` option that asked for them (for the synchronous fast path). */
const ready = new Map<boolean | undefined, Sha256Kernel>();

/**
 * The SHA-256 kernel of the core (`simd` forces a build, as in loadCore).
 * One kernel per loaded module: hashers of one module share its context slot.
 */
export async function sha256Kernel(opts: { simd?: boolean } = {}): Promise<Sha256Kernel> {
  const cached = ready.get(opts.simd);
  if (cached) return cached;
  const core = await loadCore(opts);
  let k = kernels.get(core);
  if (!k) {
    k = new Sha256Kernel(core);
    kernels.set(core, k);
  }
  ready.set(opts.simd, k);
  return k;
}

/** The kernel if sha256Kernel(opts) has already resolved once, else undefined. */
export function sha256KernelIfLoaded(opts: { simd?: boolean } = {}): Sha256Kernel | undefined {
  return ready.get(opts.simd);
}
