// Redis's sparse HyperLogLog encoding (hyperloglog.c): runs of ZERO (00xxxxxx), XZERO (01xxxxxx yyyyyyyy)
// and VAL (1vvvvvxx) opcodes after the header, updated in place by hllSparseSet and promoted to dense past
// 3000 bytes or a run length over 32, so that PFADD/PFMERGE write the same bytes as Redis 5.

import { HLL_DENSE, HLL_DENSE_SIZE, HLL_HDR_SIZE, HLL_REGISTERS, HLL_SPARSE, denseGet, denseSet } from './hll.js';

/** hll-sparse-max-bytes, Redis's default. */
const HLL_SPARSE_MAX_BYTES = 3000;
const VAL_MAX_VALUE = 32;
const VAL_MAX_LEN = 4;
const ZERO_MAX_LEN = 64;

const isZero = (op: number): boolean => (op & 0xc0) === 0;
const isXzero = (op: number): boolean => (op & 0xc0) === 0x40;
const isVal = (op: number): boolean => (op & 0x80) !== 0;
const valValue = (op: number): number => ((op >> 2) & 0x1f) + 1;
const valLen = (op: number): number => (op & 3) + 1;
const valOp = (val: number, len: number): number => (((val - 1) << 2) | (len - 1)) | 0x80;

/** An HLL being updated by one command: sparse as a growable byte list, or dense. */
export interface HllWork {
  sparse: number[] | null;
  dense: Uint8Array | null;
}

/** createHLLObject: the header and XZERO runs covering every register (one opcode of 16384). */
export function createSparse(): Uint8Array {
  const out = new Uint8Array(HLL_HDR_SIZE + 2);
  out.set([0x48, 0x59, 0x4c, 0x4c, HLL_SPARSE]);
  const l = HLL_REGISTERS - 1;
  out[HLL_HDR_SIZE] = (l >> 8) | 0x40;
  out[HLL_HDR_SIZE + 1] = l & 0xff;
  return out;
}

export const workOn = (bytes: Uint8Array): HllWork =>
  bytes[4] === HLL_DENSE ? { sparse: null, dense: bytes.slice() } : { sparse: Array.from(bytes), dense: null };

export const bytesOf = (w: HllWork): Uint8Array => w.dense ?? Uint8Array.from(w.sparse!);

/** hllSparseToDense: the header (with its cached cardinality) kept; false when the runs do not cover 16384 registers. */
export function toDense(w: HllWork): boolean {
  if (w.dense !== null) return true;
  const s = w.sparse!;
  const dense = new Uint8Array(HLL_DENSE_SIZE);
  dense.set(s.slice(0, HLL_HDR_SIZE));
  dense[4] = HLL_DENSE;
  const regs = dense.subarray(HLL_HDR_SIZE);
  let idx = 0;
  for (let p = HLL_HDR_SIZE; p < s.length; ) {
    const op = s[p]!;
    if (isZero(op)) {
      idx += (op & 0x3f) + 1;
      p++;
    } else if (isXzero(op)) {
      idx += (((op & 0x3f) << 8) | (s[p + 1] ?? 0)) + 1;
      p += 2;
    } else {
      const run = valLen(op);
      if (idx + run > HLL_REGISTERS) break;
      for (let k = 0; k < run; k++) denseSet(regs, idx++, valValue(op));
      p++;
    }
  }
  if (idx !== HLL_REGISTERS) return false;
  w.dense = dense;
  w.sparse = null;
  return true;
}

/** hllDenseSet / hllSparseSet: 1 if the register grew, 0 if not, -1 for a corrupt sparse HLL. */
export function hllSet(w: HllWork, index: number, count: number): number {
  if (w.dense !== null) {
    const regs = w.dense.subarray(HLL_HDR_SIZE);
    if (count <= denseGet(regs, index)) return 0;
    denseSet(regs, index, count);
    return 1;
  }
  return sparseSet(w, index, count);
}

function promote(w: HllWork, index: number, count: number): number {
  if (!toDense(w)) return -1;
  return hllSet(w, index, count);
}

function sparseSet(w: HllWork, index: number, count: number): number {
  if (count > VAL_MAX_VALUE) return promote(w, index, count);
  const s = w.sparse!;
  // Find the opcode covering the register.
  let p = HLL_HDR_SIZE;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < s.length) {
    const op = s[p]!;
    let oplen = 1;
    if (isZero(op)) span = (op & 0x3f) + 1;
    else if (isVal(op)) span = valLen(op);
    else {
      span = (((op & 0x3f) << 8) | (s[p + 1] ?? 0)) + 1;
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= s.length) return -1;
  const op = s[p]!;
  const zero = isZero(op);
  const xzero = isXzero(op);
  const runlen = zero ? (op & 0x3f) + 1 : xzero ? span : valLen(op);
  let done = false;
  if (!zero && !xzero) {
    if (valValue(op) >= count) return 0;
    if (runlen === 1) {
      s[p] = valOp(count, 1);
      done = true;
    }
  }
  if (!done && zero && runlen === 1) {
    s[p] = valOp(count, 1);
    done = true;
  }
  if (!done) {
    // Split the run into up to three opcodes: before, the new value, after.
    const seq: number[] = [];
    const last = first + span - 1;
    const zeros = (len: number): void => {
      if (len > ZERO_MAX_LEN) seq.push(((len - 1) >> 8) | 0x40, (len - 1) & 0xff);
      else seq.push(len - 1);
    };
    if (zero || xzero) {
      if (index !== first) zeros(index - first);
      seq.push(valOp(count, 1));
      if (index !== last) zeros(last - index);
    } else {
      const cur = valValue(op);
      if (index !== first) seq.push(valOp(cur, index - first));
      seq.push(valOp(count, 1));
      if (index !== last) seq.push(valOp(cur, last - index));
    }
    const oldlen = xzero ? 2 : 1;
    if (seq.length - oldlen > 0 && s.length + seq.length - oldlen > HLL_SPARSE_MAX_BYTES) return promote(w, index, count);
    s.splice(p, oldlen, ...seq);
  }
  // Merge adjacent VAL opcodes of one value, looking at up to 5 opcodes from the previous one.
  p = prev >= 0 ? prev : HLL_HDR_SIZE;
  let scanlen = 5;
  while (p < s.length && scanlen-- > 0) {
    const o = s[p]!;
    if (isXzero(o)) {
      p += 2;
      continue;
    } else if (isZero(o)) {
      p++;
      continue;
    }
    if (p + 1 < s.length && isVal(s[p + 1]!)) {
      const v1 = valValue(o);
      const v2 = valValue(s[p + 1]!);
      if (v1 === v2) {
        const len = valLen(o) + valLen(s[p + 1]!);
        if (len <= VAL_MAX_LEN) {
          s[p + 1] = valOp(v1, len);
          s.splice(p, 1);
          continue;
        }
      }
    }
    p++;
  }
  s[15] = s[15]! | 0x80; // HLL_INVALIDATE_CACHE
  return 1;
}
