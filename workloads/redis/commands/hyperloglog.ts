// HyperLogLog commands (Redis hyperloglog.c): PFADD, PFCOUNT, PFMERGE over HLL strings in the value
// store. PFCOUNT of one key caches the cardinality in the header, as Redis does (a GET shows it).
// Keys are written dense (Redis starts them sparse), so GET/STRLEN of a small HLL differ from Redis's.

import type { Call, CommandSpec } from './common.js';
import { REPLY, keyArg, spec } from './common.js';
import { forceRaw } from './encoding.js';
import { stringValue } from './string-value.js';
import { HLL_DENSE, HLL_HDR_SIZE, HLL_REGISTERS, countRegisters, createDense, denseGet, denseSet, hllPatLen, isHll, mergeInto } from '../hll.js';

const INVALID_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
const CORRUPTED = 'INVALIDOBJ Corrupted HLL object detected';

/** isHLLObjectOrReply: the key's bytes if it holds an HLL, undefined when absent, null after an error reply. */
function hllAt(c: Call, key: string): Uint8Array | undefined | null {
  const v = c.db.get(key);
  if (v === undefined) return undefined;
  if (v.type !== 'string') {
    c.out.error('WRONGTYPE Operation against a key holding the wrong kind of value');
    return null;
  }
  const bytes = c.ks.readBytes(v.addr, v.len);
  if (!isHll(bytes)) {
    c.out.error(INVALID_HLL);
    return null;
  }
  return bytes;
}

/** A dense copy of an HLL (sparse ones are expanded, as hllSparseToDense does before it grows). */
function toDense(bytes: Uint8Array): Uint8Array | null {
  if (bytes[4] === HLL_DENSE) return bytes.slice();
  const max = new Uint8Array(HLL_REGISTERS);
  if (!mergeInto(max, bytes)) return null;
  const out = createDense(max);
  out.set(bytes.subarray(8, HLL_HDR_SIZE), 8); // the cached cardinality carries over
  return out;
}

const store = (c: Call, key: string, bytes: Uint8Array): void => c.db.set(key, forceRaw(stringValue(c, bytes)), { keepTtl: true });

function pfadd(c: Call): void {
  const key = keyArg(c, 1);
  const old = hllAt(c, key);
  if (old === null) return;
  const hll = old === undefined ? createDense() : toDense(old);
  if (hll === null) return c.out.error(CORRUPTED);
  let updated = old === undefined;
  const regs = hll.subarray(HLL_HDR_SIZE);
  for (let j = 2; j < c.argv.length; j++) {
    const { index, count } = hllPatLen(c.argv[j]!);
    if (count > denseGet(regs, index)) {
      denseSet(regs, index, count);
      updated = true;
    }
  }
  if (updated) {
    hll[15] = hll[15]! | 0x80; // HLL_INVALIDATE_CACHE
    store(c, key, hll);
  }
  c.out.raw(updated ? REPLY.one : REPLY.zero);
}

function pfcount(c: Call): void {
  if (c.argv.length > 2) {
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < c.argv.length; j++) {
      const hll = hllAt(c, keyArg(c, j));
      if (hll === null) return;
      if (hll !== undefined && !mergeInto(max, hll)) return c.out.error(CORRUPTED);
    }
    return c.out.integer(countRegisters(max));
  }
  const key = keyArg(c, 1);
  const hll = hllAt(c, key);
  if (hll === null) return;
  if (hll === undefined) return c.out.raw(REPLY.zero);
  if ((hll[15]! & 0x80) === 0) {
    let card = 0n;
    for (let i = 7; i >= 0; i--) card = (card << 8n) | BigInt(hll[8 + i]!);
    return c.out.integer(card);
  }
  const max = new Uint8Array(HLL_REGISTERS);
  if (!mergeInto(max, hll)) return c.out.error(CORRUPTED);
  const card = countRegisters(max);
  const cached = hll.slice();
  let rest = BigInt(card);
  for (let i = 0; i < 8; i++, rest >>= 8n) cached[8 + i] = Number(rest & 0xffn);
  store(c, key, cached);
  c.out.integer(card);
}

function pfmerge(c: Call): void {
  const max = new Uint8Array(HLL_REGISTERS);
  let header: Uint8Array | null = null;
  for (let j = 1; j < c.argv.length; j++) {
    const hll = hllAt(c, keyArg(c, j));
    if (hll === null) return;
    if (hll !== undefined && !mergeInto(max, hll)) return c.out.error(CORRUPTED);
    if (j === 1 && hll !== undefined) header = hll.subarray(8, HLL_HDR_SIZE);
  }
  // The target's own registers took part above (it is argv[1]); the result is dense, its stale cache invalid.
  const key = keyArg(c, 1);
  const out = createDense(max);
  if (header !== null) out.set(header, 8);
  out[15] = out[15]! | 0x80;
  store(c, key, out);
  c.out.raw(REPLY.ok);
}

export const hyperloglogCommands: readonly CommandSpec[] = [
  spec('pfadd', pfadd, { arity: -2, flags: 'wmF', keys: [1, 1, 1] }),
  spec('pfcount', pfcount, { arity: -2, flags: 'r', keys: [1, -1, 1] }),
  spec('pfmerge', pfmerge, { arity: -2, flags: 'wm', keys: [1, -1, 1] }),
];
