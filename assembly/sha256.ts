// SHA-256 (FIPS 180-4, section 6.2) over data placed in linear memory.
//
// Two entry points:
// - streaming: sha256Init / sha256Update / sha256Final on a context of
//   CTX_SIZE bytes (state, a partial block, the byte count);
// - multi-buffer: sha256Many hashes a table of independent inputs. The SIMD
//   build runs four messages at once, one per i32x4 lane, and refills a lane
//   as soon as its message ends, so inputs of unequal length are fine. The
//   scalar build hashes them one after the other.
//
// Data crosses the boundary through static buffers (INPUT, JOBS, DIGESTS);
// the TypeScript side (src/core/sha256.ts) copies bytes in and digests out.
// Nothing here allocates: the hot loops only touch locals and these buffers.
// The 64 rounds are written out with rotating variable names (round t uses
// the names shifted by t) so the engine keeps the working state in
// registers; round t reads K[t] and w[t % 16]. Choices measured against
// hash-wasm (bench/hash.js); the first two were each worth a few percent,
// the last measured neutral on a busy 2-core machine but frees registers:
// - scalar: message schedule in 16 locals; Sigma as nested rotations,
//   e.g. S1(e) = rotr(e ^ rotr(e ^ rotr(e, 14), 5), 6); Maj(a, b, c) as
//   b ^ ((a ^ b) & (b ^ c)), where a ^ b is the next round's b ^ c;
// - SIMD: the message schedule is computed from and into a static array
//   (WS), and W + K into another (WK) that the rounds read: 16 v128 locals
//   for the schedule and 8 for the state would not fit the registers, and
//   L1 loads are cheaper than the spills (+7% over a schedule in locals);
//   Ch is one v128.bitselect;
// - both: the chaining value is added back from memory after each block
//   instead of being kept in 8 more locals through the rounds;
// - one stream, SIMD build (compressSched): the rounds stay scalar, but the
//   message schedule is computed four words at a time in v128 registers and
//   W + K stored to a small buffer the rounds read with one load each (the
//   layout of Intel's SSE SHA-256 paper, "Fast SHA-256 Implementations on
//   Intel Architecture Processors", 2012). The vector work runs on other
//   execution ports than the rounds and leaves the general registers to the
//   working state: +17% over compress, 1.4x hash-wasm (bench/hash.js).

// Size of the bulk input buffer; larger inputs are fed in slices.
const INPUT_SIZE: i32 = 1 << 20;
// Most inputs one sha256Many call can take (its job table and digest area).
const MAX_JOBS: i32 = 4096;
// Streaming context: state (8 x u32) | partial block (64) | byte count (u64) | bytes in the partial block (u32).
const CTX_BUF: i32 = 32;
const CTX_LEN: i32 = 96;
const CTX_FILL: i32 = 104;
const CTX_SIZE: i32 = 112;

const INPUT: usize = memory.data(1 << 20, 16);
const JOBS: usize = memory.data(4096 * 8, 16);
const DIGESTS: usize = memory.data(4096 * 32, 16);
const CTX: usize = memory.data(112, 16);
// Working state of one message hashed by sha256Many (scalar path).
const SCRATCH: usize = memory.data(32, 16);
// Padded last block(s) of each lane's message: 4 lanes x 2 blocks.
const TAIL: usize = memory.data(4 * 128, 16);
// State of the four lanes, transposed: word j of lane i at LSTATE + 16 * j + 4 * i.
const LSTATE: usize = memory.data(8 * 16, 16);
// Per lane: next data block, data blocks left, next tail block, blocks left (4 x u32 each).
const LANES: usize = memory.data(4 * 16, 16);
// Message schedule plus round constants of four lanes (64 x v128), written before the rounds read it.
const WK: usize = memory.data(64 * 16, 16);
// Message schedule of four lanes (62 x v128) while it is computed.
const WS: usize = memory.data(64 * 16, 16);
// Block fed to an idle lane; its result is thrown away.
const IDLE: usize = memory.data(64, 16);
// W + K of the block compressSched is on (64 x u32), written four words ahead of the rounds that read them.
const WK1: usize = memory.data(64 * 4, 16);

// Lowercase hex of the digests of a sha256Many call (64 bytes each), so JS
// decodes one string per batch instead of formatting each byte.
const HEX: usize = memory.data(4096 * 64, 16);
const HEX_DIGITS: usize = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

