// String commands (Redis t_string.c): SET and its options, GET, the INCR family, INCRBYFLOAT,
// APPEND, STRLEN, GETRANGE/SUBSTR, SETRANGE, MSET/MSETNX/MGET, SETNX, SETEX, PSETEX, GETSET.
// Bytes live in the value store; the bit commands are in bitops.ts.

import type { Call, CommandSpec } from './common.js';
import { ERR, REPLY, bulkAt, intArg, isWord, keyArg, longLongArg, spec, typed } from './common.js';
import { forceEmbstr, forceRaw } from './encoding.js';
import { MAX_STRING, stringValue } from './string-value.js';
import { addLongDouble, formatLongDouble, parseLongDouble } from '../long-double.js';
import { asciiBytes, fitsLongLong, parseInteger, parseLongLong } from '../text.js';

const EMPTY = new Uint8Array(0);

/** getGenericCommand: reply the value (or null); false after a WRONGTYPE reply. */
function replyGet(c: Call, key: string): boolean {
  const v = typed(c, key, 'string');
  if (v === null) return false;
  if (v === undefined) c.out.raw(REPLY.nullBulk);
  else bulkAt(c, v.addr, v.len);
  return true;
}

const NX = 1;
const XX = 2;
const EX = 4;
const PX = 8;
const KEEPTTL = 16;
const GET = 32;

interface SetArgs {
  key: number;
  value: number;
  /** argv index of the TTL, or -1. */
  expire: number;
  /** Replies for done and aborted (NX/XX), instead of +OK and the null bulk. */
  replies?: [Uint8Array, Uint8Array];
}

/** setGenericCommand. */
function setGeneric(c: Call, flags: number, at: SetArgs): void {
  let when = -1;
  if (at.expire >= 0) {
    const n = longLongArg(c, at.expire);
    if (n === null) return;
    const ms = flags & EX ? n * 1000n : n;
    const abs = ms + BigInt(c.ks.now());
    if (n <= 0n || !fitsLongLong(ms) || !fitsLongLong(abs)) {
      c.out.error(`ERR invalid expire time in ${c.cmd.name}`);
      return;
    }
    when = Number(abs);
  }
  const key = keyArg(c, at.key);
  if (flags & GET && !replyGet(c, key)) return;
  // Only NX and XX need to know; set() looks the key up (and expires it) anyway.
  const found = flags & (NX | XX) ? c.db.lookup(key) !== undefined : false;
  if ((flags & NX && found) || (flags & XX && !found)) {
    if (!(flags & GET)) c.out.raw(at.replies?.[1] ?? REPLY.nullBulk);
    return;
  }
  c.db.set(key, stringValue(c, c.argv[at.value]!), { keepTtl: (flags & KEEPTTL) !== 0 });
  if (when >= 0) c.db.setExpire(key, when);
  if (!(flags & GET)) c.out.raw(at.replies?.[0] ?? REPLY.ok);
}

function set(c: Call): void {
  let flags = 0;
  let expire = -1;
  const argv = c.argv;
  for (let j = 3; j < argv.length; j++) {
    const a = argv[j];
    const hasNext = j < argv.length - 1;
    if (isWord(a, 'nx') && !(flags & (XX | GET))) flags |= NX;
    else if (isWord(a, 'xx') && !(flags & NX)) flags |= XX;
    else if (isWord(a, 'get') && !(flags & NX)) flags |= GET;
    else if (isWord(a, 'keepttl') && !(flags & (EX | PX))) flags |= KEEPTTL;
    else if (isWord(a, 'ex') && !(flags & (KEEPTTL | PX)) && hasNext) {
      flags |= EX;
      expire = ++j;
    } else if (isWord(a, 'px') && !(flags & (KEEPTTL | EX)) && hasNext) {
      flags |= PX;
      expire = ++j;
    } else {
      c.out.error(ERR.syntax);
      return;
    }
  }
  setGeneric(c, flags, { key: 1, value: 2, expire });
}

const get = (c: Call): void => void replyGet(c, keyArg(c, 1));
const setnx = (c: Call): void => setGeneric(c, NX, { key: 1, value: 2, expire: -1, replies: [REPLY.one, REPLY.zero] });
const setex = (c: Call): void => setGeneric(c, EX, { key: 1, value: 3, expire: 2 });
const psetex = (c: Call): void => setGeneric(c, PX, { key: 1, value: 3, expire: 2 });

