// HyperLogLog commands (Redis hyperloglog.c): PFADD, PFCOUNT, PFMERGE over HLL strings in the value
// store, sparse while small and dense past that, byte for byte as Redis 5 writes them. PFCOUNT of one key
// caches the cardinality in the header, as Redis does (a GET shows it).

import type { Call, CommandSpec } from './common.js';
import { REPLY, keyArg, spec } from './common.js';
import { forceRaw } from './encoding.js';
import { stringValue } from './string-value.js';
import { HLL_DENSE, HLL_REGISTERS, countRegisters, hllPatLen, isHll, mergeInto } from '../hll.js';
import { bytesOf, createSparse, hllSet, toDense, workOn } from '../hll-sparse.js';

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

const store = (c: Call, key: string, bytes: Uint8Array): void => c.db.set(key, forceRaw(stringValue(c, bytes)), { keepTtl: true });

function pfadd(c: Call): void {
  const key = keyArg(c, 1);
  const old = hllAt(c, key);
  if (old === null) return;
  const w = workOn(old ?? createSparse());
  let updated = old === undefined;
  for (let j = 2; j < c.argv.length; j++) {
    const { index, count } = hllPatLen(c.argv[j]!);
    const r = hllSet(w, index, count);
    if (r < 0) return c.out.error(CORRUPTED);
    if (r === 1) updated = true;
  }
  if (updated) {
    const bytes = bytesOf(w);
    bytes[15] = bytes[15]! | 0x80; // HLL_INVALIDATE_CACHE
    store(c, key, bytes);
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

/** pfmergeCommand: the union's registers go into the target, which turns dense if any input is dense. */
function pfmerge(c: Call): void {
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  for (let j = 1; j < c.argv.length; j++) {
    const hll = hllAt(c, keyArg(c, j));
    if (hll === null) return;
    if (hll === undefined) continue;
    if (hll[4] === HLL_DENSE) useDense = true;
    if (!mergeInto(max, hll)) return c.out.error(CORRUPTED);
  }
  const key = keyArg(c, 1);
  const target = c.db.get(key);
  const w = workOn(target?.type === 'string' ? c.ks.readBytes(target.addr, target.len) : createSparse());
  if (useDense && !toDense(w)) return c.out.error(CORRUPTED);
  for (let j = 0; j < HLL_REGISTERS; j++) if (max[j] !== 0) hllSet(w, j, max[j]!);
  const bytes = bytesOf(w);
  bytes[15] = bytes[15]! | 0x80;
  store(c, key, bytes);
  c.out.raw(REPLY.ok);
}

export const hyperloglogCommands: readonly CommandSpec[] = [
  spec('pfadd', pfadd, { arity: -2, flags: 'wmF', keys: [1, 1, 1] }),
  spec('pfcount', pfcount, { arity: -2, flags: 'r', keys: [1, -1, 1] }),
  spec('pfmerge', pfmerge, { arity: -2, flags: 'wm', keys: [1, -1, 1] }),
];