const IV: usize = memory.data<u32>([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

export function sha256InputPtr(): usize { return INPUT; }
export function sha256InputSize(): i32 { return INPUT_SIZE; }
export function sha256JobsPtr(): usize { return JOBS; }
export function sha256DigestsPtr(): usize { return DIGESTS; }
export function sha256MaxJobs(): i32 { return MAX_JOBS; }
export function sha256HexPtr(): usize { return HEX; }
export function sha256CtxPtr(): usize { return CTX; }
export function sha256CtxSize(): i32 { return CTX_SIZE; }
/** 1 when this build hashes several messages at once with v128. */
export function sha256Lanes(): i32 { return ASC_FEATURE_SIMD ? 4 : 1; }

/** Runs `blocks` 64-byte blocks at `p` through the compression function on the state at `state`. */
function compress(state: usize, p: usize, blocks: i32): void {
  let a = load<u32>(state, 0);
  let b = load<u32>(state, 4);
  let c = load<u32>(state, 8);
  let d = load<u32>(state, 12);
  let e = load<u32>(state, 16);
  let f = load<u32>(state, 20);
  let g = load<u32>(state, 24);
  let h = load<u32>(state, 28);
  let t1: u32;
  while (blocks > 0) {
    // Message words are big-endian (FIPS 180-4, 3.1); Wasm loads are little-endian.
    let w0 = bswap<u32>(load<u32>(p, 0));
    let w1 = bswap<u32>(load<u32>(p, 4));
    let w2 = bswap<u32>(load<u32>(p, 8));
    let w3 = bswap<u32>(load<u32>(p, 12));
    let w4 = bswap<u32>(load<u32>(p, 16));
    let w5 = bswap<u32>(load<u32>(p, 20));
    let w6 = bswap<u32>(load<u32>(p, 24));
    let w7 = bswap<u32>(load<u32>(p, 28));
    let w8 = bswap<u32>(load<u32>(p, 32));
    let w9 = bswap<u32>(load<u32>(p, 36));
    let w10 = bswap<u32>(load<u32>(p, 40));
    let w11 = bswap<u32>(load<u32>(p, 44));
    let w12 = bswap<u32>(load<u32>(p, 48));
    let w13 = bswap<u32>(load<u32>(p, 52));
    let w14 = bswap<u32>(load<u32>(p, 56));
    let w15 = bswap<u32>(load<u32>(p, 60));
    let ab: u32, bc: u32 = b ^ c;
    t1 = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + 0x428a2f98 + w0;
    ab = a ^ b; d += t1; h = t1 + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + (b ^ (ab & bc)); bc = ab;
    t1 = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + 0x71374491 + w1;
    ab = h ^ a; c += t1; g = t1 + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + (a ^ (ab & bc)); bc = ab;
    t1 = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + 0xb5c0fbcf + w2;
    ab = g ^ h; b += t1; f = t1 + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + (h ^ (ab & bc)); bc = ab;
    t1 = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + 0xe9b5dba5 + w3;
    ab = f ^ g; a += t1; e = t1 + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + (g ^ (ab & bc)); bc = ab;
    t1 = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + 0x3956c25b + w4;
    ab = e ^ f; h += t1; d = t1 + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + (f ^ (ab & bc)); bc = ab;
    t1 = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + 0x59f111f1 + w5;
    ab = d ^ e; g += t1; c = t1 + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + (e ^ (ab & bc)); bc = ab;
    t1 = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + 0x923f82a4 + w6;
    ab = c ^ d; f += t1; b = t1 + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + (d ^ (ab & bc)); bc = ab;
    t1 = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + 0xab1c5ed5 + w7;
    ab = b ^ c; e += t1; a = t1 + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + (c ^ (ab & bc)); bc = ab;
    t1 = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + 0xd807aa98 + w8;
    ab = a ^ b; d += t1; h = t1 + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + (b ^ (ab & bc)); bc = ab;
    t1 = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + 0x12835b01 + w9;
    ab = h ^ a; c += t1; g = t1 + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + (a ^ (ab & bc)); bc = ab;
    t1 = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + 0x243185be + w10;
    ab = g ^ h; b += t1; f = t1 + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + (h ^ (ab & bc)); bc = ab;
    t1 = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + 0x550c7dc3 + w11;
    ab = f ^ g; a += t1; e = t1 + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + (g ^ (ab & bc)); bc = ab;
    t1 = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + 0x72be5d74 + w12;
    ab = e ^ f; h += t1; d = t1 + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + (f ^ (ab & bc)); bc = ab;
    t1 = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + 0x80deb1fe + w13;
    ab = d ^ e; g += t1; c = t1 + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + (e ^ (ab & bc)); bc = ab;
    t1 = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + 0x9bdc06a7 + w14;
    ab = c ^ d; f += t1; b = t1 + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + (d ^ (ab & bc)); bc = ab;
    t1 = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + 0xc19bf174 + w15;
    ab = b ^ c; e += t1; a = t1 + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + (c ^ (ab & bc)); bc = ab;
    w0 += (rotr<u32>(w1, 7) ^ rotr<u32>(w1, 18) ^ (w1 >>> 3)) + w9 + (rotr<u32>(w14, 17) ^ rotr<u32>(w14, 19) ^ (w14 >>> 10));
    t1 = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + 0xe49b69c1 + w0;
    ab = a ^ b; d += t1; h = t1 + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + (b ^ (ab & bc)); bc = ab;
    w1 += (rotr<u32>(w2, 7) ^ rotr<u32>(w2, 18) ^ (w2 >>> 3)) + w10 + (rotr<u32>(w15, 17) ^ rotr<u32>(w15, 19) ^ (w15 >>> 10));
    t1 = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + 0xefbe4786 + w1;
    ab = h ^ a; c += t1; g = t1 + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + (a ^ (ab & bc)); bc = ab;
    w2 += (rotr<u32>(w3, 7) ^ rotr<u32>(w3, 18) ^ (w3 >>> 3)) + w11 + (rotr<u32>(w0, 17) ^ rotr<u32>(w0, 19) ^ (w0 >>> 10));
    t1 = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + 0x0fc19dc6 + w2;
    ab = g ^ h; b += t1; f = t1 + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + (h ^ (ab & bc)); bc = ab;
    w3 += (rotr<u32>(w4, 7) ^ rotr<u32>(w4, 18) ^ (w4 >>> 3)) + w12 + (rotr<u32>(w1, 17) ^ rotr<u32>(w1, 19) ^ (w1 >>> 10));
    t1 = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + 0x240ca1cc + w3;
    ab = f ^ g; a += t1; e = t1 + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + (g ^ (ab & bc)); bc = ab;
    w4 += (rotr<u32>(w5, 7) ^ rotr<u32>(w5, 18) ^ (w5 >>> 3)) + w13 + (rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10));
    t1 = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + 0x2de92c6f + w4;
    ab = e ^ f; h += t1; d = t1 + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + (f ^ (ab & bc)); bc = ab;
    w5 += (rotr<u32>(w6, 7) ^ rotr<u32>(w6, 18) ^ (w6 >>> 3)) + w14 + (rotr<u32>(w3, 17) ^ rotr<u32>(w3, 19) ^ (w3 >>> 10));
    t1 = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + 0x4a7484aa + w5;
    ab = d ^ e; g += t1; c = t1 + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + (e ^ (ab & bc)); bc = ab;
    w6 += (rotr<u32>(w7, 7) ^ rotr<u32>(w7, 18) ^ (w7 >>> 3)) + w15 + (rotr<u32>(w4, 17) ^ rotr<u32>(w4, 19) ^ (w4 >>> 10));
    t1 = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + 0x5cb0a9dc + w6;
    ab = c ^ d; f += t1; b = t1 + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + (d ^ (ab & bc)); bc = ab;
    w7 += (rotr<u32>(w8, 7) ^ rotr<u32>(w8, 18) ^ (w8 >>> 3)) + w0 + (rotr<u32>(w5, 17) ^ rotr<u32>(w5, 19) ^ (w5 >>> 10));
    t1 = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + 0x76f988da + w7;
    ab = b ^ c; e += t1; a = t1 + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + (c ^ (ab & bc)); bc = ab;
    w8 += (rotr<u32>(w9, 7) ^ rotr<u32>(w9, 18) ^ (w9 >>> 3)) + w1 + (rotr<u32>(w6, 17) ^ rotr<u32>(w6, 19) ^ (w6 >>> 10));
    t1 = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + 0x983e5152 + w8;
    ab = a ^ b; d += t1; h = t1 + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + (b ^ (ab & bc)); bc = ab;
    w9 += (rotr<u32>(w10, 7) ^ rotr<u32>(w10, 18) ^ (w10 >>> 3)) + w2 + (rotr<u32>(w7, 17) ^ rotr<u32>(w7, 19) ^ (w7 >>> 10));
    t1 = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + 0xa831c66d + w9;
    ab = h ^ a; c += t1; g = t1 + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + (a ^ (ab & bc)); bc = ab;
    w10 += (rotr<u32>(w11, 7) ^ rotr<u32>(w11, 18) ^ (w11 >>> 3)) + w3 + (rotr<u32>(w8, 17) ^ rotr<u32>(w8, 19) ^ (w8 >>> 10));
    t1 = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + 0xb00327c8 + w10;
    ab = g ^ h; b += t1; f = t1 + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + (h ^ (ab & bc)); bc = ab;
    w11 += (rotr<u32>(w12, 7) ^ rotr<u32>(w12, 18) ^ (w12 >>> 3)) + w4 + (rotr<u32>(w9, 17) ^ rotr<u32>(w9, 19) ^ (w9 >>> 10));
    t1 = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + 0xbf597fc7 + w11;
    ab = f ^ g; a += t1; e = t1 + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + (g ^ (ab & bc)); bc = ab;
    w12 += (rotr<u32>(w13, 7) ^ rotr<u32>(w13, 18) ^ (w13 >>> 3)) + w5 + (rotr<u32>(w10, 17) ^ rotr<u32>(w10, 19) ^ (w10 >>> 10));
    t1 = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + 0xc6e00bf3 + w12;
    ab = e ^ f; h += t1; d = t1 + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + (f ^ (ab & bc)); bc = ab;
    w13 += (rotr<u32>(w14, 7) ^ rotr<u32>(w14, 18) ^ (w14 >>> 3)) + w6 + (rotr<u32>(w11, 17) ^ rotr<u32>(w11, 19) ^ (w11 >>> 10));
    t1 = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + 0xd5a79147 + w13;
    ab = d ^ e; g += t1; c = t1 + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + (e ^ (ab & bc)); bc = ab;
    w14 += (rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3)) + w7 + (rotr<u32>(w12, 17) ^ rotr<u32>(w12, 19) ^ (w12 >>> 10));
    t1 = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + 0x06ca6351 + w14;
    ab = c ^ d; f += t1; b = t1 + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + (d ^ (ab & bc)); bc = ab;
    w15 += (rotr<u32>(w0, 7) ^ rotr<u32>(w0, 18) ^ (w0 >>> 3)) + w8 + (rotr<u32>(w13, 17) ^ rotr<u32>(w13, 19) ^ (w13 >>> 10));
    t1 = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + 0x14292967 + w15;
    ab = b ^ c; e += t1; a = t1 + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + (c ^ (ab & bc)); bc = ab;
    w0 += (rotr<u32>(w1, 7) ^ rotr<u32>(w1, 18) ^ (w1 >>> 3)) + w9 + (rotr<u32>(w14, 17) ^ rotr<u32>(w14, 19) ^ (w14 >>> 10));
    t1 = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + 0x27b70a85 + w0;
    ab = a ^ b; d += t1; h = t1 + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + (b ^ (ab & bc)); bc = ab;
    w1 += (rotr<u32>(w2, 7) ^ rotr<u32>(w2, 18) ^ (w2 >>> 3)) + w10 + (rotr<u32>(w15, 17) ^ rotr<u32>(w15, 19) ^ (w15 >>> 10));
    t1 = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + 0x2e1b2138 + w1;
    ab = h ^ a; c += t1; g = t1 + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + (a ^ (ab & bc)); bc = ab;
    w2 += (rotr<u32>(w3, 7) ^ rotr<u32>(w3, 18) ^ (w3 >>> 3)) + w11 + (rotr<u32>(w0, 17) ^ rotr<u32>(w0, 19) ^ (w0 >>> 10));
    t1 = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + 0x4d2c6dfc + w2;
    ab = g ^ h; b += t1; f = t1 + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + (h ^ (ab & bc)); bc = ab;
    w3 += (rotr<u32>(w4, 7) ^ rotr<u32>(w4, 18) ^ (w4 >>> 3)) + w12 + (rotr<u32>(w1, 17) ^ rotr<u32>(w1, 19) ^ (w1 >>> 10));
    t1 = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + 0x53380d13 + w3;
    ab = f ^ g; a += t1; e = t1 + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + (g ^ (ab & bc)); bc = ab;
    w4 += (rotr<u32>(w5, 7) ^ rotr<u32>(w5, 18) ^ (w5 >>> 3)) + w13 + (rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10));
    t1 = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + 0x650a7354 + w4;
    ab = e ^ f; h += t1; d = t1 + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + (f ^ (ab & bc)); bc = ab;
    w5 += (rotr<u32>(w6, 7) ^ rotr<u32>(w6, 18) ^ (w6 >>> 3)) + w14 + (rotr<u32>(w3, 17) ^ rotr<u32>(w3, 19) ^ (w3 >>> 10));
    t1 = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + 0x766a0abb + w5;
    ab = d ^ e; g += t1; c = t1 + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + (e ^ (ab & bc)); bc = ab;
    w6 += (rotr<u32>(w7, 7) ^ rotr<u32>(w7, 18) ^ (w7 >>> 3)) + w15 + (rotr<u32>(w4, 17) ^ rotr<u32>(w4, 19) ^ (w4 >>> 10));
    t1 = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + 0x81c2c92e + w6;
    ab = c ^ d; f += t1; b = t1 + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + (d ^ (ab & bc)); bc = ab;
    w7 += (rotr<u32>(w8, 7) ^ rotr<u32>(w8, 18) ^ (w8 >>> 3)) + w0 + (rotr<u32>(w5, 17) ^ rotr<u32>(w5, 19) ^ (w5 >>> 10));
    t1 = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + 0x92722c85 + w7;
    ab = b ^ c; e += t1; a = t1 + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + (c ^ (ab & bc)); bc = ab;
    w8 += (rotr<u32>(w9, 7) ^ rotr<u32>(w9, 18) ^ (w9 >>> 3)) + w1 + (rotr<u32>(w6, 17) ^ rotr<u32>(w6, 19) ^ (w6 >>> 10));
    t1 = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + 0xa2bfe8a1 + w8;
    ab = a ^ b; d += t1; h = t1 + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + (b ^ (ab & bc)); bc = ab;
    w9 += (rotr<u32>(w10, 7) ^ rotr<u32>(w10, 18) ^ (w10 >>> 3)) + w2 + (rotr<u32>(w7, 17) ^ rotr<u32>(w7, 19) ^ (w7 >>> 10));
    t1 = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + 0xa81a664b + w9;
    ab = h ^ a; c += t1; g = t1 + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + (a ^ (ab & bc)); bc = ab;
    w10 += (rotr<u32>(w11, 7) ^ rotr<u32>(w11, 18) ^ (w11 >>> 3)) + w3 + (rotr<u32>(w8, 17) ^ rotr<u32>(w8, 19) ^ (w8 >>> 10));
    t1 = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + 0xc24b8b70 + w10;
    ab = g ^ h; b += t1; f = t1 + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + (h ^ (ab & bc)); bc = ab;
    w11 += (rotr<u32>(w12, 7) ^ rotr<u32>(w12, 18) ^ (w12 >>> 3)) + w4 + (rotr<u32>(w9, 17) ^ rotr<u32>(w9, 19) ^ (w9 >>> 10));
    t1 = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + 0xc76c51a3 + w11;
    ab = f ^ g; a += t1; e = t1 + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + (g ^ (ab & bc)); bc = ab;
    w12 += (rotr<u32>(w13, 7) ^ rotr<u32>(w13, 18) ^ (w13 >>> 3)) + w5 + (rotr<u32>(w10, 17) ^ rotr<u32>(w10, 19) ^ (w10 >>> 10));
    t1 = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + 0xd192e819 + w12;
    ab = e ^ f; h += t1; d = t1 + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + (f ^ (ab & bc)); bc = ab;
    w13 += (rotr<u32>(w14, 7) ^ rotr<u32>(w14, 18) ^ (w14 >>> 3)) + w6 + (rotr<u32>(w11, 17) ^ rotr<u32>(w11, 19) ^ (w11 >>> 10));
    t1 = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + 0xd6990624 + w13;
    ab = d ^ e; g += t1; c = t1 + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + (e ^ (ab & bc)); bc = ab;
    w14 += (rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3)) + w7 + (rotr<u32>(w12, 17) ^ rotr<u32>(w12, 19) ^ (w12 >>> 10));
    t1 = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + 0xf40e3585 + w14;
    ab = c ^ d; f += t1; b = t1 + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + (d ^ (ab & bc)); bc = ab;
    w15 += (rotr<u32>(w0, 7) ^ rotr<u32>(w0, 18) ^ (w0 >>> 3)) + w8 + (rotr<u32>(w13, 17) ^ rotr<u32>(w13, 19) ^ (w13 >>> 10));
    t1 = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + 0x106aa070 + w15;
    ab = b ^ c; e += t1; a = t1 + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + (c ^ (ab & bc)); bc = ab;
    w0 += (rotr<u32>(w1, 7) ^ rotr<u32>(w1, 18) ^ (w1 >>> 3)) + w9 + (rotr<u32>(w14, 17) ^ rotr<u32>(w14, 19) ^ (w14 >>> 10));
    t1 = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + 0x19a4c116 + w0;
    ab = a ^ b; d += t1; h = t1 + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + (b ^ (ab & bc)); bc = ab;
    w1 += (rotr<u32>(w2, 7) ^ rotr<u32>(w2, 18) ^ (w2 >>> 3)) + w10 + (rotr<u32>(w15, 17) ^ rotr<u32>(w15, 19) ^ (w15 >>> 10));
    t1 = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + 0x1e376c08 + w1;
    ab = h ^ a; c += t1; g = t1 + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + (a ^ (ab & bc)); bc = ab;
    w2 += (rotr<u32>(w3, 7) ^ rotr<u32>(w3, 18) ^ (w3 >>> 3)) + w11 + (rotr<u32>(w0, 17) ^ rotr<u32>(w0, 19) ^ (w0 >>> 10));
    t1 = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + 0x2748774c + w2;
    ab = g ^ h; b += t1; f = t1 + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + (h ^ (ab & bc)); bc = ab;
    w3 += (rotr<u32>(w4, 7) ^ rotr<u32>(w4, 18) ^ (w4 >>> 3)) + w12 + (rotr<u32>(w1, 17) ^ rotr<u32>(w1, 19) ^ (w1 >>> 10));
    t1 = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + 0x34b0bcb5 + w3;
    ab = f ^ g; a += t1; e = t1 + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + (g ^ (ab & bc)); bc = ab;
    w4 += (rotr<u32>(w5, 7) ^ rotr<u32>(w5, 18) ^ (w5 >>> 3)) + w13 + (rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10));
    t1 = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + 0x391c0cb3 + w4;
    ab = e ^ f; h += t1; d = t1 + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + (f ^ (ab & bc)); bc = ab;
    w5 += (rotr<u32>(w6, 7) ^ rotr<u32>(w6, 18) ^ (w6 >>> 3)) + w14 + (rotr<u32>(w3, 17) ^ rotr<u32>(w3, 19) ^ (w3 >>> 10));
    t1 = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + 0x4ed8aa4a + w5;
    ab = d ^ e; g += t1; c = t1 + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + (e ^ (ab & bc)); bc = ab;
    w6 += (rotr<u32>(w7, 7) ^ rotr<u32>(w7, 18) ^ (w7 >>> 3)) + w15 + (rotr<u32>(w4, 17) ^ rotr<u32>(w4, 19) ^ (w4 >>> 10));
    t1 = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + 0x5b9cca4f + w6;
    ab = c ^ d; f += t1; b = t1 + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + (d ^ (ab & bc)); bc = ab;
    w7 += (rotr<u32>(w8, 7) ^ rotr<u32>(w8, 18) ^ (w8 >>> 3)) + w0 + (rotr<u32>(w5, 17) ^ rotr<u32>(w5, 19) ^ (w5 >>> 10));
    t1 = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + 0x682e6ff3 + w7;
    ab = b ^ c; e += t1; a = t1 + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + (c ^ (ab & bc)); bc = ab;
    w8 += (rotr<u32>(w9, 7) ^ rotr<u32>(w9, 18) ^ (w9 >>> 3)) + w1 + (rotr<u32>(w6, 17) ^ rotr<u32>(w6, 19) ^ (w6 >>> 10));
    t1 = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + 0x748f82ee + w8;
    ab = a ^ b; d += t1; h = t1 + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + (b ^ (ab & bc)); bc = ab;
    w9 += (rotr<u32>(w10, 7) ^ rotr<u32>(w10, 18) ^ (w10 >>> 3)) + w2 + (rotr<u32>(w7, 17) ^ rotr<u32>(w7, 19) ^ (w7 >>> 10));
    t1 = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + 0x78a5636f + w9;
    ab = h ^ a; c += t1; g = t1 + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + (a ^ (ab & bc)); bc = ab;
    w10 += (rotr<u32>(w11, 7) ^ rotr<u32>(w11, 18) ^ (w11 >>> 3)) + w3 + (rotr<u32>(w8, 17) ^ rotr<u32>(w8, 19) ^ (w8 >>> 10));
    t1 = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + 0x84c87814 + w10;
    ab = g ^ h; b += t1; f = t1 + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + (h ^ (ab & bc)); bc = ab;
    w11 += (rotr<u32>(w12, 7) ^ rotr<u32>(w12, 18) ^ (w12 >>> 3)) + w4 + (rotr<u32>(w9, 17) ^ rotr<u32>(w9, 19) ^ (w9 >>> 10));
    t1 = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + 0x8cc70208 + w11;
    ab = f ^ g; a += t1; e = t1 + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + (g ^ (ab & bc)); bc = ab;
    w12 += (rotr<u32>(w13, 7) ^ rotr<u32>(w13, 18) ^ (w13 >>> 3)) + w5 + (rotr<u32>(w10, 17) ^ rotr<u32>(w10, 19) ^ (w10 >>> 10));
    t1 = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + 0x90befffa + w12;
    ab = e ^ f; h += t1; d = t1 + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + (f ^ (ab & bc)); bc = ab;
    w13 += (rotr<u32>(w14, 7) ^ rotr<u32>(w14, 18) ^ (w14 >>> 3)) + w6 + (rotr<u32>(w11, 17) ^ rotr<u32>(w11, 19) ^ (w11 >>> 10));
    t1 = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + 0xa4506ceb + w13;
    ab = d ^ e; g += t1; c = t1 + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + (e ^ (ab & bc)); bc = ab;
    w14 += (rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3)) + w7 + (rotr<u32>(w12, 17) ^ rotr<u32>(w12, 19) ^ (w12 >>> 10));
    t1 = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + 0xbef9a3f7 + w14;
    ab = c ^ d; f += t1; b = t1 + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + (d ^ (ab & bc)); bc = ab;
    w15 += (rotr<u32>(w0, 7) ^ rotr<u32>(w0, 18) ^ (w0 >>> 3)) + w8 + (rotr<u32>(w13, 17) ^ rotr<u32>(w13, 19) ^ (w13 >>> 10));
    t1 = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + 0xc67178f2 + w15;
    ab = b ^ c; e += t1; a = t1 + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + (c ^ (ab & bc)); bc = ab;
    // The chaining value stays in memory, not in 8 more live locals.
    a += load<u32>(state, 0); store<u32>(state, a, 0);
    b += load<u32>(state, 4); store<u32>(state, b, 4);
    c += load<u32>(state, 8); store<u32>(state, c, 8);
    d += load<u32>(state, 12); store<u32>(state, d, 12);
    e += load<u32>(state, 16); store<u32>(state, e, 16);
    f += load<u32>(state, 20); store<u32>(state, f, 20);
    g += load<u32>(state, 24); store<u32>(state, g, 24);
    h += load<u32>(state, 28); store<u32>(state, h, 28);
    p += 64;
    blocks--;
  }
}

/**
 * Like compress, with the message schedule computed four words at a time in
 * v128 (SIMD build). x0..x3 hold W[t-16..t-1] in a ring of four vectors; the
 * next four words, W[t+i] = s1(W[t+i-2]) + W[t+i-7] + s0(W[t+i-15]) + W[t+i-16]
 * (FIPS 180-4, 6.2.2 step 1), take s1 in two halves because W[t+2] and
 * W[t+3] depend on W[t] and W[t+1] of the same vector. v128 has no rotate,
 * so each rotr is a shift pair.
 */
