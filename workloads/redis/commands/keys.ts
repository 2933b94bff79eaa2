// Keyspace commands (Redis db.c, expire.c, object.c): DEL, UNLINK, EXISTS, the EXPIRE family, TTL,
// PTTL, PERSIST, TYPE, KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSHDB, FLUSHALL, SELECT, RENAME, RENAMENX,
// TOUCH, OBJECT. MOVE and SWAPDB are in databases.ts, SORT in sort.ts, DUMP/RESTORE in dump.ts.

import type { Call, CommandSpec } from './common.js';
import { ERR, REPLY, intArg, isWord, keyArg, longLongArg, spec, subcommandError, textArg } from './common.js';
import { objectEncoding } from './encoding.js';
import { latin1Bytes, stringMatch } from '../text.js';

function del(c: Call): void {
  let n = 0;
  for (let j = 1; j < c.argv.length; j++) if (c.db.lookup(keyArg(c, j)) !== undefined && c.db.delete(keyArg(c, j))) n++;
  c.out.integer(n);
}

function exists(c: Call): void {
  let n = 0;
  for (let j = 1; j < c.argv.length; j++) if (c.db.lookup(keyArg(c, j)) !== undefined) n++;
  c.out.integer(n);
}

/** expireGenericCommand: `base` is now for EXPIRE/PEXPIRE, 0 for the *AT forms. */
function expire(c: Call, options: { seconds: boolean; relative: boolean }): void {
  const n = longLongArg(c, 2);
  if (n === null) return;
  const now = c.ks.now();
  const when = Number((options.seconds ? n * 1000n : n) + (options.relative ? BigInt(now) : 0n));
  const key = keyArg(c, 1);
  if (c.db.lookup(key) === undefined) return c.out.raw(REPLY.zero);
  if (when <= now) c.db.delete(key);
  else c.db.setExpire(key, when);
  c.out.raw(REPLY.one);
}

function ttl(c: Call, ms: boolean): void {
  const e = c.db.lookup(keyArg(c, 1));
  if (e === undefined) return c.out.integer(-2);
  if (e.expireAt < 0) return c.out.integer(-1);
  const left = Math.max(0, e.expireAt - c.ks.now());
  c.out.integer(ms ? left : Math.floor((left + 500) / 1000));
}

function persist(c: Call): void {
  c.out.raw(c.db.persist(keyArg(c, 1)) ? REPLY.one : REPLY.zero);
}

function type(c: Call): void {
  c.out.simple(c.db.get(keyArg(c, 1))?.type ?? 'none');
}

function keys(c: Call): void {
  const found = c.db.keys(textArg(c, 1));
  c.out.arrayHeader(found.length);
  for (const k of found) c.out.bulkString(k);
}

/** parseScanCursorOrReply: strtoul over the whole argument. */
function parseCursor(s: string): number | null {
  if (!/^[+-]?[0-9]+$/.test(s)) return null;
  const v = BigInt(s);
  if (v > (1n << 64n) - 1n || v < -((1n << 64n) - 1n)) return null;
  return v < 0n ? Number.MAX_SAFE_INTEGER : Number(v); // strtoul wraps negatives to huge cursors
}

function scan(c: Call): void {
  const cursor = parseCursor(textArg(c, 1));
  if (cursor === null) return c.out.error('ERR invalid cursor');
  let count = 10;
  let pattern: string | null = null;
  let typeName: string | null = null;
  for (let i = 2; i < c.argv.length; ) {
    const more = c.argv.length - i;
    if (isWord(c.argv[i], 'count') && more >= 2) {
      const n = intArg(c, i + 1);
      if (n === null) return;
      if (n < 1) return c.out.error(ERR.syntax);
      count = n;
    } else if (isWord(c.argv[i], 'match') && more >= 2) {
      const p = textArg(c, i + 1);
      pattern = p === '*' ? null : p;
    } else if (isWord(c.argv[i], 'type') && more >= 2) {
      typeName = textArg(c, i + 1).toLowerCase();
    } else {
      return c.out.error(ERR.syntax);
    }
    i += 2;
  }
  const filter =
    pattern === null && typeName === null
      ? undefined
      : (key: string, value: { type: string }): boolean =>
          (typeName === null || value.type === typeName) && (pattern === null || stringMatch(pattern, key));
  const r = c.db.scan(cursor, filter === undefined ? { count } : { count, filter });
  c.out.arrayHeader(2);
  c.out.bulkString(String(r.cursor));
  c.out.arrayHeader(r.keys.length);
  for (const k of r.keys) c.out.bulkString(k);
}

function randomkey(c: Call): void {
  const k = c.db.randomKey();
  if (k === null) c.out.raw(REPLY.nullBulk);
  else c.out.bulk(latin1Bytes(k));
}

function dbsize(c: Call): void {
  c.out.integer(c.db.dbsize());
}

/** getFlushCommandFlags: an optional ASYNC, nothing else. */
function flush(c: Call, all: boolean): void {
  if (c.argv.length > 2 || (c.argv.length === 2 && !isWord(c.argv[1], 'async'))) return c.out.error(ERR.syntax);
  if (all) c.ks.flushAll();
  else c.db.flush();
  c.out.raw(REPLY.ok);
}

function select(c: Call): void {
  const id = intArg(c, 1, { message: 'ERR invalid DB index' });
  if (id === null) return;
  if (id < 0 || id >= c.ks.dbs.length) return c.out.error('ERR DB index is out of range');
  c.session.db = id;
  c.out.raw(REPLY.ok);
}

