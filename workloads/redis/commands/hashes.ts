// Hash commands (t_hash.c: HSET HMSET HSETNX HGET HMGET HGETALL HKEYS HVALS HDEL HLEN HEXISTS HSTRLEN
// HINCRBY HINCRBYFLOAT HSCAN). Hash values are byte strings in the value store; whether Redis would
// still hold the hash as a ziplist is remembered for OBJECT ENCODING and HSCAN.

import type { Call, CommandSpec } from './common.js';
import { ERR, REPLY, bulkAt, keyArg, longLongArg, spec, typed } from './common.js';
import { HASH_MAX_ZIPLIST_ENTRIES, HASH_MAX_ZIPLIST_VALUE, isHashtable, markHashtable } from './encoding.js';
import { EMPTY_SCAN, scanCursorArg, scanOptionsArg } from './scan.js';
import type { Handle } from '../keyspace.js';
import { addLongDouble, formatLongDouble, parseLongDouble } from '../long-double.js';
import { asciiBytes, fitsLongLong, parseLongLong, stringMatch } from '../text.js';

function hashFor(c: Call, key: string): Map<string, Handle> | null {
  const v = typed(c, key, 'hash');
  if (v === null) return null;
  if (v !== undefined) return v.hash;
  const hash = new Map<string, Handle>();
  c.db.set(key, { type: 'hash', hash });
  return hash;
}

/** hashTypeTryConversion: an argument longer than hash-max-ziplist-value makes it a hash table. */
function tryConversion(c: Call, hash: Map<string, Handle>, first: number, last: number): void {
  for (let j = first; j <= last; j++) if (c.argv[j]!.length > HASH_MAX_ZIPLIST_VALUE) markHashtable(hash);
}

/** hashTypeSet: true when the field is new; past hash-max-ziplist-entries the hash becomes a hash table. */
function putField(c: Call, hash: Map<string, Handle>, field: string, bytes: Uint8Array): boolean {
  const old = hash.get(field);
  if (old !== undefined) c.ks.freeBytes(old.addr, old.len);
  hash.set(field, { addr: c.ks.putBytes(bytes), len: bytes.length });
  if (hash.size > HASH_MAX_ZIPLIST_ENTRIES) markHashtable(hash);
  return old === undefined;
}

/** hsetCommand serves both; Redis 5 names HMSET in the parity error either way. */
function hset(c: Call): void {
  if (c.argv.length % 2 === 1) return c.out.error('ERR wrong number of arguments for HMSET');
  const hash = hashFor(c, keyArg(c, 1));
  if (hash === null) return;
  tryConversion(c, hash, 2, c.argv.length - 1);
  let created = 0;
  for (let j = 2; j < c.argv.length; j += 2) if (putField(c, hash, keyArg(c, j), c.argv[j + 1]!)) created++;
  if (c.cmd.name === 'hset') c.out.integer(created);
  else c.out.raw(REPLY.ok);
}

function hget(c: Call): void {
  const v = typed(c, keyArg(c, 1), 'hash');
  if (v === null) return;
  const h = v?.hash.get(keyArg(c, 2));
  if (h === undefined) c.out.raw(REPLY.nullBulk);
  else bulkAt(c, h.addr, h.len);
}

function hmget(c: Call): void {
  const v = typed(c, keyArg(c, 1), 'hash');
  if (v === null) return;
  c.out.arrayHeader(c.argv.length - 2);
  for (let j = 2; j < c.argv.length; j++) {
    const h = v?.hash.get(keyArg(c, j));
    if (h === undefined) c.out.raw(REPLY.nullBulk);
    else bulkAt(c, h.addr, h.len);
  }
}

function hgetall(c: Call, fields: boolean, values: boolean): void {
  const v = typed(c, keyArg(c, 1), 'hash');
  if (v === null) return;
  if (v === undefined) return c.out.raw(REPLY.emptyArray);
  c.out.arrayHeader(v.hash.size * (fields && values ? 2 : 1));
  for (const [field, h] of v.hash) {
    if (fields) c.out.bulkString(field);
    if (values) bulkAt(c, h.addr, h.len);
  }
}

function hdel(c: Call): void {
  const key = keyArg(c, 1);
  const v = typed(c, key, 'hash');
  if (v === null) return;
  if (v === undefined) return c.out.raw(REPLY.zero);
  let deleted = 0;
  for (let j = 2; j < c.argv.length; j++) {
    const field = keyArg(c, j);
    const h = v.hash.get(field);
    if (h === undefined) continue;
    v.hash.delete(field);
    c.ks.freeBytes(h.addr, h.len);
    deleted++;
  }
  if (v.hash.size === 0) c.db.delete(key);
  c.out.integer(deleted);
}

function hlen(c: Call): void {
  const v = typed(c, keyArg(c, 1), 'hash');
  if (v !== null) c.out.integer(v?.hash.size ?? 0);
}

function hexists(c: Call): void {
  const v = typed(c, keyArg(c, 1), 'hash');
  if (v !== null) c.out.raw(v?.hash.has(keyArg(c, 2)) ? REPLY.one : REPLY.zero);
}