function compressSched(state: usize, p: usize, blocks: i32): void {
  let a = load<u32>(state, 0);
  let b = load<u32>(state, 4);
  let c = load<u32>(state, 8);
  let d = load<u32>(state, 12);
  let e = load<u32>(state, 16);
  let f = load<u32>(state, 20);
  let g = load<u32>(state, 24);
  let h = load<u32>(state, 28);
  let t1: u32, ab: u32, bc: u32;
  let x0: v128, x1: v128, x2: v128, x3: v128, m: v128, n: v128;
  while (blocks > 0) {
    bc = b ^ c;
    x0 = bswap4(v128.load(p, 0));
    x1 = bswap4(v128.load(p, 16));
    x2 = bswap4(v128.load(p, 32));
    x3 = bswap4(v128.load(p, 48));
    v128.store(WK1, i32x4.add(x0, i32x4(0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5)), 0);
    v128.store(WK1, i32x4.add(x1, i32x4(0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5)), 16);
    v128.store(WK1, i32x4.add(x2, i32x4(0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3)), 32);
    v128.store(WK1, i32x4.add(x3, i32x4(0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174)), 48);
    // W[16..19]
    m = i32x4.shuffle(x0, x1, 1, 2, 3, 4);
    n = i32x4.shuffle(x2, x3, 1, 2, 3, 4);
    x0 = i32x4.add(i32x4.add(x0, n), v128.xor(v128.xor(i32x4.shr_u(m, 7), i32x4.shl(m, 25)), v128.xor(v128.xor(i32x4.shr_u(m, 18), i32x4.shl(m, 14)), i32x4.shr_u(m, 3))));
    m = i32x4.shuffle(x3, x3, 2, 3, 2, 3);
    x0 = i32x4.add(x0, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(-1, -1, 0, 0)));
    m = i32x4.shuffle(x0, x0, 0, 1, 0, 1);
    x0 = i32x4.add(x0, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(0, 0, -1, -1)));
    v128.store(WK1, i32x4.add(x0, i32x4(0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc)), 64);
    t1 = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + load<u32>(WK1, 0);
    ab = a ^ b; d += t1; h = t1 + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + (b ^ (ab & bc)); bc = ab;
    t1 = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + load<u32>(WK1, 4);
    ab = h ^ a; c += t1; g = t1 + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + (a ^ (ab & bc)); bc = ab;
    t1 = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + load<u32>(WK1, 8);
    ab = g ^ h; b += t1; f = t1 + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + (h ^ (ab & bc)); bc = ab;
    t1 = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + load<u32>(WK1, 12);
    ab = f ^ g; a += t1; e = t1 + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + (g ^ (ab & bc)); bc = ab;
    // W[20..23]
    m = i32x4.shuffle(x1, x2, 1, 2, 3, 4);
    n = i32x4.shuffle(x3, x0, 1, 2, 3, 4);
    x1 = i32x4.add(i32x4.add(x1, n), v128.xor(v128.xor(i32x4.shr_u(m, 7), i32x4.shl(m, 25)), v128.xor(v128.xor(i32x4.shr_u(m, 18), i32x4.shl(m, 14)), i32x4.shr_u(m, 3))));
    m = i32x4.shuffle(x0, x0, 2, 3, 2, 3);
    x1 = i32x4.add(x1, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(-1, -1, 0, 0)));
    m = i32x4.shuffle(x1, x1, 0, 1, 0, 1);
    x1 = i32x4.add(x1, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(0, 0, -1, -1)));
    v128.store(WK1, i32x4.add(x1, i32x4(0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da)), 80);
    t1 = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + load<u32>(WK1, 16);
    ab = e ^ f; h += t1; d = t1 + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + (f ^ (ab & bc)); bc = ab;
    t1 = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + load<u32>(WK1, 20);
    ab = d ^ e; g += t1; c = t1 + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + (e ^ (ab & bc)); bc = ab;
    t1 = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + load<u32>(WK1, 24);
    ab = c ^ d; f += t1; b = t1 + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + (d ^ (ab & bc)); bc = ab;
    t1 = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + load<u32>(WK1, 28);
    ab = b ^ c; e += t1; a = t1 + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + (c ^ (ab & bc)); bc = ab;
    // W[24..27]
    m = i32x4.shuffle(x2, x3, 1, 2, 3, 4);
    n = i32x4.shuffle(x0, x1, 1, 2, 3, 4);
    x2 = i32x4.add(i32x4.add(x2, n), v128.xor(v128.xor(i32x4.shr_u(m, 7), i32x4.shl(m, 25)), v128.xor(v128.xor(i32x4.shr_u(m, 18), i32x4.shl(m, 14)), i32x4.shr_u(m, 3))));
    m = i32x4.shuffle(x1, x1, 2, 3, 2, 3);
    x2 = i32x4.add(x2, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(-1, -1, 0, 0)));
    m = i32x4.shuffle(x2, x2, 0, 1, 0, 1);
    x2 = i32x4.add(x2, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(0, 0, -1, -1)));
    v128.store(WK1, i32x4.add(x2, i32x4(0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7)), 96);
    t1 = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + load<u32>(WK1, 32);
    ab = a ^ b; d += t1; h = t1 + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + (b ^ (ab & bc)); bc = ab;
    t1 = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + load<u32>(WK1, 36);
    ab = h ^ a; c += t1; g = t1 + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + (a ^ (ab & bc)); bc = ab;
    t1 = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + load<u32>(WK1, 40);
    ab = g ^ h; b += t1; f = t1 + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + (h ^ (ab & bc)); bc = ab;
    t1 = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + load<u32>(WK1, 44);
    ab = f ^ g; a += t1; e = t1 + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + (g ^ (ab & bc)); bc = ab;
    // W[28..31]
    m = i32x4.shuffle(x3, x0, 1, 2, 3, 4);
    n = i32x4.shuffle(x1, x2, 1, 2, 3, 4);
    x3 = i32x4.add(i32x4.add(x3, n), v128.xor(v128.xor(i32x4.shr_u(m, 7), i32x4.shl(m, 25)), v128.xor(v128.xor(i32x4.shr_u(m, 18), i32x4.shl(m, 14)), i32x4.shr_u(m, 3))));
    m = i32x4.shuffle(x2, x2, 2, 3, 2, 3);
    x3 = i32x4.add(x3, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(-1, -1, 0, 0)));
    m = i32x4.shuffle(x3, x3, 0, 1, 0, 1);
    x3 = i32x4.add(x3, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(0, 0, -1, -1)));
    v128.store(WK1, i32x4.add(x3, i32x4(0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967)), 112);
    t1 = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + load<u32>(WK1, 48);
    ab = e ^ f; h += t1; d = t1 + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + (f ^ (ab & bc)); bc = ab;
    t1 = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + load<u32>(WK1, 52);
    ab = d ^ e; g += t1; c = t1 + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + (e ^ (ab & bc)); bc = ab;
    t1 = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + load<u32>(WK1, 56);
    ab = c ^ d; f += t1; b = t1 + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + (d ^ (ab & bc)); bc = ab;
    t1 = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + load<u32>(WK1, 60);
    ab = b ^ c; e += t1; a = t1 + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + (c ^ (ab & bc)); bc = ab;
    // W[32..35]
    m = i32x4.shuffle(x0, x1, 1, 2, 3, 4);
    n = i32x4.shuffle(x2, x3, 1, 2, 3, 4);
    x0 = i32x4.add(i32x4.add(x0, n), v128.xor(v128.xor(i32x4.shr_u(m, 7), i32x4.shl(m, 25)), v128.xor(v128.xor(i32x4.shr_u(m, 18), i32x4.shl(m, 14)), i32x4.shr_u(m, 3))));
    m = i32x4.shuffle(x3, x3, 2, 3, 2, 3);
    x0 = i32x4.add(x0, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(-1, -1, 0, 0)));
    m = i32x4.shuffle(x0, x0, 0, 1, 0, 1);
    x0 = i32x4.add(x0, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(0, 0, -1, -1)));
    v128.store(WK1, i32x4.add(x0, i32x4(0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13)), 128);
    t1 = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + load<u32>(WK1, 64);
    ab = a ^ b; d += t1; h = t1 + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + (b ^ (ab & bc)); bc = ab;
    t1 = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + load<u32>(WK1, 68);
    ab = h ^ a; c += t1; g = t1 + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + (a ^ (ab & bc)); bc = ab;
    t1 = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + load<u32>(WK1, 72);
    ab = g ^ h; b += t1; f = t1 + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + (h ^ (ab & bc)); bc = ab;
    t1 = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + load<u32>(WK1, 76);
    ab = f ^ g; a += t1; e = t1 + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + (g ^ (ab & bc)); bc = ab;
    // W[36..39]
    m = i32x4.shuffle(x1, x2, 1, 2, 3, 4);
    n = i32x4.shuffle(x3, x0, 1, 2, 3, 4);
    x1 = i32x4.add(i32x4.add(x1, n), v128.xor(v128.xor(i32x4.shr_u(m, 7), i32x4.shl(m, 25)), v128.xor(v128.xor(i32x4.shr_u(m, 18), i32x4.shl(m, 14)), i32x4.shr_u(m, 3))));
    m = i32x4.shuffle(x0, x0, 2, 3, 2, 3);
    x1 = i32x4.add(x1, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(-1, -1, 0, 0)));
    m = i32x4.shuffle(x1, x1, 0, 1, 0, 1);
    x1 = i32x4.add(x1, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(0, 0, -1, -1)));
    v128.store(WK1, i32x4.add(x1, i32x4(0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85)), 144);
    t1 = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + load<u32>(WK1, 80);
    ab = e ^ f; h += t1; d = t1 + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + (f ^ (ab & bc)); bc = ab;
    t1 = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + load<u32>(WK1, 84);
    ab = d ^ e; g += t1; c = t1 + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + (e ^ (ab & bc)); bc = ab;
    t1 = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + load<u32>(WK1, 88);
    ab = c ^ d; f += t1; b = t1 + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + (d ^ (ab & bc)); bc = ab;
    t1 = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + load<u32>(WK1, 92);
    ab = b ^ c; e += t1; a = t1 + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + (c ^ (ab & bc)); bc = ab;
    // W[40..43]
    m = i32x4.shuffle(x2, x3, 1, 2, 3, 4);
    n = i32x4.shuffle(x0, x1, 1, 2, 3, 4);
    x2 = i32x4.add(i32x4.add(x2, n), v128.xor(v128.xor(i32x4.shr_u(m, 7), i32x4.shl(m, 25)), v128.xor(v128.xor(i32x4.shr_u(m, 18), i32x4.shl(m, 14)), i32x4.shr_u(m, 3))));
    m = i32x4.shuffle(x1, x1, 2, 3, 2, 3);
    x2 = i32x4.add(x2, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(-1, -1, 0, 0)));
    m = i32x4.shuffle(x2, x2, 0, 1, 0, 1);
    x2 = i32x4.add(x2, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(0, 0, -1, -1)));
    v128.store(WK1, i32x4.add(x2, i32x4(0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3)), 160);
    t1 = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + load<u32>(WK1, 96);
    ab = a ^ b; d += t1; h = t1 + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + (b ^ (ab & bc)); bc = ab;
    t1 = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + load<u32>(WK1, 100);
    ab = h ^ a; c += t1; g = t1 + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + (a ^ (ab & bc)); bc = ab;
    t1 = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + load<u32>(WK1, 104);
    ab = g ^ h; b += t1; f = t1 + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + (h ^ (ab & bc)); bc = ab;
    t1 = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + load<u32>(WK1, 108);
    ab = f ^ g; a += t1; e = t1 + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + (g ^ (ab & bc)); bc = ab;
    // W[44..47]
    m = i32x4.shuffle(x3, x0, 1, 2, 3, 4);
    n = i32x4.shuffle(x1, x2, 1, 2, 3, 4);
    x3 = i32x4.add(i32x4.add(x3, n), v128.xor(v128.xor(i32x4.shr_u(m, 7), i32x4.shl(m, 25)), v128.xor(v128.xor(i32x4.shr_u(m, 18), i32x4.shl(m, 14)), i32x4.shr_u(m, 3))));
    m = i32x4.shuffle(x2, x2, 2, 3, 2, 3);
    x3 = i32x4.add(x3, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(-1, -1, 0, 0)));
    m = i32x4.shuffle(x3, x3, 0, 1, 0, 1);
    x3 = i32x4.add(x3, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(0, 0, -1, -1)));
    v128.store(WK1, i32x4.add(x3, i32x4(0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070)), 176);
    t1 = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + load<u32>(WK1, 112);
    ab = e ^ f; h += t1; d = t1 + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + (f ^ (ab & bc)); bc = ab;
    t1 = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + load<u32>(WK1, 116);
    ab = d ^ e; g += t1; c = t1 + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + (e ^ (ab & bc)); bc = ab;
    t1 = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + load<u32>(WK1, 120);
    ab = c ^ d; f += t1; b = t1 + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + (d ^ (ab & bc)); bc = ab;
    t1 = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + load<u32>(WK1, 124);
    ab = b ^ c; e += t1; a = t1 + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + (c ^ (ab & bc)); bc = ab;
    // W[48..51]
    m = i32x4.shuffle(x0, x1, 1, 2, 3, 4);
    n = i32x4.shuffle(x2, x3, 1, 2, 3, 4);
    x0 = i32x4.add(i32x4.add(x0, n), v128.xor(v128.xor(i32x4.shr_u(m, 7), i32x4.shl(m, 25)), v128.xor(v128.xor(i32x4.shr_u(m, 18), i32x4.shl(m, 14)), i32x4.shr_u(m, 3))));
    m = i32x4.shuffle(x3, x3, 2, 3, 2, 3);
    x0 = i32x4.add(x0, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(-1, -1, 0, 0)));
    m = i32x4.shuffle(x0, x0, 0, 1, 0, 1);
    x0 = i32x4.add(x0, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(0, 0, -1, -1)));
    v128.store(WK1, i32x4.add(x0, i32x4(0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5)), 192);
    t1 = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + load<u32>(WK1, 128);
    ab = a ^ b; d += t1; h = t1 + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + (b ^ (ab & bc)); bc = ab;
    t1 = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + load<u32>(WK1, 132);
    ab = h ^ a; c += t1; g = t1 + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + (a ^ (ab & bc)); bc = ab;
    t1 = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + load<u32>(WK1, 136);
    ab = g ^ h; b += t1; f = t1 + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + (h ^ (ab & bc)); bc = ab;
    t1 = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + load<u32>(WK1, 140);
    ab = f ^ g; a += t1; e = t1 + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + (g ^ (ab & bc)); bc = ab;
    // W[52..55]
    m = i32x4.shuffle(x1, x2, 1, 2, 3, 4);
    n = i32x4.shuffle(x3, x0, 1, 2, 3, 4);
    x1 = i32x4.add(i32x4.add(x1, n), v128.xor(v128.xor(i32x4.shr_u(m, 7), i32x4.shl(m, 25)), v128.xor(v128.xor(i32x4.shr_u(m, 18), i32x4.shl(m, 14)), i32x4.shr_u(m, 3))));
    m = i32x4.shuffle(x0, x0, 2, 3, 2, 3);
    x1 = i32x4.add(x1, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(-1, -1, 0, 0)));
    m = i32x4.shuffle(x1, x1, 0, 1, 0, 1);
    x1 = i32x4.add(x1, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(0, 0, -1, -1)));
    v128.store(WK1, i32x4.add(x1, i32x4(0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3)), 208);
    t1 = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + load<u32>(WK1, 144);
    ab = e ^ f; h += t1; d = t1 + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + (f ^ (ab & bc)); bc = ab;
    t1 = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + load<u32>(WK1, 148);
    ab = d ^ e; g += t1; c = t1 + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + (e ^ (ab & bc)); bc = ab;
    t1 = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + load<u32>(WK1, 152);
    ab = c ^ d; f += t1; b = t1 + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + (d ^ (ab & bc)); bc = ab;
    t1 = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + load<u32>(WK1, 156);
    ab = b ^ c; e += t1; a = t1 + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + (c ^ (ab & bc)); bc = ab;
    // W[56..59]
    m = i32x4.shuffle(x2, x3, 1, 2, 3, 4);
    n = i32x4.shuffle(x0, x1, 1, 2, 3, 4);
    x2 = i32x4.add(i32x4.add(x2, n), v128.xor(v128.xor(i32x4.shr_u(m, 7), i32x4.shl(m, 25)), v128.xor(v128.xor(i32x4.shr_u(m, 18), i32x4.shl(m, 14)), i32x4.shr_u(m, 3))));
    m = i32x4.shuffle(x1, x1, 2, 3, 2, 3);
    x2 = i32x4.add(x2, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(-1, -1, 0, 0)));
    m = i32x4.shuffle(x2, x2, 0, 1, 0, 1);
    x2 = i32x4.add(x2, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(0, 0, -1, -1)));
    v128.store(WK1, i32x4.add(x2, i32x4(0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208)), 224);
    t1 = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + load<u32>(WK1, 160);
    ab = a ^ b; d += t1; h = t1 + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + (b ^ (ab & bc)); bc = ab;
    t1 = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + load<u32>(WK1, 164);
    ab = h ^ a; c += t1; g = t1 + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + (a ^ (ab & bc)); bc = ab;
    t1 = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + load<u32>(WK1, 168);
    ab = g ^ h; b += t1; f = t1 + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + (h ^ (ab & bc)); bc = ab;
    t1 = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + load<u32>(WK1, 172);
    ab = f ^ g; a += t1; e = t1 + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + (g ^ (ab & bc)); bc = ab;
    // W[60..63]
    m = i32x4.shuffle(x3, x0, 1, 2, 3, 4);
    n = i32x4.shuffle(x1, x2, 1, 2, 3, 4);
    x3 = i32x4.add(i32x4.add(x3, n), v128.xor(v128.xor(i32x4.shr_u(m, 7), i32x4.shl(m, 25)), v128.xor(v128.xor(i32x4.shr_u(m, 18), i32x4.shl(m, 14)), i32x4.shr_u(m, 3))));
    m = i32x4.shuffle(x2, x2, 2, 3, 2, 3);
    x3 = i32x4.add(x3, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(-1, -1, 0, 0)));
    m = i32x4.shuffle(x3, x3, 0, 1, 0, 1);
    x3 = i32x4.add(x3, v128.and(v128.xor(v128.xor(i32x4.shr_u(m, 17), i32x4.shl(m, 15)), v128.xor(v128.xor(i32x4.shr_u(m, 19), i32x4.shl(m, 13)), i32x4.shr_u(m, 10))), i32x4(0, 0, -1, -1)));
    v128.store(WK1, i32x4.add(x3, i32x4(0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2)), 240);
    t1 = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + load<u32>(WK1, 176);
    ab = e ^ f; h += t1; d = t1 + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + (f ^ (ab & bc)); bc = ab;
    t1 = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + load<u32>(WK1, 180);
    ab = d ^ e; g += t1; c = t1 + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + (e ^ (ab & bc)); bc = ab;
    t1 = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + load<u32>(WK1, 184);
    ab = c ^ d; f += t1; b = t1 + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + (d ^ (ab & bc)); bc = ab;
    t1 = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + load<u32>(WK1, 188);
    ab = b ^ c; e += t1; a = t1 + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + (c ^ (ab & bc)); bc = ab;
    t1 = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + load<u32>(WK1, 192);
    ab = a ^ b; d += t1; h = t1 + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + (b ^ (ab & bc)); bc = ab;
    t1 = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + load<u32>(WK1, 196);
    ab = h ^ a; c += t1; g = t1 + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + (a ^ (ab & bc)); bc = ab;
    t1 = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + load<u32>(WK1, 200);
    ab = g ^ h; b += t1; f = t1 + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + (h ^ (ab & bc)); bc = ab;
    t1 = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + load<u32>(WK1, 204);
    ab = f ^ g; a += t1; e = t1 + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + (g ^ (ab & bc)); bc = ab;
    t1 = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + load<u32>(WK1, 208);
    ab = e ^ f; h += t1; d = t1 + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + (f ^ (ab & bc)); bc = ab;
    t1 = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + load<u32>(WK1, 212);
    ab = d ^ e; g += t1; c = t1 + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + (e ^ (ab & bc)); bc = ab;
    t1 = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + load<u32>(WK1, 216);
    ab = c ^ d; f += t1; b = t1 + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + (d ^ (ab & bc)); bc = ab;
    t1 = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + load<u32>(WK1, 220);
    ab = b ^ c; e += t1; a = t1 + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + (c ^ (ab & bc)); bc = ab;
    t1 = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + load<u32>(WK1, 224);
    ab = a ^ b; d += t1; h = t1 + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + (b ^ (ab & bc)); bc = ab;
    t1 = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + load<u32>(WK1, 228);
    ab = h ^ a; c += t1; g = t1 + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + (a ^ (ab & bc)); bc = ab;
    t1 = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + load<u32>(WK1, 232);
    ab = g ^ h; b += t1; f = t1 + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + (h ^ (ab & bc)); bc = ab;
    t1 = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + load<u32>(WK1, 236);
    ab = f ^ g; a += t1; e = t1 + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + (g ^ (ab & bc)); bc = ab;
    t1 = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + load<u32>(WK1, 240);
    ab = e ^ f; h += t1; d = t1 + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + (f ^ (ab & bc)); bc = ab;
    t1 = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + load<u32>(WK1, 244);
    ab = d ^ e; g += t1; c = t1 + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + (e ^ (ab & bc)); bc = ab;
    t1 = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + load<u32>(WK1, 248);
    ab = c ^ d; f += t1; b = t1 + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + (d ^ (ab & bc)); bc = ab;
    t1 = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + load<u32>(WK1, 252);
    ab = b ^ c; e += t1; a = t1 + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + (c ^ (ab & bc)); bc = ab;
    a += load<u32>(state, 0); store<u32>(state, a, 0);
    b += load<u32>(state, 4); store<u32>(state, b, 4);
    c += load<u32>(state, 8); store<u32>(state, c, 8);
    d += load<u32>(state, 12); store<u32>(state, d, 12);
    e += load<u32>(state, 16); store<u32>(state, e, 16);
    f += load<u32>(state, 20); store<u32>(state, f, 20);
    g += load<u32>(state, 24); store<u32>(state, g, 24);
    h += load<u32>(state, 28); store<u32>(state, h, 28);
    p += 64;
    blocks--;
  }
}