function getset(c: Call): void {
  const key = keyArg(c, 1);
  if (!replyGet(c, key)) return;
  c.db.set(key, stringValue(c, c.argv[2]!));
}

/** incrDecrCommand: keeps the TTL (dbOverwrite), refuses overflow. */
function incrDecr(c: Call, by: bigint | number): void {
  const key = keyArg(c, 1);
  const v = typed(c, key, 'string');
  if (v === null) return;
  let next: bigint | number;
  const bytes = v === undefined ? null : c.ks.readBytes(v.addr, v.len);
  const small = bytes === null ? 0 : parseInteger(bytes);
  if (small === null) return c.out.error(ERR.notInteger);
  if (typeof by === 'number' && Number.isSafeInteger(small) && Number.isSafeInteger(small + by)) {
    next = small + by;
  } else {
    const old = bytes === null ? 0n : parseLongLong(bytes);
    if (old === null) return c.out.error(ERR.notInteger);
    const sum = old + BigInt(by);
    if (!fitsLongLong(sum)) return c.out.error(ERR.overflow);
    next = sum;
  }
  const text = String(next);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  c.db.set(key, stringValue(c, out), { keepTtl: true });
  c.out.integer(next);
}

const incr = (c: Call): void => incrDecr(c, 1);
const decr = (c: Call): void => incrDecr(c, -1);

const increment = (by: bigint): bigint | number => (Number.isSafeInteger(Number(by)) ? Number(by) : by);

function incrby(c: Call): void {
  const by = longLongArg(c, 2);
  if (by !== null) incrDecr(c, increment(by));
}

function decrby(c: Call): void {
  const by = longLongArg(c, 2);
  // Redis 5 negates without a check: -LLONG_MIN wraps to itself in C.
  if (by !== null) incrDecr(c, increment(BigInt.asIntN(64, -by)));
}

function append(c: Call): void {
  const key = keyArg(c, 1);
  const v = typed(c, key, 'string');
  if (v === null) return;
  const tail = c.argv[2]!;
  if (v === undefined) {
    c.db.set(key, stringValue(c, tail));
    c.out.integer(tail.length);
    return;
  }
  const total = v.len + tail.length;
  if (total > MAX_STRING) return c.out.error(ERR.tooBig);
  const joined = new Uint8Array(total);
  joined.set(c.ks.readBytes(v.addr, v.len));
  joined.set(tail, v.len);
  c.db.set(key, forceRaw(stringValue(c, joined)), { keepTtl: true });
  c.out.integer(total);
}

/** incrbyfloatCommand: long double arithmetic, ld2string's human-friendly form, the TTL kept (dbOverwrite). */
function incrbyfloat(c: Call): void {
  const key = keyArg(c, 1);
  const v = typed(c, key, 'string');
  if (v === null) return;
  const value = v === undefined ? { neg: false, m: 0n, e: 0 } : parseLongDouble(c.ks.readBytes(v.addr, v.len));
  const incr = value === null ? null : parseLongDouble(c.argv[2]!);
  if (value === null || incr === null) return c.out.error(ERR.notFloat);
  const sum = addLongDouble(value, incr);
  if (sum.inf === true) return c.out.error('ERR increment would produce NaN or Infinity');
  const text = asciiBytes(formatLongDouble(sum));
  c.db.set(key, forceEmbstr(stringValue(c, text), text.length), { keepTtl: true });
  c.out.bulk(text);
}

/** getrangeCommand (SUBSTR is the same row under its old name). */
function getrange(c: Call): void {
  const start0 = longLongArg(c, 2);
  if (start0 === null) return;
  const end0 = longLongArg(c, 3);
  if (end0 === null) return;
  const v = typed(c, keyArg(c, 1), 'string');
  if (v === null) return;
  if (v === undefined) return c.out.bulk(EMPTY);
  const len = BigInt(v.len);
  let start = start0;
  let end = end0;
  if (start < 0n && end < 0n && start > end) return c.out.bulk(EMPTY);
  if (start < 0n) start += len;
  if (end < 0n) end += len;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= len) end = len - 1n;
  if (start > end || len === 0n) return c.out.bulk(EMPTY);
  const bytes = c.ks.readBytes(v.addr, v.len);
  c.out.bulk(bytes.subarray(Number(start), Number(end) + 1));
}