function hincrby(c: Call): void {
  const by = longLongArg(c, 3);
  if (by === null) return;
  const hash = hashFor(c, keyArg(c, 1));
  if (hash === null) return;
  const field = keyArg(c, 2);
  const h = hash.get(field);
  let old = 0n;
  if (h !== undefined) {
    const parsed = parseLongLong(c.ks.readBytes(h.addr, h.len));
    if (parsed === null) return c.out.error(ERR.hashNotInteger);
    old = parsed;
  }
  const next = old + by;
  if (!fitsLongLong(next)) return c.out.error(ERR.overflow);
  putField(c, hash, field, new TextEncoder().encode(next.toString()));
  c.out.integer(next);
}

function hsetnx(c: Call): void {
  const hash = hashFor(c, keyArg(c, 1));
  if (hash === null) return;
  tryConversion(c, hash, 2, 3);
  const field = keyArg(c, 2);
  if (hash.has(field)) return c.out.raw(REPLY.zero);
  putField(c, hash, field, c.argv[3]!);
  c.out.raw(REPLY.one);
}

function hstrlen(c: Call): void {
  const v = typed(c, keyArg(c, 1), 'hash');
  if (v !== null) c.out.integer(v?.hash.get(keyArg(c, 2))?.len ?? 0);
}

/** hincrbyfloatCommand: long double arithmetic and ld2string's human-friendly form, as INCRBYFLOAT. */
function hincrbyfloat(c: Call): void {
  const incr = parseLongDouble(c.argv[3]!);
  if (incr === null) return c.out.error(ERR.notFloat);
  const hash = hashFor(c, keyArg(c, 1));
  if (hash === null) return;
  const field = keyArg(c, 2);
  const h = hash.get(field);
  const value = h === undefined ? { neg: false, m: 0n, e: 0 } : parseLongDouble(c.ks.readBytes(h.addr, h.len));
  if (value === null) return c.out.error('ERR hash value is not a float');
  const sum = addLongDouble(value, incr);
  if (sum.inf === true) return c.out.error('ERR increment would produce NaN or Infinity');
  const text = asciiBytes(formatLongDouble(sum));
  putField(c, hash, field, text);
  c.out.bulk(text);
}

/**
 * hscanCommand over scanGenericCommand: a ziplist hash comes back whole with cursor 0 (as in Redis);
 * a hash table is walked in insertion order, the cursor being how many fields were passed.
 */
function hscan(c: Call): void {
  const cursor = scanCursorArg(c, 2);
  if (cursor === null) return;
  const v = typed(c, keyArg(c, 1), 'hash');
  if (v === null) return;
  if (v === undefined) return c.out.raw(EMPTY_SCAN); // before the options are read, as Redis does
  const opts = scanOptionsArg(c, 3);
  if (opts === null) return;
  const { count, match: pattern } = opts;
  const entries = [...v.hash];
  let from = 0;
  let to = entries.length;
  let next = 0;
  if (isHashtable(v.hash)) {
    from = Number(cursor < BigInt(entries.length) ? cursor : entries.length);
    to = Math.min(from + count, entries.length);
    next = to >= entries.length ? 0 : to;
  }
  const picked = entries.slice(from, to).filter(([field]) => pattern === null || stringMatch(pattern, field));
  c.out.arrayHeader(2);
  c.out.bulkString(String(next));
  c.out.arrayHeader(picked.length * 2);
  for (const [field, h] of picked) {
    c.out.bulkString(field);
    bulkAt(c, h.addr, h.len);
  }
}

const K: [number, number, number] = [1, 1, 1];
export const hashCommands: readonly CommandSpec[] = [
  spec('hset', hset, { arity: -4, flags: 'wmF', keys: K }),
  spec('hmset', hset, { arity: -4, flags: 'wmF', keys: K }),
  spec('hget', hget, { arity: 3, flags: 'rF', keys: K }),
  spec('hmget', hmget, { arity: -3, flags: 'rF', keys: K }),
  spec('hgetall', (c) => hgetall(c, true, true), { arity: 2, flags: 'rR', keys: K }),
  spec('hkeys', (c) => hgetall(c, true, false), { arity: 2, flags: 'rS', keys: K }),
  spec('hvals', (c) => hgetall(c, false, true), { arity: 2, flags: 'rS', keys: K }),
  spec('hdel', hdel, { arity: -3, flags: 'wF', keys: K }),
  spec('hlen', hlen, { arity: 2, flags: 'rF', keys: K }),
  spec('hexists', hexists, { arity: 3, flags: 'rF', keys: K }),
  spec('hincrby', hincrby, { arity: 4, flags: 'wmF', keys: K }),
  spec('hsetnx', hsetnx, { arity: 4, flags: 'wmF', keys: K }),
  spec('hstrlen', hstrlen, { arity: 3, flags: 'rF', keys: K }),
  spec('hincrbyfloat', hincrbyfloat, { arity: 4, flags: 'wmF', keys: K }),
  spec('hscan', hscan, { arity: -3, flags: 'rR', keys: K }),
];