/** The compression function of this build: the v128 message schedule where SIMD is there. */
// @ts-ignore: decorator
@inline function compressAny(state: usize, p: usize, blocks: i32): void {
  if (ASC_FEATURE_SIMD) compressSched(state, p, blocks);
  else compress(state, p, blocks);
}

function writeDigest(state: usize, out: usize): void {
  for (let j = 0; j < 8; j++) store<u32>(out + (j << 2), bswap<u32>(load<u32>(state + (j << 2))));
}

/** Starts a message in the context at `ctx`. */
export function sha256Init(ctx: usize): void {
  memory.copy(ctx, IV, 32);
  store<u64>(ctx, 0, CTX_LEN);
  store<u32>(ctx, 0, CTX_FILL);
}

/** Adds `len` bytes at `p` to the message in `ctx`, in any split. */
export function sha256Update(ctx: usize, p: usize, len: u32): void {
  store<u64>(ctx, load<u64>(ctx, CTX_LEN) + <u64>len, CTX_LEN);
  let fill = load<u32>(ctx, CTX_FILL);
  if (fill != 0) {
    const take = min<u32>(64 - fill, len);
    memory.copy(ctx + CTX_BUF + fill, p, take);
    fill += take;
    p += take;
    len -= take;
    if (fill < 64) {
      store<u32>(ctx, fill, CTX_FILL);
      return;
    }
    compressAny(ctx, ctx + CTX_BUF, 1);
  }
  const blocks = len >>> 6;
  if (blocks != 0) {
    compressAny(ctx, p, <i32>blocks);
    p += blocks << 6;
  }
  len &= 63;
  if (len != 0) memory.copy(ctx + CTX_BUF, p, len);
  store<u32>(ctx, len, CTX_FILL);
}

/** Pads the message in `ctx` (FIPS 180-4, 5.1.1) and writes its 32-byte digest at `out`. */
export function sha256Final(ctx: usize, out: usize): void {
  const buf = ctx + CTX_BUF;
  let fill = load<u32>(ctx, CTX_FILL);
  store<u8>(buf + fill, 0x80);
  fill++;
  if (fill > 56) {
    memory.fill(buf + fill, 0, 64 - fill);
    compressAny(ctx, buf, 1);
    fill = 0;
  }
  memory.fill(buf + fill, 0, 56 - fill);
  store<u64>(buf, bswap<u64>(load<u64>(ctx, CTX_LEN) << 3), 56);
  compressAny(ctx, buf, 1);
  writeDigest(ctx, out);
}

/**
 * Writes the padded last one or two blocks of a `len`-byte message at `p`
 * into `tail` (128 bytes) and returns how many blocks they are.
 */
function padTail(tail: usize, p: usize, len: u32): i32 {
  const rem = len & 63;
  memory.fill(tail, 0, 128);
  memory.copy(tail, p + (len & ~63), rem);
  store<u8>(tail + rem, 0x80);
  const blocks: i32 = rem < 56 ? 1 : 2;
  store<u64>(tail + (blocks << 6) - 8, bswap<u64>(<u64>len << 3));
  return blocks;
}

/**
 * Hashes `count` independent messages. Job i is (pointer u32, length u32) at
 * JOBS + 8 * i; its digest goes to DIGESTS + 32 * i.
 */
export function sha256Many(count: i32): void {
  if (count > MAX_JOBS) count = MAX_JOBS;
  if (ASC_FEATURE_SIMD) {
    manyLanes(count);
  } else {
    for (let i = 0; i < count; i++) {
      const p = <usize>load<u32>(JOBS + (i << 3));
      const len = load<u32>(JOBS + (i << 3), 4);
      memory.copy(SCRATCH, IV, 32);
      compress(SCRATCH, p, <i32>(len >>> 6));
      compress(SCRATCH, TAIL, padTail(TAIL, p, len));
      writeDigest(SCRATCH, DIGESTS + (i << 5));
    }
  }
}

/** Writes the first `count` digests at DIGESTS as lowercase hex at HEX. */
export function sha256DigestsHex(count: i32): void {
  if (count > MAX_JOBS) count = MAX_JOBS;
  const n = <usize>count << 5;
  for (let i: usize = 0; i < n; i++) {
    const b = load<u8>(DIGESTS + i);
    store<u16>(HEX + (i << 1), <u16>load<u8>(HEX_DIGITS + (b >> 4)) | (<u16>load<u8>(HEX_DIGITS + (b & 15)) << 8));
  }
}

// ---- four lanes with v128 (SIMD build only) ----

