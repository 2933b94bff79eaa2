// Hash commands (t_hash.c: HSET HMSET HGET HMGET HGETALL HKEYS HVALS HDEL HLEN HEXISTS HINCRBY).
// Hash values are byte strings in the value store.

import type { Call, CommandSpec } from './common.js';
import { ERR, REPLY, bulkAt, keyArg, longLongArg, spec, typed } from './common.js';
import type { Handle } from '../keyspace.js';
import { fitsLongLong, parseLongLong } from '../text.js';

function hashFor(c: Call, key: string): Map<string, Handle> | null {
  const v = typed(c, key, 'hash');
  if (v === null) return null;
  if (v !== undefined) return v.hash;
  const hash = new Map<string, Handle>();
  c.db.set(key, { type: 'hash', hash });
  return hash;
}

function putField(c: Call, hash: Map<string, Handle>, field: string, bytes: Uint8Array): boolean {
  const old = hash.get(field);
  if (old !== undefined) c.ks.freeBytes(old.addr, old.len);
  hash.set(field, { addr: c.ks.putBytes(bytes), len: bytes.length });
  return old === undefined;
}

/** hsetCommand serves both; Redis 5 names HMSET in the parity error either way. */
function hset(c: Call): void {
  if (c.argv.length % 2 === 1) return c.out.error('ERR wrong number of arguments for HMSET');
  const hash = hashFor(c, keyArg(c, 1));
  if (hash === null) return;
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
];