/** setrangeCommand: zero-pads up to the offset; an empty value only reports the length. */
function setrange(c: Call): void {
  const offset = intArg(c, 2);
  if (offset === null) return;
  if (offset < 0) return c.out.error('ERR offset is out of range');
  const key = keyArg(c, 1);
  const value = c.argv[3]!;
  const v = typed(c, key, 'string');
  if (v === null) return;
  if (value.length === 0) return c.out.integer(v?.len ?? 0);
  if (offset + value.length > MAX_STRING) return c.out.error(ERR.tooBig);
  const oldLen = v?.len ?? 0;
  const joined = new Uint8Array(Math.max(oldLen, offset + value.length));
  if (v !== undefined) joined.set(c.ks.readBytes(v.addr, v.len));
  joined.set(value, offset);
  c.db.set(key, forceRaw(stringValue(c, joined)), { keepTtl: true });
  c.out.integer(joined.length);
}

function msetnx(c: Call): void {
  if (c.argv.length % 2 === 0) return c.out.error('ERR wrong number of arguments for MSET');
  for (let j = 1; j < c.argv.length; j += 2) if (c.db.lookup(keyArg(c, j)) !== undefined) return c.out.raw(REPLY.zero);
  for (let j = 1; j < c.argv.length; j += 2) c.db.set(keyArg(c, j), stringValue(c, c.argv[j + 1]!));
  c.out.raw(REPLY.one);
}

function strlen(c: Call): void {
  const v = typed(c, keyArg(c, 1), 'string');
  if (v !== null) c.out.integer(v?.len ?? 0);
}

function mset(c: Call): void {
  if (c.argv.length % 2 === 0) return c.out.error('ERR wrong number of arguments for MSET');
  for (let j = 1; j < c.argv.length; j += 2) c.db.set(keyArg(c, j), stringValue(c, c.argv[j + 1]!));
  c.out.raw(REPLY.ok);
}

function mget(c: Call): void {
  c.out.arrayHeader(c.argv.length - 1);
  for (let j = 1; j < c.argv.length; j++) {
    const v = c.db.get(keyArg(c, j));
    if (v === undefined || v.type !== 'string') c.out.raw(REPLY.nullBulk);
    else bulkAt(c, v.addr, v.len);
  }
}

export const stringCommands: readonly CommandSpec[] = [
  spec('get', get, { arity: 2, flags: 'rF', keys: [1, 1, 1] }),
  spec('set', set, { arity: -3, flags: 'wm', keys: [1, 1, 1] }),
  spec('setnx', setnx, { arity: 3, flags: 'wmF', keys: [1, 1, 1] }),
  spec('setex', setex, { arity: 4, flags: 'wm', keys: [1, 1, 1] }),
  spec('psetex', psetex, { arity: 4, flags: 'wm', keys: [1, 1, 1] }),
  spec('append', append, { arity: 3, flags: 'wm', keys: [1, 1, 1] }),
  spec('strlen', strlen, { arity: 2, flags: 'rF', keys: [1, 1, 1] }),
  spec('incr', incr, { arity: 2, flags: 'wmF', keys: [1, 1, 1] }),
  spec('decr', decr, { arity: 2, flags: 'wmF', keys: [1, 1, 1] }),
  spec('incrby', incrby, { arity: 3, flags: 'wmF', keys: [1, 1, 1] }),
  spec('decrby', decrby, { arity: 3, flags: 'wmF', keys: [1, 1, 1] }),
  spec('getset', getset, { arity: 3, flags: 'wm', keys: [1, 1, 1] }),
  spec('mset', mset, { arity: -3, flags: 'wm', keys: [1, -1, 2] }),
  spec('mget', mget, { arity: -2, flags: 'rF', keys: [1, -1, 1] }),
  spec('msetnx', msetnx, { arity: -3, flags: 'wm', keys: [1, -1, 2] }),
  spec('incrbyfloat', incrbyfloat, { arity: 3, flags: 'wmF', keys: [1, 1, 1] }),
  spec('getrange', getrange, { arity: 4, flags: 'r', keys: [1, 1, 1] }),
  spec('substr', getrange, { arity: 4, flags: 'r', keys: [1, 1, 1] }),
  spec('setrange', setrange, { arity: 4, flags: 'wm', keys: [1, 1, 1] }),
];