/** renameGenericCommand: the value and its TTL move; an existing destination is replaced (RENAME) or kept (RENAMENX). */
function rename(c: Call, nx: boolean): void {
  const from = keyArg(c, 1);
  const to = keyArg(c, 2);
  if (c.db.lookup(from) === undefined) return c.out.error('ERR no such key');
  if (from === to) return c.out.raw(nx ? REPLY.zero : REPLY.ok);
  if (c.db.lookup(to) !== undefined) {
    if (nx) return c.out.raw(REPLY.zero);
    c.db.delete(to);
  }
  const e = c.db.take(from)!;
  c.db.add(to, e.value, e.expireAt);
  c.out.raw(nx ? REPLY.one : REPLY.ok);
}

function touch(c: Call): void {
  let n = 0;
  for (let j = 1; j < c.argv.length; j++) if (c.db.lookup(keyArg(c, j)) !== undefined) n++;
  c.out.integer(n);
}

/** OBJECT_SHARED_REFCOUNT: SET stores 0..9999 as Redis's shared integer objects (no maxmemory policy). */
const SHARED_REFCOUNT = 2147483647;

const OBJECT_HELP = [
  'OBJECT <subcommand> arg arg ... arg. Subcommands are:',
  'ENCODING <key> -- Return the kind of internal representation used in order to store the value associated with a key.',
  'FREQ <key> -- Return the access frequency index of the key. The returned integer is proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key> -- Return the idle time of the key, that is the approximated number of seconds elapsed since the last access to the key.',
  'REFCOUNT <key> -- Return the number of references of the value associated with the specified key.',
];

/** objectCommand: lookups do not touch the key (LOOKUP_NOTOUCH); a missing key is a null bulk. */
function object(c: Call): void {
  if (c.argv.length === 2 && isWord(c.argv[1], 'help')) {
    c.out.arrayHeader(OBJECT_HELP.length);
    for (const line of OBJECT_HELP) c.out.simple(line);
    return;
  }
  const sub = ['refcount', 'encoding', 'idletime', 'freq'].find((w) => isWord(c.argv[1], w));
  if (sub === undefined || c.argv.length !== 3) return subcommandError(c);
  const e = c.db.peek(keyArg(c, 2));
  if (e === undefined) return c.out.raw(REPLY.nullBulk);
  const v = e.value;
  if (sub === 'encoding') return c.out.bulkString(objectEncoding(v, (a, l) => c.ks.readBytes(a, l)));
  if (sub === 'idletime') return c.out.integer(Math.floor(Math.max(0, c.ks.now() - e.accessedAt) / 1000));
  if (sub === 'freq') {
    return c.out.error(
      'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
  }
  let shared = false;
  if (v.type === 'string' && v.len <= 4 && objectEncoding(v, (a, l) => c.ks.readBytes(a, l)) === 'int') {
    const n = Number(textOf(c.ks.readBytes(v.addr, v.len)));
    shared = n >= 0 && n < 10000;
  }
  c.out.integer(shared ? SHARED_REFCOUNT : 1);
}

const textOf = (b: Uint8Array): string => String.fromCharCode(...b);

const K: [number, number, number] = [1, 1, 1];
const ALL: [number, number, number] = [1, -1, 1];
export const keyCommands: readonly CommandSpec[] = [
  spec('del', del, { arity: -2, flags: 'w', keys: ALL }),
  spec('unlink', del, { arity: -2, flags: 'wF', keys: ALL }),
  spec('exists', exists, { arity: -2, flags: 'rF', keys: ALL }),
  spec('expire', (c) => expire(c, { seconds: true, relative: true }), { arity: 3, flags: 'wF', keys: K }),
  spec('pexpire', (c) => expire(c, { seconds: false, relative: true }), { arity: 3, flags: 'wF', keys: K }),
  spec('expireat', (c) => expire(c, { seconds: true, relative: false }), { arity: 3, flags: 'wF', keys: K }),
  spec('pexpireat', (c) => expire(c, { seconds: false, relative: false }), { arity: 3, flags: 'wF', keys: K }),
  spec('ttl', (c) => ttl(c, false), { arity: 2, flags: 'rFR', keys: K }),
  spec('pttl', (c) => ttl(c, true), { arity: 2, flags: 'rFR', keys: K }),
  spec('persist', persist, { arity: 2, flags: 'wF', keys: K }),
  spec('type', type, { arity: 2, flags: 'rF', keys: K }),
  spec('keys', keys, { arity: 2, flags: 'rS' }),
  spec('scan', scan, { arity: -2, flags: 'rR' }),
  spec('randomkey', randomkey, { arity: 1, flags: 'rR' }),
  spec('dbsize', dbsize, { arity: 1, flags: 'rF' }),
  spec('flushdb', (c) => flush(c, false), { arity: -1, flags: 'w' }),
  spec('flushall', (c) => flush(c, true), { arity: -1, flags: 'w' }),
  spec('select', select, { arity: 2, flags: 'lF' }),
  spec('rename', (c) => rename(c, false), { arity: 3, flags: 'w', keys: [1, 2, 1] }),
  spec('renamenx', (c) => rename(c, true), { arity: 3, flags: 'wF', keys: [1, 2, 1] }),
  spec('touch', touch, { arity: -2, flags: 'rF', keys: ALL }),
  spec('object', object, { arity: -2, flags: 'rR', keys: [2, 2, 1] }),
];
