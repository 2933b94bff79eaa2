// Redis's HyperLogLog (hyperloglog.c): 16384 6-bit registers indexed by MurmurHash64A of the element,
// stored in a string with Redis's 16-byte "HYLL" header, and counted with Ertl's estimator as Redis 5 does.
// The sparse encoding's updates are in hll-sparse.ts.

const HLL_P = 14;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_Q = 64 - HLL_P;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + ((HLL_REGISTERS * 6 + 7) >> 3);
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const HLL_ALPHA_INF = 0.721347520444481703680; // 0.5 / ln(2)

const M64 = (1n << 64n) - 1n;
const MURMUR_M = 0xc6a4a7935bd1e995n;

/** MurmurHash64A as Redis compiles it on a little-endian machine. */
export function murmurHash64A(key: Uint8Array, seed: bigint): bigint {
  const len = key.length;
  let h = (seed ^ ((BigInt(len) * MURMUR_M) & M64)) & M64;
  const blocks = len - (len & 7);
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  for (let i = 0; i < blocks; i += 8) {
    let k = view.getBigUint64(i, true);
    k = (k * MURMUR_M) & M64;
    k ^= k >> 47n;
    k = (k * MURMUR_M) & M64;
    h ^= k;
    h = (h * MURMUR_M) & M64;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let i = rest - 1; i >= 0; i--) h ^= BigInt(key[blocks + i]!) << BigInt(8 * i);
    h = (h * MURMUR_M) & M64;
  }
  h ^= h >> 47n;
  h = (h * MURMUR_M) & M64;
  h ^= h >> 47n;
  return h;
}

/** hllPatLen: the register an element goes to and the length of its "000...1" run (1..Q+1). */
export function hllPatLen(ele: Uint8Array): { index: number; count: number } {
  let hash = murmurHash64A(ele, 0xadc83b19n);
  const index = Number(hash & BigInt(HLL_REGISTERS - 1));
  hash >>= BigInt(HLL_P);
  hash |= 1n << BigInt(HLL_Q);
  let count = 1;
  while ((hash & 1n) === 0n) {
    count++;
    hash >>= 1n;
  }
  return { index, count };
}

export function denseGet(regs: Uint8Array, i: number): number {
  const byte = (i * 6) >> 3;
  const fb = (i * 6) & 7;
  const b0 = regs[byte]!;
  const b1 = regs[byte + 1] ?? 0;
  return ((b0 >> fb) | (b1 << (8 - fb))) & 63;
}

export function denseSet(regs: Uint8Array, i: number, val: number): void {
  const byte = (i * 6) >> 3;
  const fb = (i * 6) & 7;
  regs[byte] = (regs[byte]! & ~(63 << fb)) | ((val << fb) & 0xff);
  if (byte + 1 < regs.length) regs[byte + 1] = (regs[byte + 1]! & ~(63 >> (8 - fb))) | (val >> (8 - fb));
}

/** A new dense HLL string: magic, encoding, unused bytes, a cached cardinality of 0 that is valid. */
export function createDense(registers?: Uint8Array): Uint8Array {
  const out = new Uint8Array(HLL_DENSE_SIZE);
  out.set([0x48, 0x59, 0x4c, 0x4c, HLL_DENSE]);
  if (registers !== undefined) {
    const regs = out.subarray(HLL_HDR_SIZE);
    for (let i = 0; i < HLL_REGISTERS; i++) if (registers[i] !== 0) denseSet(regs, i, registers[i]!);
  }
  return out;
}

/** isHLLObjectOrReply's checks of the bytes. */
export function isHll(b: Uint8Array): boolean {
  if (b.length < HLL_HDR_SIZE) return false;
  if (b[0] !== 0x48 || b[1] !== 0x59 || b[2] !== 0x4c || b[3] !== 0x4c) return false;
  if (b[4]! > HLL_SPARSE) return false;
  return b[4] !== HLL_DENSE || b.length === HLL_DENSE_SIZE;
}

/** hllMerge: raise `max` to the HLL's registers; false for a sparse encoding that does not add up. */
export function mergeInto(max: Uint8Array, hll: Uint8Array): boolean {
  if (hll[4] === HLL_DENSE) {
    const regs = hll.subarray(HLL_HDR_SIZE);
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(regs, i);
      if (v > max[i]!) max[i] = v;
    }
    return true;
  }
  let i = 0;
  for (let p = HLL_HDR_SIZE; p < hll.length; ) {
    const op = hll[p]!;
    if ((op & 0xc0) === 0) {
      i += (op & 0x3f) + 1; // ZERO
      p++;
    } else if ((op & 0xc0) === 0x40) {
      i += (((op & 0x3f) << 8) | (hll[p + 1] ?? 0)) + 1; // XZERO
      p += 2;
    } else {
      const val = ((op >> 2) & 0x1f) + 1; // VAL
      const run = (op & 3) + 1;
      if (i + run > HLL_REGISTERS) return false;
      for (let k = 0; k < run; k++, i++) if (val > max[i]!) max[i] = val;
      p++;
    }
  }
  return i === HLL_REGISTERS;
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
  } while (zPrime !== z);
  return z / 3;
}

/** hllCount over raw registers (one byte each): Ertl's improved estimator, llroundl'ed. */
export function countRegisters(registers: Uint8Array): number {
  const m = HLL_REGISTERS;
  const histo = new Array<number>(64).fill(0);
  for (let i = 0; i < m; i++) histo[registers[i]!]!++;
  let z = m * tau((m - histo[HLL_Q + 1]!) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histo[j]!;
    z *= 0.5;
  }
  z += m * sigma(histo[0]! / m);
  return Math.round((HLL_ALPHA_INF * m * m) / z);
}
