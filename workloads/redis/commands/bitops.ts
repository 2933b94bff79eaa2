// Bit commands on strings (Redis bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP. Bit 0 is the
// most significant bit of the first byte; a string grows zero-padded to reach a bit that is set.

import type { Call, CommandSpec } from './common.js';
import { ERR, REPLY, intArg, isWord, keyArg, spec, typed } from './common.js';
import { forceRaw } from './encoding.js';
import { stringValue } from './string-value.js';
import { parseLongLong } from '../text.js';

const EMPTY = new Uint8Array(0);

/** getBitOffsetFromArgument: 0 <= offset < 2^32 (512MB of bits). */
function bitOffset(c: Call, i: number): number | null {
  const v = parseLongLong(c.argv[i]!);
  if (v === null || v < 0n || v >> 3n >= 512n * 1024n * 1024n) {
    c.out.error('ERR bit offset is not an integer or out of range');
    return null;
  }
  return Number(v);
}

/** A string key's bytes, EMPTY when absent, null after a WRONGTYPE reply. */
function bytesOf(c: Call, key: string): Uint8Array | null {
  const v = typed(c, key, 'string');
  if (v === null) return null;
  return v === undefined ? EMPTY : c.ks.readBytes(v.addr, v.len);
}

function setbit(c: Call): void {
  const offset = bitOffset(c, 2);
  if (offset === null) return;
  const on = intArg(c, 3, { message: 'ERR bit is not an integer or out of range' });
  if (on === null) return;
  if (on !== 0 && on !== 1) return c.out.error('ERR bit is not an integer or out of range');
  const key = keyArg(c, 1);
  const old = bytesOf(c, key);
  if (old === null) return;
  const byte = offset >> 3;
  const bytes = new Uint8Array(Math.max(old.length, byte + 1));
  bytes.set(old);
  const mask = 1 << (7 - (offset & 7));
  const was = (bytes[byte]! & mask) !== 0;
  bytes[byte] = on === 1 ? bytes[byte]! | mask : bytes[byte]! & ~mask;
  c.db.set(key, forceRaw(stringValue(c, bytes)), { keepTtl: true });
  c.out.raw(was ? REPLY.one : REPLY.zero);
}

function getbit(c: Call): void {
  const offset = bitOffset(c, 2);
  if (offset === null) return;
  const bytes = bytesOf(c, keyArg(c, 1));
  if (bytes === null) return;
  const byte = offset >> 3;
  const set = byte < bytes.length && (bytes[byte]! & (1 << (7 - (offset & 7)))) !== 0;
  c.out.raw(set ? REPLY.one : REPLY.zero);
}

/** The start/end byte range as bitcount and bitpos clamp it. */
function clamp(start: number, end: number, len: number): [number, number] {
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  return [start, end];
}

function popcount(b: number): number {
  b = b - ((b >> 1) & 0x55);
  b = (b & 0x33) + ((b >> 2) & 0x33);
  return (b + (b >> 4)) & 0x0f;
}

function bitcount(c: Call): void {
  const key = keyArg(c, 1);
  if (c.db.get(key) === undefined) return c.out.raw(REPLY.zero); // lookupKeyReadOrReply: before the range is read
  const bytes = bytesOf(c, key);
  if (bytes === null) return;
  let start = 0;
  let end = bytes.length - 1;
  if (c.argv.length === 4) {
    const s = intArg(c, 2);
    if (s === null) return;
    const e = intArg(c, 3);
    if (e === null) return;
    if (s < 0 && e < 0 && s > e) return c.out.raw(REPLY.zero);
    [start, end] = clamp(s, e, bytes.length);
  } else if (c.argv.length !== 2) {
    return c.out.error(ERR.syntax);
  }
  let n = 0;
  for (let i = start; i <= end; i++) n += popcount(bytes[i]!);
  c.out.integer(n);
}

function bitpos(c: Call): void {
  const bit = intArg(c, 2);
  if (bit === null) return;
  if (bit !== 0 && bit !== 1) return c.out.error('ERR The bit argument must be 1 or 0.');
  const key = keyArg(c, 1);
  if (c.db.get(key) === undefined) return c.out.integer(bit === 1 ? -1 : 0);
  const bytes = bytesOf(c, key);
  if (bytes === null) return;
  let start = 0;
  let end = bytes.length - 1;
  let endGiven = false;
  if (c.argv.length === 4 || c.argv.length === 5) {
    const s = intArg(c, 3);
    if (s === null) return;
    let e = bytes.length - 1;
    if (c.argv.length === 5) {
      const given = intArg(c, 4);
      if (given === null) return;
      e = given;
      endGiven = true;
    }
    [start, end] = clamp(s, e, bytes.length);
  } else if (c.argv.length !== 3) {
    return c.out.error(ERR.syntax);
  }
  if (start > end) return c.out.integer(-1);
  // redisBitpos: the first bit equal to `bit`; looking for a clear bit in all ones gives the bit after the range.
  for (let i = start; i <= end; i++) {
    const b = bit === 1 ? bytes[i]! : ~bytes[i]! & 0xff;
    if (b === 0) continue;
    return c.out.integer(i * 8 + Math.clz32(b) - 24);
  }
  if (bit === 1 || endGiven) return c.out.integer(-1);
  c.out.integer((end + 1) * 8);
}

function bitop(c: Call): void {
  const op = ['and', 'or', 'xor', 'not'].find((w) => isWord(c.argv[1], w));
  if (op === undefined) return c.out.error(ERR.syntax);
  if (op === 'not' && c.argv.length !== 4) return c.out.error('ERR BITOP NOT must be called with a single source key.');
  const sources: Uint8Array[] = [];
  let maxlen = 0;
  for (let j = 3; j < c.argv.length; j++) {
    const b = bytesOf(c, keyArg(c, j));
    if (b === null) return;
    sources.push(b);
    maxlen = Math.max(maxlen, b.length);
  }
  const target = keyArg(c, 2);
  if (maxlen === 0) {
    c.db.delete(target);
    return c.out.raw(REPLY.zero);
  }
  const res = new Uint8Array(maxlen);
  for (let i = 0; i < maxlen; i++) {
    const first = sources[0]!;
    let out = i < first.length ? first[i]! : 0;
    if (op === 'not') out = ~out & 0xff;
    for (let k = 1; k < sources.length; k++) {
      const s = sources[k]!;
      const byte = i < s.length ? s[i]! : 0;
      if (op === 'and') out &= byte;
      else if (op === 'or') out |= byte;
      else out ^= byte;
    }
    res[i] = out;
  }
  c.db.set(target, forceRaw(stringValue(c, res)));
  c.out.integer(maxlen);
}

export const bitCommands: readonly CommandSpec[] = [
  spec('setbit', setbit, { arity: 4, flags: 'wm', keys: [1, 1, 1] }),
  spec('getbit', getbit, { arity: 3, flags: 'rF', keys: [1, 1, 1] }),
  spec('bitcount', bitcount, { arity: -2, flags: 'r', keys: [1, 1, 1] }),
  spec('bitpos', bitpos, { arity: -3, flags: 'r', keys: [1, 1, 1] }),
  spec('bitop', bitop, { arity: -4, flags: 'wm', keys: [2, -1, 1] }),
];