// @ts-ignore: decorator
@inline function bswap4(v: v128): v128 {
  return i8x16.shuffle(v, v, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
}

/** Loads lane `lane` with job `job`: IV into its state column, its tail padded. */
function startLane(lane: i32, job: i32): void {
  const p = <usize>load<u32>(JOBS + (job << 3));
  const len = load<u32>(JOBS + (job << 3), 4);
  const tail = TAIL + (lane << 7);
  const tailBlocks = padTail(tail, p, len);
  const dataBlocks = <i32>(len >>> 6);
  for (let j = 0; j < 8; j++) store<u32>(LSTATE + (j << 4) + (lane << 2), load<u32>(IV + (j << 2)));
  const l = LANES + (lane << 4);
  store<u32>(l, <u32>p, 0);
  store<i32>(l, dataBlocks, 4);
  store<u32>(l, <u32>tail, 8);
  store<i32>(l, dataBlocks + tailBlocks, 12);
}

/** Pointer of the next block of lane `lane`, and advances the lane past it. */
function takeBlock(lane: i32): usize {
  const l = LANES + (lane << 4);
  store<i32>(l, load<i32>(l, 12) - 1, 12);
  const data = load<i32>(l, 4);
  if (data > 0) {
    const p = <usize>load<u32>(l, 0);
    store<u32>(l, <u32>(p + 64), 0);
    store<i32>(l, data - 1, 4);
    return p;
  }
  const t = <usize>load<u32>(l, 8);
  store<u32>(l, <u32>(t + 64), 8);
  return t;
}

function manyLanes(count: i32): void {
  let next = 0;
  let jobOf0 = -1, jobOf1 = -1, jobOf2 = -1, jobOf3 = -1;
  let active = 0; // bit i: lane i holds a message
  while (true) {
    // Refill idle lanes from the queue.
    for (let lane = 0; lane < 4; lane++) {
      if ((active & (1 << lane)) == 0 && next < count) {
        startLane(lane, next);
        if (lane == 0) jobOf0 = next;
        else if (lane == 1) jobOf1 = next;
        else if (lane == 2) jobOf2 = next;
        else jobOf3 = next;
        next++;
        active |= 1 << lane;
      }
    }
    if (active == 0) break;
    if (next >= count && popcnt<i32>(active) == 1) {
      // Last message: one lane of four would waste three quarters of each
      // step, so finish it with the scalar rounds.
      const lane = ctz<i32>(active);
      for (let j = 0; j < 8; j++) store<u32>(SCRATCH + (j << 2), load<u32>(LSTATE + (j << 4) + (lane << 2)));
      const l = LANES + (lane << 4);
      const data = load<i32>(l, 4);
      compressAny(SCRATCH, <usize>load<u32>(l, 0), data);
      compressAny(SCRATCH, <usize>load<u32>(l, 8), load<i32>(l, 12) - data);
      const job = lane == 0 ? jobOf0 : lane == 1 ? jobOf1 : lane == 2 ? jobOf2 : jobOf3;
      writeDigest(SCRATCH, DIGESTS + (job << 5));
      break;
    }
    if (active == 15) {
      // Every lane busy: run as many whole data blocks as all four have in one go.
      const d0 = load<i32>(LANES, 4), d1 = load<i32>(LANES, 20), d2 = load<i32>(LANES, 36), d3 = load<i32>(LANES, 52);
      const run = min<i32>(min<i32>(d0, d1), min<i32>(d2, d3));
      if (run > 1) {
        compress4(<usize>load<u32>(LANES, 0), <usize>load<u32>(LANES, 16), <usize>load<u32>(LANES, 32), <usize>load<u32>(LANES, 48), run);
        for (let lane = 0; lane < 4; lane++) {
          const l = LANES + (lane << 4);
          store<u32>(l, load<u32>(l, 0) + (<u32>run << 6), 0);
          store<i32>(l, load<i32>(l, 4) - run, 4);
          store<i32>(l, load<i32>(l, 12) - run, 12);
        }
        continue;
      }
    }
    const p0 = active & 1 ? takeBlock(0) : IDLE;
    const p1 = active & 2 ? takeBlock(1) : IDLE;
    const p2 = active & 4 ? takeBlock(2) : IDLE;
    const p3 = active & 8 ? takeBlock(3) : IDLE;
    compress4(p0, p1, p2, p3, 1);
    // Lanes whose message just ended hand in their digest and go idle.
    for (let lane = 0; lane < 4; lane++) {
      if ((active & (1 << lane)) != 0 && load<i32>(LANES + (lane << 4), 12) == 0) {
        const job = lane == 0 ? jobOf0 : lane == 1 ? jobOf1 : lane == 2 ? jobOf2 : jobOf3;
        const out = DIGESTS + (job << 5);
        for (let j = 0; j < 8; j++) store<u32>(out + (j << 2), bswap<u32>(load<u32>(LSTATE + (j << 4) + (lane << 2))));
        active &= ~(1 << lane);
      }
    }
  }
}

/** `n` blocks of four messages at once: lane i reads its blocks from p_i onwards. */
function compress4(p0: usize, p1: usize, p2: usize, p3: usize, n: i32): void {
  let a = v128.load(LSTATE, 0);
  let b = v128.load(LSTATE, 16);
  let c = v128.load(LSTATE, 32);
  let d = v128.load(LSTATE, 48);
  let e = v128.load(LSTATE, 64);
  let f = v128.load(LSTATE, 80);
  let g = v128.load(LSTATE, 96);
  let h = v128.load(LSTATE, 112);
  let r0: v128, r1: v128, r2: v128, r3: v128, s0: v128, s1: v128, s2: v128, s3: v128, t1: v128;
  let w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128, w6: v128, w7: v128;
  let w8: v128, w9: v128, w10: v128, w11: v128, w12: v128, w13: v128, w14: v128, w15: v128;
  while (n > 0) {
    // Transpose: w_j holds message word j of the four lanes.
    r0 = bswap4(v128.load(p0, 0)); r1 = bswap4(v128.load(p1, 0)); r2 = bswap4(v128.load(p2, 0)); r3 = bswap4(v128.load(p3, 0));
    s0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5); s1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
    s2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7); s3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
    w0 = i32x4.shuffle(s0, s1, 0, 1, 4, 5); w1 = i32x4.shuffle(s0, s1, 2, 3, 6, 7);
    w2 = i32x4.shuffle(s2, s3, 0, 1, 4, 5); w3 = i32x4.shuffle(s2, s3, 2, 3, 6, 7);
    r0 = bswap4(v128.load(p0, 16)); r1 = bswap4(v128.load(p1, 16)); r2 = bswap4(v128.load(p2, 16)); r3 = bswap4(v128.load(p3, 16));
    s0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5); s1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
    s2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7); s3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
    w4 = i32x4.shuffle(s0, s1, 0, 1, 4, 5); w5 = i32x4.shuffle(s0, s1, 2, 3, 6, 7);
    w6 = i32x4.shuffle(s2, s3, 0, 1, 4, 5); w7 = i32x4.shuffle(s2, s3, 2, 3, 6, 7);
    r0 = bswap4(v128.load(p0, 32)); r1 = bswap4(v128.load(p1, 32)); r2 = bswap4(v128.load(p2, 32)); r3 = bswap4(v128.load(p3, 32));
    s0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5); s1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
    s2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7); s3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
    w8 = i32x4.shuffle(s0, s1, 0, 1, 4, 5); w9 = i32x4.shuffle(s0, s1, 2, 3, 6, 7);
    w10 = i32x4.shuffle(s2, s3, 0, 1, 4, 5); w11 = i32x4.shuffle(s2, s3, 2, 3, 6, 7);
    r0 = bswap4(v128.load(p0, 48)); r1 = bswap4(v128.load(p1, 48)); r2 = bswap4(v128.load(p2, 48)); r3 = bswap4(v128.load(p3, 48));
    s0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5); s1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
    s2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7); s3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
    w12 = i32x4.shuffle(s0, s1, 0, 1, 4, 5); w13 = i32x4.shuffle(s0, s1, 2, 3, 6, 7);
    w14 = i32x4.shuffle(s2, s3, 0, 1, 4, 5); w15 = i32x4.shuffle(s2, s3, 2, 3, 6, 7);
    v128.store(WS, w0, 0); v128.store(WK, i32x4.add(w0, i32x4(0x428a2f98, 0x428a2f98, 0x428a2f98, 0x428a2f98)), 0);
    v128.store(WS, w1, 16); v128.store(WK, i32x4.add(w1, i32x4(0x71374491, 0x71374491, 0x71374491, 0x71374491)), 16);
    v128.store(WS, w2, 32); v128.store(WK, i32x4.add(w2, i32x4(0xb5c0fbcf, 0xb5c0fbcf, 0xb5c0fbcf, 0xb5c0fbcf)), 32);
    v128.store(WS, w3, 48); v128.store(WK, i32x4.add(w3, i32x4(0xe9b5dba5, 0xe9b5dba5, 0xe9b5dba5, 0xe9b5dba5)), 48);
    v128.store(WS, w4, 64); v128.store(WK, i32x4.add(w4, i32x4(0x3956c25b, 0x3956c25b, 0x3956c25b, 0x3956c25b)), 64);
    v128.store(WS, w5, 80); v128.store(WK, i32x4.add(w5, i32x4(0x59f111f1, 0x59f111f1, 0x59f111f1, 0x59f111f1)), 80);
    v128.store(WS, w6, 96); v128.store(WK, i32x4.add(w6, i32x4(0x923f82a4, 0x923f82a4, 0x923f82a4, 0x923f82a4)), 96);
    v128.store(WS, w7, 112); v128.store(WK, i32x4.add(w7, i32x4(0xab1c5ed5, 0xab1c5ed5, 0xab1c5ed5, 0xab1c5ed5)), 112);
    v128.store(WS, w8, 128); v128.store(WK, i32x4.add(w8, i32x4(0xd807aa98, 0xd807aa98, 0xd807aa98, 0xd807aa98)), 128);
    v128.store(WS, w9, 144); v128.store(WK, i32x4.add(w9, i32x4(0x12835b01, 0x12835b01, 0x12835b01, 0x12835b01)), 144);
    v128.store(WS, w10, 160); v128.store(WK, i32x4.add(w10, i32x4(0x243185be, 0x243185be, 0x243185be, 0x243185be)), 160);
    v128.store(WS, w11, 176); v128.store(WK, i32x4.add(w11, i32x4(0x550c7dc3, 0x550c7dc3, 0x550c7dc3, 0x550c7dc3)), 176);
    v128.store(WS, w12, 192); v128.store(WK, i32x4.add(w12, i32x4(0x72be5d74, 0x72be5d74, 0x72be5d74, 0x72be5d74)), 192);
    v128.store(WS, w13, 208); v128.store(WK, i32x4.add(w13, i32x4(0x80deb1fe, 0x80deb1fe, 0x80deb1fe, 0x80deb1fe)), 208);
    v128.store(WS, w14, 224); v128.store(WK, i32x4.add(w14, i32x4(0x9bdc06a7, 0x9bdc06a7, 0x9bdc06a7, 0x9bdc06a7)), 224);
    v128.store(WS, w15, 240); v128.store(WK, i32x4.add(w15, i32x4(0xc19bf174, 0xc19bf174, 0xc19bf174, 0xc19bf174)), 240);
    s0 = v128.load(WS, 16); s1 = v128.load(WS, 224);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 0), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 144), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 256);
    v128.store(WK, i32x4.add(s2, i32x4(0xe49b69c1, 0xe49b69c1, 0xe49b69c1, 0xe49b69c1)), 256);
    s0 = v128.load(WS, 32); s1 = v128.load(WS, 240);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 16), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 160), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 272);
    v128.store(WK, i32x4.add(s2, i32x4(0xefbe4786, 0xefbe4786, 0xefbe4786, 0xefbe4786)), 272);
    s0 = v128.load(WS, 48); s1 = v128.load(WS, 256);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 32), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 176), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 288);
    v128.store(WK, i32x4.add(s2, i32x4(0x0fc19dc6, 0x0fc19dc6, 0x0fc19dc6, 0x0fc19dc6)), 288);
    s0 = v128.load(WS, 64); s1 = v128.load(WS, 272);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 48), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 192), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 304);
    v128.store(WK, i32x4.add(s2, i32x4(0x240ca1cc, 0x240ca1cc, 0x240ca1cc, 0x240ca1cc)), 304);
    s0 = v128.load(WS, 80); s1 = v128.load(WS, 288);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 64), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 208), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 320);
    v128.store(WK, i32x4.add(s2, i32x4(0x2de92c6f, 0x2de92c6f, 0x2de92c6f, 0x2de92c6f)), 320);
    s0 = v128.load(WS, 96); s1 = v128.load(WS, 304);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 80), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 224), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 336);
    v128.store(WK, i32x4.add(s2, i32x4(0x4a7484aa, 0x4a7484aa, 0x4a7484aa, 0x4a7484aa)), 336);
    s0 = v128.load(WS, 112); s1 = v128.load(WS, 320);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 96), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 240), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 352);
    v128.store(WK, i32x4.add(s2, i32x4(0x5cb0a9dc, 0x5cb0a9dc, 0x5cb0a9dc, 0x5cb0a9dc)), 352);
    s0 = v128.load(WS, 128); s1 = v128.load(WS, 336);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 112), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 256), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 368);
    v128.store(WK, i32x4.add(s2, i32x4(0x76f988da, 0x76f988da, 0x76f988da, 0x76f988da)), 368);
    s0 = v128.load(WS, 144); s1 = v128.load(WS, 352);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 128), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 272), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 384);
    v128.store(WK, i32x4.add(s2, i32x4(0x983e5152, 0x983e5152, 0x983e5152, 0x983e5152)), 384);
    s0 = v128.load(WS, 160); s1 = v128.load(WS, 368);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 144), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 288), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 400);
    v128.store(WK, i32x4.add(s2, i32x4(0xa831c66d, 0xa831c66d, 0xa831c66d, 0xa831c66d)), 400);
    s0 = v128.load(WS, 176); s1 = v128.load(WS, 384);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 160), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 304), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 416);
    v128.store(WK, i32x4.add(s2, i32x4(0xb00327c8, 0xb00327c8, 0xb00327c8, 0xb00327c8)), 416);
    s0 = v128.load(WS, 192); s1 = v128.load(WS, 400);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 176), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 320), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 432);
    v128.store(WK, i32x4.add(s2, i32x4(0xbf597fc7, 0xbf597fc7, 0xbf597fc7, 0xbf597fc7)), 432);
    s0 = v128.load(WS, 208); s1 = v128.load(WS, 416);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 192), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 336), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 448);
    v128.store(WK, i32x4.add(s2, i32x4(0xc6e00bf3, 0xc6e00bf3, 0xc6e00bf3, 0xc6e00bf3)), 448);
    s0 = v128.load(WS, 224); s1 = v128.load(WS, 432);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 208), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 352), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 464);
    v128.store(WK, i32x4.add(s2, i32x4(0xd5a79147, 0xd5a79147, 0xd5a79147, 0xd5a79147)), 464);
    s0 = v128.load(WS, 240); s1 = v128.load(WS, 448);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 224), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 368), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 480);
    v128.store(WK, i32x4.add(s2, i32x4(0x06ca6351, 0x06ca6351, 0x06ca6351, 0x06ca6351)), 480);
    s0 = v128.load(WS, 256); s1 = v128.load(WS, 464);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 240), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 384), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 496);
    v128.store(WK, i32x4.add(s2, i32x4(0x14292967, 0x14292967, 0x14292967, 0x14292967)), 496);
    s0 = v128.load(WS, 272); s1 = v128.load(WS, 480);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 256), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 400), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 512);
    v128.store(WK, i32x4.add(s2, i32x4(0x27b70a85, 0x27b70a85, 0x27b70a85, 0x27b70a85)), 512);
    s0 = v128.load(WS, 288); s1 = v128.load(WS, 496);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 272), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 416), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 528);
    v128.store(WK, i32x4.add(s2, i32x4(0x2e1b2138, 0x2e1b2138, 0x2e1b2138, 0x2e1b2138)), 528);
    s0 = v128.load(WS, 304); s1 = v128.load(WS, 512);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 288), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 432), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 544);
    v128.store(WK, i32x4.add(s2, i32x4(0x4d2c6dfc, 0x4d2c6dfc, 0x4d2c6dfc, 0x4d2c6dfc)), 544);
    s0 = v128.load(WS, 320); s1 = v128.load(WS, 528);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 304), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 448), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 560);
    v128.store(WK, i32x4.add(s2, i32x4(0x53380d13, 0x53380d13, 0x53380d13, 0x53380d13)), 560);
    s0 = v128.load(WS, 336); s1 = v128.load(WS, 544);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 320), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 464), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 576);
    v128.store(WK, i32x4.add(s2, i32x4(0x650a7354, 0x650a7354, 0x650a7354, 0x650a7354)), 576);
    s0 = v128.load(WS, 352); s1 = v128.load(WS, 560);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 336), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 480), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 592);
    v128.store(WK, i32x4.add(s2, i32x4(0x766a0abb, 0x766a0abb, 0x766a0abb, 0x766a0abb)), 592);
    s0 = v128.load(WS, 368); s1 = v128.load(WS, 576);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 352), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 496), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 608);
    v128.store(WK, i32x4.add(s2, i32x4(0x81c2c92e, 0x81c2c92e, 0x81c2c92e, 0x81c2c92e)), 608);
    s0 = v128.load(WS, 384); s1 = v128.load(WS, 592);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 368), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 512), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 624);
    v128.store(WK, i32x4.add(s2, i32x4(0x92722c85, 0x92722c85, 0x92722c85, 0x92722c85)), 624);
    s0 = v128.load(WS, 400); s1 = v128.load(WS, 608);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 384), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 528), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 640);
    v128.store(WK, i32x4.add(s2, i32x4(0xa2bfe8a1, 0xa2bfe8a1, 0xa2bfe8a1, 0xa2bfe8a1)), 640);
    s0 = v128.load(WS, 416); s1 = v128.load(WS, 624);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 400), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 544), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 656);
    v128.store(WK, i32x4.add(s2, i32x4(0xa81a664b, 0xa81a664b, 0xa81a664b, 0xa81a664b)), 656);
    s0 = v128.load(WS, 432); s1 = v128.load(WS, 640);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 416), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 560), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 672);
    v128.store(WK, i32x4.add(s2, i32x4(0xc24b8b70, 0xc24b8b70, 0xc24b8b70, 0xc24b8b70)), 672);
    s0 = v128.load(WS, 448); s1 = v128.load(WS, 656);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 432), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 576), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 688);
    v128.store(WK, i32x4.add(s2, i32x4(0xc76c51a3, 0xc76c51a3, 0xc76c51a3, 0xc76c51a3)), 688);
    s0 = v128.load(WS, 464); s1 = v128.load(WS, 672);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 448), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 592), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 704);
    v128.store(WK, i32x4.add(s2, i32x4(0xd192e819, 0xd192e819, 0xd192e819, 0xd192e819)), 704);
    s0 = v128.load(WS, 480); s1 = v128.load(WS, 688);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 464), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 608), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 720);
    v128.store(WK, i32x4.add(s2, i32x4(0xd6990624, 0xd6990624, 0xd6990624, 0xd6990624)), 720);
    s0 = v128.load(WS, 496); s1 = v128.load(WS, 704);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 480), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 624), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 736);
    v128.store(WK, i32x4.add(s2, i32x4(0xf40e3585, 0xf40e3585, 0xf40e3585, 0xf40e3585)), 736);
    s0 = v128.load(WS, 512); s1 = v128.load(WS, 720);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 496), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 640), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 752);
    v128.store(WK, i32x4.add(s2, i32x4(0x106aa070, 0x106aa070, 0x106aa070, 0x106aa070)), 752);
    s0 = v128.load(WS, 528); s1 = v128.load(WS, 736);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 512), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 656), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 768);
    v128.store(WK, i32x4.add(s2, i32x4(0x19a4c116, 0x19a4c116, 0x19a4c116, 0x19a4c116)), 768);
    s0 = v128.load(WS, 544); s1 = v128.load(WS, 752);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 528), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 672), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 784);
    v128.store(WK, i32x4.add(s2, i32x4(0x1e376c08, 0x1e376c08, 0x1e376c08, 0x1e376c08)), 784);
    s0 = v128.load(WS, 560); s1 = v128.load(WS, 768);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 544), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 688), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 800);
    v128.store(WK, i32x4.add(s2, i32x4(0x2748774c, 0x2748774c, 0x2748774c, 0x2748774c)), 800);
    s0 = v128.load(WS, 576); s1 = v128.load(WS, 784);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 560), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 704), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 816);
    v128.store(WK, i32x4.add(s2, i32x4(0x34b0bcb5, 0x34b0bcb5, 0x34b0bcb5, 0x34b0bcb5)), 816);
    s0 = v128.load(WS, 592); s1 = v128.load(WS, 800);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 576), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 720), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 832);
    v128.store(WK, i32x4.add(s2, i32x4(0x391c0cb3, 0x391c0cb3, 0x391c0cb3, 0x391c0cb3)), 832);
    s0 = v128.load(WS, 608); s1 = v128.load(WS, 816);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 592), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 736), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 848);
    v128.store(WK, i32x4.add(s2, i32x4(0x4ed8aa4a, 0x4ed8aa4a, 0x4ed8aa4a, 0x4ed8aa4a)), 848);
    s0 = v128.load(WS, 624); s1 = v128.load(WS, 832);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 608), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 752), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 864);
    v128.store(WK, i32x4.add(s2, i32x4(0x5b9cca4f, 0x5b9cca4f, 0x5b9cca4f, 0x5b9cca4f)), 864);
    s0 = v128.load(WS, 640); s1 = v128.load(WS, 848);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 624), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 768), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 880);
    v128.store(WK, i32x4.add(s2, i32x4(0x682e6ff3, 0x682e6ff3, 0x682e6ff3, 0x682e6ff3)), 880);
    s0 = v128.load(WS, 656); s1 = v128.load(WS, 864);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 640), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 784), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 896);
    v128.store(WK, i32x4.add(s2, i32x4(0x748f82ee, 0x748f82ee, 0x748f82ee, 0x748f82ee)), 896);
    s0 = v128.load(WS, 672); s1 = v128.load(WS, 880);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 656), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 800), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 912);
    v128.store(WK, i32x4.add(s2, i32x4(0x78a5636f, 0x78a5636f, 0x78a5636f, 0x78a5636f)), 912);
    s0 = v128.load(WS, 688); s1 = v128.load(WS, 896);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 672), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 816), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 928);
    v128.store(WK, i32x4.add(s2, i32x4(0x84c87814, 0x84c87814, 0x84c87814, 0x84c87814)), 928);
    s0 = v128.load(WS, 704); s1 = v128.load(WS, 912);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 688), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 832), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 944);
    v128.store(WK, i32x4.add(s2, i32x4(0x8cc70208, 0x8cc70208, 0x8cc70208, 0x8cc70208)), 944);
    s0 = v128.load(WS, 720); s1 = v128.load(WS, 928);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 704), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 848), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 960);
    v128.store(WK, i32x4.add(s2, i32x4(0x90befffa, 0x90befffa, 0x90befffa, 0x90befffa)), 960);
    s0 = v128.load(WS, 736); s1 = v128.load(WS, 944);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 720), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 864), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WS, s2, 976);
    v128.store(WK, i32x4.add(s2, i32x4(0xa4506ceb, 0xa4506ceb, 0xa4506ceb, 0xa4506ceb)), 976);
    s0 = v128.load(WS, 752); s1 = v128.load(WS, 960);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 736), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 880), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WK, i32x4.add(s2, i32x4(0xbef9a3f7, 0xbef9a3f7, 0xbef9a3f7, 0xbef9a3f7)), 992);
    s0 = v128.load(WS, 768); s1 = v128.load(WS, 976);
    s2 = i32x4.add(i32x4.add(v128.load(WS, 752), v128.xor(v128.xor(v128.or(i32x4.shr_u(s0, 7), i32x4.shl(s0, 25)), v128.or(i32x4.shr_u(s0, 18), i32x4.shl(s0, 14))), i32x4.shr_u(s0, 3))), i32x4.add(v128.load(WS, 896), v128.xor(v128.xor(v128.or(i32x4.shr_u(s1, 17), i32x4.shl(s1, 15)), v128.or(i32x4.shr_u(s1, 19), i32x4.shl(s1, 13))), i32x4.shr_u(s1, 10))));
    v128.store(WK, i32x4.add(s2, i32x4(0xc67178f2, 0xc67178f2, 0xc67178f2, 0xc67178f2)), 1008);
    let ab: v128, bc: v128 = v128.xor(b, c);
    t1 = i32x4.add(i32x4.add(i32x4.add(h, v128.xor(v128.xor(v128.or(i32x4.shr_u(e, 6), i32x4.shl(e, 26)), v128.or(i32x4.shr_u(e, 11), i32x4.shl(e, 21))), v128.or(i32x4.shr_u(e, 25), i32x4.shl(e, 7)))), v128.bitselect(f, g, e)), v128.load(WK, 0));
    d = i32x4.add(d, t1);
    ab = v128.xor(a, b);
    h = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(a, 2), i32x4.shl(a, 30)), v128.or(i32x4.shr_u(a, 13), i32x4.shl(a, 19))), v128.or(i32x4.shr_u(a, 22), i32x4.shl(a, 10)))), v128.xor(b, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(g, v128.xor(v128.xor(v128.or(i32x4.shr_u(d, 6), i32x4.shl(d, 26)), v128.or(i32x4.shr_u(d, 11), i32x4.shl(d, 21))), v128.or(i32x4.shr_u(d, 25), i32x4.shl(d, 7)))), v128.bitselect(e, f, d)), v128.load(WK, 16));
    c = i32x4.add(c, t1);
    ab = v128.xor(h, a);
    g = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(h, 2), i32x4.shl(h, 30)), v128.or(i32x4.shr_u(h, 13), i32x4.shl(h, 19))), v128.or(i32x4.shr_u(h, 22), i32x4.shl(h, 10)))), v128.xor(a, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(f, v128.xor(v128.xor(v128.or(i32x4.shr_u(c, 6), i32x4.shl(c, 26)), v128.or(i32x4.shr_u(c, 11), i32x4.shl(c, 21))), v128.or(i32x4.shr_u(c, 25), i32x4.shl(c, 7)))), v128.bitselect(d, e, c)), v128.load(WK, 32));
    b = i32x4.add(b, t1);
    ab = v128.xor(g, h);
    f = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(g, 2), i32x4.shl(g, 30)), v128.or(i32x4.shr_u(g, 13), i32x4.shl(g, 19))), v128.or(i32x4.shr_u(g, 22), i32x4.shl(g, 10)))), v128.xor(h, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(e, v128.xor(v128.xor(v128.or(i32x4.shr_u(b, 6), i32x4.shl(b, 26)), v128.or(i32x4.shr_u(b, 11), i32x4.shl(b, 21))), v128.or(i32x4.shr_u(b, 25), i32x4.shl(b, 7)))), v128.bitselect(c, d, b)), v128.load(WK, 48));
    a = i32x4.add(a, t1);
    ab = v128.xor(f, g);
    e = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(f, 2), i32x4.shl(f, 30)), v128.or(i32x4.shr_u(f, 13), i32x4.shl(f, 19))), v128.or(i32x4.shr_u(f, 22), i32x4.shl(f, 10)))), v128.xor(g, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(d, v128.xor(v128.xor(v128.or(i32x4.shr_u(a, 6), i32x4.shl(a, 26)), v128.or(i32x4.shr_u(a, 11), i32x4.shl(a, 21))), v128.or(i32x4.shr_u(a, 25), i32x4.shl(a, 7)))), v128.bitselect(b, c, a)), v128.load(WK, 64));
    h = i32x4.add(h, t1);
    ab = v128.xor(e, f);
    d = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(e, 2), i32x4.shl(e, 30)), v128.or(i32x4.shr_u(e, 13), i32x4.shl(e, 19))), v128.or(i32x4.shr_u(e, 22), i32x4.shl(e, 10)))), v128.xor(f, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(c, v128.xor(v128.xor(v128.or(i32x4.shr_u(h, 6), i32x4.shl(h, 26)), v128.or(i32x4.shr_u(h, 11), i32x4.shl(h, 21))), v128.or(i32x4.shr_u(h, 25), i32x4.shl(h, 7)))), v128.bitselect(a, b, h)), v128.load(WK, 80));
    g = i32x4.add(g, t1);
    ab = v128.xor(d, e);
    c = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(d, 2), i32x4.shl(d, 30)), v128.or(i32x4.shr_u(d, 13), i32x4.shl(d, 19))), v128.or(i32x4.shr_u(d, 22), i32x4.shl(d, 10)))), v128.xor(e, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(b, v128.xor(v128.xor(v128.or(i32x4.shr_u(g, 6), i32x4.shl(g, 26)), v128.or(i32x4.shr_u(g, 11), i32x4.shl(g, 21))), v128.or(i32x4.shr_u(g, 25), i32x4.shl(g, 7)))), v128.bitselect(h, a, g)), v128.load(WK, 96));
    f = i32x4.add(f, t1);
    ab = v128.xor(c, d);
    b = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(c, 2), i32x4.shl(c, 30)), v128.or(i32x4.shr_u(c, 13), i32x4.shl(c, 19))), v128.or(i32x4.shr_u(c, 22), i32x4.shl(c, 10)))), v128.xor(d, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(a, v128.xor(v128.xor(v128.or(i32x4.shr_u(f, 6), i32x4.shl(f, 26)), v128.or(i32x4.shr_u(f, 11), i32x4.shl(f, 21))), v128.or(i32x4.shr_u(f, 25), i32x4.shl(f, 7)))), v128.bitselect(g, h, f)), v128.load(WK, 112));
    e = i32x4.add(e, t1);
    ab = v128.xor(b, c);
    a = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(b, 2), i32x4.shl(b, 30)), v128.or(i32x4.shr_u(b, 13), i32x4.shl(b, 19))), v128.or(i32x4.shr_u(b, 22), i32x4.shl(b, 10)))), v128.xor(c, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(h, v128.xor(v128.xor(v128.or(i32x4.shr_u(e, 6), i32x4.shl(e, 26)), v128.or(i32x4.shr_u(e, 11), i32x4.shl(e, 21))), v128.or(i32x4.shr_u(e, 25), i32x4.shl(e, 7)))), v128.bitselect(f, g, e)), v128.load(WK, 128));
    d = i32x4.add(d, t1);
    ab = v128.xor(a, b);
    h = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(a, 2), i32x4.shl(a, 30)), v128.or(i32x4.shr_u(a, 13), i32x4.shl(a, 19))), v128.or(i32x4.shr_u(a, 22), i32x4.shl(a, 10)))), v128.xor(b, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(g, v128.xor(v128.xor(v128.or(i32x4.shr_u(d, 6), i32x4.shl(d, 26)), v128.or(i32x4.shr_u(d, 11), i32x4.shl(d, 21))), v128.or(i32x4.shr_u(d, 25), i32x4.shl(d, 7)))), v128.bitselect(e, f, d)), v128.load(WK, 144));
    c = i32x4.add(c, t1);
    ab = v128.xor(h, a);
    g = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(h, 2), i32x4.shl(h, 30)), v128.or(i32x4.shr_u(h, 13), i32x4.shl(h, 19))), v128.or(i32x4.shr_u(h, 22), i32x4.shl(h, 10)))), v128.xor(a, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(f, v128.xor(v128.xor(v128.or(i32x4.shr_u(c, 6), i32x4.shl(c, 26)), v128.or(i32x4.shr_u(c, 11), i32x4.shl(c, 21))), v128.or(i32x4.shr_u(c, 25), i32x4.shl(c, 7)))), v128.bitselect(d, e, c)), v128.load(WK, 160));
    b = i32x4.add(b, t1);
    ab = v128.xor(g, h);
    f = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(g, 2), i32x4.shl(g, 30)), v128.or(i32x4.shr_u(g, 13), i32x4.shl(g, 19))), v128.or(i32x4.shr_u(g, 22), i32x4.shl(g, 10)))), v128.xor(h, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(e, v128.xor(v128.xor(v128.or(i32x4.shr_u(b, 6), i32x4.shl(b, 26)), v128.or(i32x4.shr_u(b, 11), i32x4.shl(b, 21))), v128.or(i32x4.shr_u(b, 25), i32x4.shl(b, 7)))), v128.bitselect(c, d, b)), v128.load(WK, 176));
    a = i32x4.add(a, t1);
    ab = v128.xor(f, g);
    e = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(f, 2), i32x4.shl(f, 30)), v128.or(i32x4.shr_u(f, 13), i32x4.shl(f, 19))), v128.or(i32x4.shr_u(f, 22), i32x4.shl(f, 10)))), v128.xor(g, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(d, v128.xor(v128.xor(v128.or(i32x4.shr_u(a, 6), i32x4.shl(a, 26)), v128.or(i32x4.shr_u(a, 11), i32x4.shl(a, 21))), v128.or(i32x4.shr_u(a, 25), i32x4.shl(a, 7)))), v128.bitselect(b, c, a)), v128.load(WK, 192));
    h = i32x4.add(h, t1);
    ab = v128.xor(e, f);
    d = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(e, 2), i32x4.shl(e, 30)), v128.or(i32x4.shr_u(e, 13), i32x4.shl(e, 19))), v128.or(i32x4.shr_u(e, 22), i32x4.shl(e, 10)))), v128.xor(f, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(c, v128.xor(v128.xor(v128.or(i32x4.shr_u(h, 6), i32x4.shl(h, 26)), v128.or(i32x4.shr_u(h, 11), i32x4.shl(h, 21))), v128.or(i32x4.shr_u(h, 25), i32x4.shl(h, 7)))), v128.bitselect(a, b, h)), v128.load(WK, 208));
    g = i32x4.add(g, t1);
    ab = v128.xor(d, e);
    c = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(d, 2), i32x4.shl(d, 30)), v128.or(i32x4.shr_u(d, 13), i32x4.shl(d, 19))), v128.or(i32x4.shr_u(d, 22), i32x4.shl(d, 10)))), v128.xor(e, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(b, v128.xor(v128.xor(v128.or(i32x4.shr_u(g, 6), i32x4.shl(g, 26)), v128.or(i32x4.shr_u(g, 11), i32x4.shl(g, 21))), v128.or(i32x4.shr_u(g, 25), i32x4.shl(g, 7)))), v128.bitselect(h, a, g)), v128.load(WK, 224));
    f = i32x4.add(f, t1);
    ab = v128.xor(c, d);
    b = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(c, 2), i32x4.shl(c, 30)), v128.or(i32x4.shr_u(c, 13), i32x4.shl(c, 19))), v128.or(i32x4.shr_u(c, 22), i32x4.shl(c, 10)))), v128.xor(d, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(a, v128.xor(v128.xor(v128.or(i32x4.shr_u(f, 6), i32x4.shl(f, 26)), v128.or(i32x4.shr_u(f, 11), i32x4.shl(f, 21))), v128.or(i32x4.shr_u(f, 25), i32x4.shl(f, 7)))), v128.bitselect(g, h, f)), v128.load(WK, 240));
    e = i32x4.add(e, t1);
    ab = v128.xor(b, c);
    a = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(b, 2), i32x4.shl(b, 30)), v128.or(i32x4.shr_u(b, 13), i32x4.shl(b, 19))), v128.or(i32x4.shr_u(b, 22), i32x4.shl(b, 10)))), v128.xor(c, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(h, v128.xor(v128.xor(v128.or(i32x4.shr_u(e, 6), i32x4.shl(e, 26)), v128.or(i32x4.shr_u(e, 11), i32x4.shl(e, 21))), v128.or(i32x4.shr_u(e, 25), i32x4.shl(e, 7)))), v128.bitselect(f, g, e)), v128.load(WK, 256));
    d = i32x4.add(d, t1);
    ab = v128.xor(a, b);
    h = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(a, 2), i32x4.shl(a, 30)), v128.or(i32x4.shr_u(a, 13), i32x4.shl(a, 19))), v128.or(i32x4.shr_u(a, 22), i32x4.shl(a, 10)))), v128.xor(b, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(g, v128.xor(v128.xor(v128.or(i32x4.shr_u(d, 6), i32x4.shl(d, 26)), v128.or(i32x4.shr_u(d, 11), i32x4.shl(d, 21))), v128.or(i32x4.shr_u(d, 25), i32x4.shl(d, 7)))), v128.bitselect(e, f, d)), v128.load(WK, 272));
    c = i32x4.add(c, t1);
    ab = v128.xor(h, a);
    g = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(h, 2), i32x4.shl(h, 30)), v128.or(i32x4.shr_u(h, 13), i32x4.shl(h, 19))), v128.or(i32x4.shr_u(h, 22), i32x4.shl(h, 10)))), v128.xor(a, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(f, v128.xor(v128.xor(v128.or(i32x4.shr_u(c, 6), i32x4.shl(c, 26)), v128.or(i32x4.shr_u(c, 11), i32x4.shl(c, 21))), v128.or(i32x4.shr_u(c, 25), i32x4.shl(c, 7)))), v128.bitselect(d, e, c)), v128.load(WK, 288));
    b = i32x4.add(b, t1);
    ab = v128.xor(g, h);
    f = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(g, 2), i32x4.shl(g, 30)), v128.or(i32x4.shr_u(g, 13), i32x4.shl(g, 19))), v128.or(i32x4.shr_u(g, 22), i32x4.shl(g, 10)))), v128.xor(h, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(e, v128.xor(v128.xor(v128.or(i32x4.shr_u(b, 6), i32x4.shl(b, 26)), v128.or(i32x4.shr_u(b, 11), i32x4.shl(b, 21))), v128.or(i32x4.shr_u(b, 25), i32x4.shl(b, 7)))), v128.bitselect(c, d, b)), v128.load(WK, 304));
    a = i32x4.add(a, t1);
    ab = v128.xor(f, g);
    e = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(f, 2), i32x4.shl(f, 30)), v128.or(i32x4.shr_u(f, 13), i32x4.shl(f, 19))), v128.or(i32x4.shr_u(f, 22), i32x4.shl(f, 10)))), v128.xor(g, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(d, v128.xor(v128.xor(v128.or(i32x4.shr_u(a, 6), i32x4.shl(a, 26)), v128.or(i32x4.shr_u(a, 11), i32x4.shl(a, 21))), v128.or(i32x4.shr_u(a, 25), i32x4.shl(a, 7)))), v128.bitselect(b, c, a)), v128.load(WK, 320));
    h = i32x4.add(h, t1);
    ab = v128.xor(e, f);
    d = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(e, 2), i32x4.shl(e, 30)), v128.or(i32x4.shr_u(e, 13), i32x4.shl(e, 19))), v128.or(i32x4.shr_u(e, 22), i32x4.shl(e, 10)))), v128.xor(f, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(c, v128.xor(v128.xor(v128.or(i32x4.shr_u(h, 6), i32x4.shl(h, 26)), v128.or(i32x4.shr_u(h, 11), i32x4.shl(h, 21))), v128.or(i32x4.shr_u(h, 25), i32x4.shl(h, 7)))), v128.bitselect(a, b, h)), v128.load(WK, 336));
    g = i32x4.add(g, t1);
    ab = v128.xor(d, e);
    c = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(d, 2), i32x4.shl(d, 30)), v128.or(i32x4.shr_u(d, 13), i32x4.shl(d, 19))), v128.or(i32x4.shr_u(d, 22), i32x4.shl(d, 10)))), v128.xor(e, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(b, v128.xor(v128.xor(v128.or(i32x4.shr_u(g, 6), i32x4.shl(g, 26)), v128.or(i32x4.shr_u(g, 11), i32x4.shl(g, 21))), v128.or(i32x4.shr_u(g, 25), i32x4.shl(g, 7)))), v128.bitselect(h, a, g)), v128.load(WK, 352));
    f = i32x4.add(f, t1);
    ab = v128.xor(c, d);
    b = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(c, 2), i32x4.shl(c, 30)), v128.or(i32x4.shr_u(c, 13), i32x4.shl(c, 19))), v128.or(i32x4.shr_u(c, 22), i32x4.shl(c, 10)))), v128.xor(d, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(a, v128.xor(v128.xor(v128.or(i32x4.shr_u(f, 6), i32x4.shl(f, 26)), v128.or(i32x4.shr_u(f, 11), i32x4.shl(f, 21))), v128.or(i32x4.shr_u(f, 25), i32x4.shl(f, 7)))), v128.bitselect(g, h, f)), v128.load(WK, 368));
    e = i32x4.add(e, t1);
    ab = v128.xor(b, c);
    a = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(b, 2), i32x4.shl(b, 30)), v128.or(i32x4.shr_u(b, 13), i32x4.shl(b, 19))), v128.or(i32x4.shr_u(b, 22), i32x4.shl(b, 10)))), v128.xor(c, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(h, v128.xor(v128.xor(v128.or(i32x4.shr_u(e, 6), i32x4.shl(e, 26)), v128.or(i32x4.shr_u(e, 11), i32x4.shl(e, 21))), v128.or(i32x4.shr_u(e, 25), i32x4.shl(e, 7)))), v128.bitselect(f, g, e)), v128.load(WK, 384));
    d = i32x4.add(d, t1);
    ab = v128.xor(a, b);
    h = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(a, 2), i32x4.shl(a, 30)), v128.or(i32x4.shr_u(a, 13), i32x4.shl(a, 19))), v128.or(i32x4.shr_u(a, 22), i32x4.shl(a, 10)))), v128.xor(b, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(g, v128.xor(v128.xor(v128.or(i32x4.shr_u(d, 6), i32x4.shl(d, 26)), v128.or(i32x4.shr_u(d, 11), i32x4.shl(d, 21))), v128.or(i32x4.shr_u(d, 25), i32x4.shl(d, 7)))), v128.bitselect(e, f, d)), v128.load(WK, 400));
    c = i32x4.add(c, t1);
    ab = v128.xor(h, a);
    g = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(h, 2), i32x4.shl(h, 30)), v128.or(i32x4.shr_u(h, 13), i32x4.shl(h, 19))), v128.or(i32x4.shr_u(h, 22), i32x4.shl(h, 10)))), v128.xor(a, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(f, v128.xor(v128.xor(v128.or(i32x4.shr_u(c, 6), i32x4.shl(c, 26)), v128.or(i32x4.shr_u(c, 11), i32x4.shl(c, 21))), v128.or(i32x4.shr_u(c, 25), i32x4.shl(c, 7)))), v128.bitselect(d, e, c)), v128.load(WK, 416));
    b = i32x4.add(b, t1);
    ab = v128.xor(g, h);
    f = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(g, 2), i32x4.shl(g, 30)), v128.or(i32x4.shr_u(g, 13), i32x4.shl(g, 19))), v128.or(i32x4.shr_u(g, 22), i32x4.shl(g, 10)))), v128.xor(h, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(e, v128.xor(v128.xor(v128.or(i32x4.shr_u(b, 6), i32x4.shl(b, 26)), v128.or(i32x4.shr_u(b, 11), i32x4.shl(b, 21))), v128.or(i32x4.shr_u(b, 25), i32x4.shl(b, 7)))), v128.bitselect(c, d, b)), v128.load(WK, 432));
    a = i32x4.add(a, t1);
    ab = v128.xor(f, g);
    e = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(f, 2), i32x4.shl(f, 30)), v128.or(i32x4.shr_u(f, 13), i32x4.shl(f, 19))), v128.or(i32x4.shr_u(f, 22), i32x4.shl(f, 10)))), v128.xor(g, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(d, v128.xor(v128.xor(v128.or(i32x4.shr_u(a, 6), i32x4.shl(a, 26)), v128.or(i32x4.shr_u(a, 11), i32x4.shl(a, 21))), v128.or(i32x4.shr_u(a, 25), i32x4.shl(a, 7)))), v128.bitselect(b, c, a)), v128.load(WK, 448));
    h = i32x4.add(h, t1);
    ab = v128.xor(e, f);
    d = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(e, 2), i32x4.shl(e, 30)), v128.or(i32x4.shr_u(e, 13), i32x4.shl(e, 19))), v128.or(i32x4.shr_u(e, 22), i32x4.shl(e, 10)))), v128.xor(f, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(c, v128.xor(v128.xor(v128.or(i32x4.shr_u(h, 6), i32x4.shl(h, 26)), v128.or(i32x4.shr_u(h, 11), i32x4.shl(h, 21))), v128.or(i32x4.shr_u(h, 25), i32x4.shl(h, 7)))), v128.bitselect(a, b, h)), v128.load(WK, 464));
    g = i32x4.add(g, t1);
    ab = v128.xor(d, e);
    c = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(d, 2), i32x4.shl(d, 30)), v128.or(i32x4.shr_u(d, 13), i32x4.shl(d, 19))), v128.or(i32x4.shr_u(d, 22), i32x4.shl(d, 10)))), v128.xor(e, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(b, v128.xor(v128.xor(v128.or(i32x4.shr_u(g, 6), i32x4.shl(g, 26)), v128.or(i32x4.shr_u(g, 11), i32x4.shl(g, 21))), v128.or(i32x4.shr_u(g, 25), i32x4.shl(g, 7)))), v128.bitselect(h, a, g)), v128.load(WK, 480));
    f = i32x4.add(f, t1);
    ab = v128.xor(c, d);
    b = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(c, 2), i32x4.shl(c, 30)), v128.or(i32x4.shr_u(c, 13), i32x4.shl(c, 19))), v128.or(i32x4.shr_u(c, 22), i32x4.shl(c, 10)))), v128.xor(d, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(a, v128.xor(v128.xor(v128.or(i32x4.shr_u(f, 6), i32x4.shl(f, 26)), v128.or(i32x4.shr_u(f, 11), i32x4.shl(f, 21))), v128.or(i32x4.shr_u(f, 25), i32x4.shl(f, 7)))), v128.bitselect(g, h, f)), v128.load(WK, 496));
    e = i32x4.add(e, t1);
    ab = v128.xor(b, c);
    a = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(b, 2), i32x4.shl(b, 30)), v128.or(i32x4.shr_u(b, 13), i32x4.shl(b, 19))), v128.or(i32x4.shr_u(b, 22), i32x4.shl(b, 10)))), v128.xor(c, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(h, v128.xor(v128.xor(v128.or(i32x4.shr_u(e, 6), i32x4.shl(e, 26)), v128.or(i32x4.shr_u(e, 11), i32x4.shl(e, 21))), v128.or(i32x4.shr_u(e, 25), i32x4.shl(e, 7)))), v128.bitselect(f, g, e)), v128.load(WK, 512));
    d = i32x4.add(d, t1);
    ab = v128.xor(a, b);
    h = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(a, 2), i32x4.shl(a, 30)), v128.or(i32x4.shr_u(a, 13), i32x4.shl(a, 19))), v128.or(i32x4.shr_u(a, 22), i32x4.shl(a, 10)))), v128.xor(b, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(g, v128.xor(v128.xor(v128.or(i32x4.shr_u(d, 6), i32x4.shl(d, 26)), v128.or(i32x4.shr_u(d, 11), i32x4.shl(d, 21))), v128.or(i32x4.shr_u(d, 25), i32x4.shl(d, 7)))), v128.bitselect(e, f, d)), v128.load(WK, 528));
    c = i32x4.add(c, t1);
    ab = v128.xor(h, a);
    g = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(h, 2), i32x4.shl(h, 30)), v128.or(i32x4.shr_u(h, 13), i32x4.shl(h, 19))), v128.or(i32x4.shr_u(h, 22), i32x4.shl(h, 10)))), v128.xor(a, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(f, v128.xor(v128.xor(v128.or(i32x4.shr_u(c, 6), i32x4.shl(c, 26)), v128.or(i32x4.shr_u(c, 11), i32x4.shl(c, 21))), v128.or(i32x4.shr_u(c, 25), i32x4.shl(c, 7)))), v128.bitselect(d, e, c)), v128.load(WK, 544));
    b = i32x4.add(b, t1);
    ab = v128.xor(g, h);
    f = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(g, 2), i32x4.shl(g, 30)), v128.or(i32x4.shr_u(g, 13), i32x4.shl(g, 19))), v128.or(i32x4.shr_u(g, 22), i32x4.shl(g, 10)))), v128.xor(h, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(e, v128.xor(v128.xor(v128.or(i32x4.shr_u(b, 6), i32x4.shl(b, 26)), v128.or(i32x4.shr_u(b, 11), i32x4.shl(b, 21))), v128.or(i32x4.shr_u(b, 25), i32x4.shl(b, 7)))), v128.bitselect(c, d, b)), v128.load(WK, 560));
    a = i32x4.add(a, t1);
    ab = v128.xor(f, g);
    e = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(f, 2), i32x4.shl(f, 30)), v128.or(i32x4.shr_u(f, 13), i32x4.shl(f, 19))), v128.or(i32x4.shr_u(f, 22), i32x4.shl(f, 10)))), v128.xor(g, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(d, v128.xor(v128.xor(v128.or(i32x4.shr_u(a, 6), i32x4.shl(a, 26)), v128.or(i32x4.shr_u(a, 11), i32x4.shl(a, 21))), v128.or(i32x4.shr_u(a, 25), i32x4.shl(a, 7)))), v128.bitselect(b, c, a)), v128.load(WK, 576));
    h = i32x4.add(h, t1);
    ab = v128.xor(e, f);
    d = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(e, 2), i32x4.shl(e, 30)), v128.or(i32x4.shr_u(e, 13), i32x4.shl(e, 19))), v128.or(i32x4.shr_u(e, 22), i32x4.shl(e, 10)))), v128.xor(f, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(c, v128.xor(v128.xor(v128.or(i32x4.shr_u(h, 6), i32x4.shl(h, 26)), v128.or(i32x4.shr_u(h, 11), i32x4.shl(h, 21))), v128.or(i32x4.shr_u(h, 25), i32x4.shl(h, 7)))), v128.bitselect(a, b, h)), v128.load(WK, 592));
    g = i32x4.add(g, t1);
    ab = v128.xor(d, e);
    c = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(d, 2), i32x4.shl(d, 30)), v128.or(i32x4.shr_u(d, 13), i32x4.shl(d, 19))), v128.or(i32x4.shr_u(d, 22), i32x4.shl(d, 10)))), v128.xor(e, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(b, v128.xor(v128.xor(v128.or(i32x4.shr_u(g, 6), i32x4.shl(g, 26)), v128.or(i32x4.shr_u(g, 11), i32x4.shl(g, 21))), v128.or(i32x4.shr_u(g, 25), i32x4.shl(g, 7)))), v128.bitselect(h, a, g)), v128.load(WK, 608));
    f = i32x4.add(f, t1);
    ab = v128.xor(c, d);
    b = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(c, 2), i32x4.shl(c, 30)), v128.or(i32x4.shr_u(c, 13), i32x4.shl(c, 19))), v128.or(i32x4.shr_u(c, 22), i32x4.shl(c, 10)))), v128.xor(d, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(a, v128.xor(v128.xor(v128.or(i32x4.shr_u(f, 6), i32x4.shl(f, 26)), v128.or(i32x4.shr_u(f, 11), i32x4.shl(f, 21))), v128.or(i32x4.shr_u(f, 25), i32x4.shl(f, 7)))), v128.bitselect(g, h, f)), v128.load(WK, 624));
    e = i32x4.add(e, t1);
    ab = v128.xor(b, c);
    a = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(b, 2), i32x4.shl(b, 30)), v128.or(i32x4.shr_u(b, 13), i32x4.shl(b, 19))), v128.or(i32x4.shr_u(b, 22), i32x4.shl(b, 10)))), v128.xor(c, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(h, v128.xor(v128.xor(v128.or(i32x4.shr_u(e, 6), i32x4.shl(e, 26)), v128.or(i32x4.shr_u(e, 11), i32x4.shl(e, 21))), v128.or(i32x4.shr_u(e, 25), i32x4.shl(e, 7)))), v128.bitselect(f, g, e)), v128.load(WK, 640));
    d = i32x4.add(d, t1);
    ab = v128.xor(a, b);
    h = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(a, 2), i32x4.shl(a, 30)), v128.or(i32x4.shr_u(a, 13), i32x4.shl(a, 19))), v128.or(i32x4.shr_u(a, 22), i32x4.shl(a, 10)))), v128.xor(b, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(g, v128.xor(v128.xor(v128.or(i32x4.shr_u(d, 6), i32x4.shl(d, 26)), v128.or(i32x4.shr_u(d, 11), i32x4.shl(d, 21))), v128.or(i32x4.shr_u(d, 25), i32x4.shl(d, 7)))), v128.bitselect(e, f, d)), v128.load(WK, 656));
    c = i32x4.add(c, t1);
    ab = v128.xor(h, a);
    g = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(h, 2), i32x4.shl(h, 30)), v128.or(i32x4.shr_u(h, 13), i32x4.shl(h, 19))), v128.or(i32x4.shr_u(h, 22), i32x4.shl(h, 10)))), v128.xor(a, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(f, v128.xor(v128.xor(v128.or(i32x4.shr_u(c, 6), i32x4.shl(c, 26)), v128.or(i32x4.shr_u(c, 11), i32x4.shl(c, 21))), v128.or(i32x4.shr_u(c, 25), i32x4.shl(c, 7)))), v128.bitselect(d, e, c)), v128.load(WK, 672));
    b = i32x4.add(b, t1);
    ab = v128.xor(g, h);
    f = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(g, 2), i32x4.shl(g, 30)), v128.or(i32x4.shr_u(g, 13), i32x4.shl(g, 19))), v128.or(i32x4.shr_u(g, 22), i32x4.shl(g, 10)))), v128.xor(h, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(e, v128.xor(v128.xor(v128.or(i32x4.shr_u(b, 6), i32x4.shl(b, 26)), v128.or(i32x4.shr_u(b, 11), i32x4.shl(b, 21))), v128.or(i32x4.shr_u(b, 25), i32x4.shl(b, 7)))), v128.bitselect(c, d, b)), v128.load(WK, 688));
    a = i32x4.add(a, t1);
    ab = v128.xor(f, g);
    e = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(f, 2), i32x4.shl(f, 30)), v128.or(i32x4.shr_u(f, 13), i32x4.shl(f, 19))), v128.or(i32x4.shr_u(f, 22), i32x4.shl(f, 10)))), v128.xor(g, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(d, v128.xor(v128.xor(v128.or(i32x4.shr_u(a, 6), i32x4.shl(a, 26)), v128.or(i32x4.shr_u(a, 11), i32x4.shl(a, 21))), v128.or(i32x4.shr_u(a, 25), i32x4.shl(a, 7)))), v128.bitselect(b, c, a)), v128.load(WK, 704));
    h = i32x4.add(h, t1);
    ab = v128.xor(e, f);
    d = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(e, 2), i32x4.shl(e, 30)), v128.or(i32x4.shr_u(e, 13), i32x4.shl(e, 19))), v128.or(i32x4.shr_u(e, 22), i32x4.shl(e, 10)))), v128.xor(f, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(c, v128.xor(v128.xor(v128.or(i32x4.shr_u(h, 6), i32x4.shl(h, 26)), v128.or(i32x4.shr_u(h, 11), i32x4.shl(h, 21))), v128.or(i32x4.shr_u(h, 25), i32x4.shl(h, 7)))), v128.bitselect(a, b, h)), v128.load(WK, 720));
    g = i32x4.add(g, t1);
    ab = v128.xor(d, e);
    c = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(d, 2), i32x4.shl(d, 30)), v128.or(i32x4.shr_u(d, 13), i32x4.shl(d, 19))), v128.or(i32x4.shr_u(d, 22), i32x4.shl(d, 10)))), v128.xor(e, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(b, v128.xor(v128.xor(v128.or(i32x4.shr_u(g, 6), i32x4.shl(g, 26)), v128.or(i32x4.shr_u(g, 11), i32x4.shl(g, 21))), v128.or(i32x4.shr_u(g, 25), i32x4.shl(g, 7)))), v128.bitselect(h, a, g)), v128.load(WK, 736));
    f = i32x4.add(f, t1);
    ab = v128.xor(c, d);
    b = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(c, 2), i32x4.shl(c, 30)), v128.or(i32x4.shr_u(c, 13), i32x4.shl(c, 19))), v128.or(i32x4.shr_u(c, 22), i32x4.shl(c, 10)))), v128.xor(d, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(a, v128.xor(v128.xor(v128.or(i32x4.shr_u(f, 6), i32x4.shl(f, 26)), v128.or(i32x4.shr_u(f, 11), i32x4.shl(f, 21))), v128.or(i32x4.shr_u(f, 25), i32x4.shl(f, 7)))), v128.bitselect(g, h, f)), v128.load(WK, 752));
    e = i32x4.add(e, t1);
    ab = v128.xor(b, c);
    a = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(b, 2), i32x4.shl(b, 30)), v128.or(i32x4.shr_u(b, 13), i32x4.shl(b, 19))), v128.or(i32x4.shr_u(b, 22), i32x4.shl(b, 10)))), v128.xor(c, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(h, v128.xor(v128.xor(v128.or(i32x4.shr_u(e, 6), i32x4.shl(e, 26)), v128.or(i32x4.shr_u(e, 11), i32x4.shl(e, 21))), v128.or(i32x4.shr_u(e, 25), i32x4.shl(e, 7)))), v128.bitselect(f, g, e)), v128.load(WK, 768));
    d = i32x4.add(d, t1);
    ab = v128.xor(a, b);
    h = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(a, 2), i32x4.shl(a, 30)), v128.or(i32x4.shr_u(a, 13), i32x4.shl(a, 19))), v128.or(i32x4.shr_u(a, 22), i32x4.shl(a, 10)))), v128.xor(b, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(g, v128.xor(v128.xor(v128.or(i32x4.shr_u(d, 6), i32x4.shl(d, 26)), v128.or(i32x4.shr_u(d, 11), i32x4.shl(d, 21))), v128.or(i32x4.shr_u(d, 25), i32x4.shl(d, 7)))), v128.bitselect(e, f, d)), v128.load(WK, 784));
    c = i32x4.add(c, t1);
    ab = v128.xor(h, a);
    g = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(h, 2), i32x4.shl(h, 30)), v128.or(i32x4.shr_u(h, 13), i32x4.shl(h, 19))), v128.or(i32x4.shr_u(h, 22), i32x4.shl(h, 10)))), v128.xor(a, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(f, v128.xor(v128.xor(v128.or(i32x4.shr_u(c, 6), i32x4.shl(c, 26)), v128.or(i32x4.shr_u(c, 11), i32x4.shl(c, 21))), v128.or(i32x4.shr_u(c, 25), i32x4.shl(c, 7)))), v128.bitselect(d, e, c)), v128.load(WK, 800));
    b = i32x4.add(b, t1);
    ab = v128.xor(g, h);
    f = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(g, 2), i32x4.shl(g, 30)), v128.or(i32x4.shr_u(g, 13), i32x4.shl(g, 19))), v128.or(i32x4.shr_u(g, 22), i32x4.shl(g, 10)))), v128.xor(h, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(e, v128.xor(v128.xor(v128.or(i32x4.shr_u(b, 6), i32x4.shl(b, 26)), v128.or(i32x4.shr_u(b, 11), i32x4.shl(b, 21))), v128.or(i32x4.shr_u(b, 25), i32x4.shl(b, 7)))), v128.bitselect(c, d, b)), v128.load(WK, 816));
    a = i32x4.add(a, t1);
    ab = v128.xor(f, g);
    e = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(f, 2), i32x4.shl(f, 30)), v128.or(i32x4.shr_u(f, 13), i32x4.shl(f, 19))), v128.or(i32x4.shr_u(f, 22), i32x4.shl(f, 10)))), v128.xor(g, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(d, v128.xor(v128.xor(v128.or(i32x4.shr_u(a, 6), i32x4.shl(a, 26)), v128.or(i32x4.shr_u(a, 11), i32x4.shl(a, 21))), v128.or(i32x4.shr_u(a, 25), i32x4.shl(a, 7)))), v128.bitselect(b, c, a)), v128.load(WK, 832));
    h = i32x4.add(h, t1);
    ab = v128.xor(e, f);
    d = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(e, 2), i32x4.shl(e, 30)), v128.or(i32x4.shr_u(e, 13), i32x4.shl(e, 19))), v128.or(i32x4.shr_u(e, 22), i32x4.shl(e, 10)))), v128.xor(f, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(c, v128.xor(v128.xor(v128.or(i32x4.shr_u(h, 6), i32x4.shl(h, 26)), v128.or(i32x4.shr_u(h, 11), i32x4.shl(h, 21))), v128.or(i32x4.shr_u(h, 25), i32x4.shl(h, 7)))), v128.bitselect(a, b, h)), v128.load(WK, 848));
    g = i32x4.add(g, t1);
    ab = v128.xor(d, e);
    c = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(d, 2), i32x4.shl(d, 30)), v128.or(i32x4.shr_u(d, 13), i32x4.shl(d, 19))), v128.or(i32x4.shr_u(d, 22), i32x4.shl(d, 10)))), v128.xor(e, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(b, v128.xor(v128.xor(v128.or(i32x4.shr_u(g, 6), i32x4.shl(g, 26)), v128.or(i32x4.shr_u(g, 11), i32x4.shl(g, 21))), v128.or(i32x4.shr_u(g, 25), i32x4.shl(g, 7)))), v128.bitselect(h, a, g)), v128.load(WK, 864));
    f = i32x4.add(f, t1);
    ab = v128.xor(c, d);
    b = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(c, 2), i32x4.shl(c, 30)), v128.or(i32x4.shr_u(c, 13), i32x4.shl(c, 19))), v128.or(i32x4.shr_u(c, 22), i32x4.shl(c, 10)))), v128.xor(d, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(a, v128.xor(v128.xor(v128.or(i32x4.shr_u(f, 6), i32x4.shl(f, 26)), v128.or(i32x4.shr_u(f, 11), i32x4.shl(f, 21))), v128.or(i32x4.shr_u(f, 25), i32x4.shl(f, 7)))), v128.bitselect(g, h, f)), v128.load(WK, 880));
    e = i32x4.add(e, t1);
    ab = v128.xor(b, c);
    a = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(b, 2), i32x4.shl(b, 30)), v128.or(i32x4.shr_u(b, 13), i32x4.shl(b, 19))), v128.or(i32x4.shr_u(b, 22), i32x4.shl(b, 10)))), v128.xor(c, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(h, v128.xor(v128.xor(v128.or(i32x4.shr_u(e, 6), i32x4.shl(e, 26)), v128.or(i32x4.shr_u(e, 11), i32x4.shl(e, 21))), v128.or(i32x4.shr_u(e, 25), i32x4.shl(e, 7)))), v128.bitselect(f, g, e)), v128.load(WK, 896));
    d = i32x4.add(d, t1);
    ab = v128.xor(a, b);
    h = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(a, 2), i32x4.shl(a, 30)), v128.or(i32x4.shr_u(a, 13), i32x4.shl(a, 19))), v128.or(i32x4.shr_u(a, 22), i32x4.shl(a, 10)))), v128.xor(b, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(g, v128.xor(v128.xor(v128.or(i32x4.shr_u(d, 6), i32x4.shl(d, 26)), v128.or(i32x4.shr_u(d, 11), i32x4.shl(d, 21))), v128.or(i32x4.shr_u(d, 25), i32x4.shl(d, 7)))), v128.bitselect(e, f, d)), v128.load(WK, 912));
    c = i32x4.add(c, t1);
    ab = v128.xor(h, a);
    g = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(h, 2), i32x4.shl(h, 30)), v128.or(i32x4.shr_u(h, 13), i32x4.shl(h, 19))), v128.or(i32x4.shr_u(h, 22), i32x4.shl(h, 10)))), v128.xor(a, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(f, v128.xor(v128.xor(v128.or(i32x4.shr_u(c, 6), i32x4.shl(c, 26)), v128.or(i32x4.shr_u(c, 11), i32x4.shl(c, 21))), v128.or(i32x4.shr_u(c, 25), i32x4.shl(c, 7)))), v128.bitselect(d, e, c)), v128.load(WK, 928));
    b = i32x4.add(b, t1);
    ab = v128.xor(g, h);
    f = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(g, 2), i32x4.shl(g, 30)), v128.or(i32x4.shr_u(g, 13), i32x4.shl(g, 19))), v128.or(i32x4.shr_u(g, 22), i32x4.shl(g, 10)))), v128.xor(h, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(e, v128.xor(v128.xor(v128.or(i32x4.shr_u(b, 6), i32x4.shl(b, 26)), v128.or(i32x4.shr_u(b, 11), i32x4.shl(b, 21))), v128.or(i32x4.shr_u(b, 25), i32x4.shl(b, 7)))), v128.bitselect(c, d, b)), v128.load(WK, 944));
    a = i32x4.add(a, t1);
    ab = v128.xor(f, g);
    e = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(f, 2), i32x4.shl(f, 30)), v128.or(i32x4.shr_u(f, 13), i32x4.shl(f, 19))), v128.or(i32x4.shr_u(f, 22), i32x4.shl(f, 10)))), v128.xor(g, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(d, v128.xor(v128.xor(v128.or(i32x4.shr_u(a, 6), i32x4.shl(a, 26)), v128.or(i32x4.shr_u(a, 11), i32x4.shl(a, 21))), v128.or(i32x4.shr_u(a, 25), i32x4.shl(a, 7)))), v128.bitselect(b, c, a)), v128.load(WK, 960));
    h = i32x4.add(h, t1);
    ab = v128.xor(e, f);
    d = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(e, 2), i32x4.shl(e, 30)), v128.or(i32x4.shr_u(e, 13), i32x4.shl(e, 19))), v128.or(i32x4.shr_u(e, 22), i32x4.shl(e, 10)))), v128.xor(f, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(c, v128.xor(v128.xor(v128.or(i32x4.shr_u(h, 6), i32x4.shl(h, 26)), v128.or(i32x4.shr_u(h, 11), i32x4.shl(h, 21))), v128.or(i32x4.shr_u(h, 25), i32x4.shl(h, 7)))), v128.bitselect(a, b, h)), v128.load(WK, 976));
    g = i32x4.add(g, t1);
    ab = v128.xor(d, e);
    c = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(d, 2), i32x4.shl(d, 30)), v128.or(i32x4.shr_u(d, 13), i32x4.shl(d, 19))), v128.or(i32x4.shr_u(d, 22), i32x4.shl(d, 10)))), v128.xor(e, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(b, v128.xor(v128.xor(v128.or(i32x4.shr_u(g, 6), i32x4.shl(g, 26)), v128.or(i32x4.shr_u(g, 11), i32x4.shl(g, 21))), v128.or(i32x4.shr_u(g, 25), i32x4.shl(g, 7)))), v128.bitselect(h, a, g)), v128.load(WK, 992));
    f = i32x4.add(f, t1);
    ab = v128.xor(c, d);
    b = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(c, 2), i32x4.shl(c, 30)), v128.or(i32x4.shr_u(c, 13), i32x4.shl(c, 19))), v128.or(i32x4.shr_u(c, 22), i32x4.shl(c, 10)))), v128.xor(d, v128.and(ab, bc))); bc = ab;
    t1 = i32x4.add(i32x4.add(i32x4.add(a, v128.xor(v128.xor(v128.or(i32x4.shr_u(f, 6), i32x4.shl(f, 26)), v128.or(i32x4.shr_u(f, 11), i32x4.shl(f, 21))), v128.or(i32x4.shr_u(f, 25), i32x4.shl(f, 7)))), v128.bitselect(g, h, f)), v128.load(WK, 1008));
    e = i32x4.add(e, t1);
    ab = v128.xor(b, c);
    a = i32x4.add(i32x4.add(t1, v128.xor(v128.xor(v128.or(i32x4.shr_u(b, 2), i32x4.shl(b, 30)), v128.or(i32x4.shr_u(b, 13), i32x4.shl(b, 19))), v128.or(i32x4.shr_u(b, 22), i32x4.shl(b, 10)))), v128.xor(c, v128.and(ab, bc))); bc = ab;
    a = i32x4.add(a, v128.load(LSTATE, 0)); v128.store(LSTATE, a, 0);
    b = i32x4.add(b, v128.load(LSTATE, 16)); v128.store(LSTATE, b, 16);
    c = i32x4.add(c, v128.load(LSTATE, 32)); v128.store(LSTATE, c, 32);
    d = i32x4.add(d, v128.load(LSTATE, 48)); v128.store(LSTATE, d, 48);
    e = i32x4.add(e, v128.load(LSTATE, 64)); v128.store(LSTATE, e, 64);
    f = i32x4.add(f, v128.load(LSTATE, 80)); v128.store(LSTATE, f, 80);
    g = i32x4.add(g, v128.load(LSTATE, 96)); v128.store(LSTATE, g, 96);
    h = i32x4.add(h, v128.load(LSTATE, 112)); v128.store(LSTATE, h, 112);
    p0 += 64; p1 += 64; p2 += 64; p3 += 64;
    n--;
  }
}
