// DUMP and RESTORE (Redis cluster.c): a value serialized in RDB form with version and CRC-64 footer
// (rdb-value.ts). The payload is Redis-5-loadable but not byte-identical to Redis's (no LZF, no ziplists),
// and RESTORE reads the forms this image writes plus LZF strings; streams are not serialized.

import type { Call, CommandSpec } from './common.js';
import { ERR, REPLY, isWord, keyArg, longLongArg, spec } from './common.js';
import { HASH_MAX_ZIPLIST_ENTRIES, HASH_MAX_ZIPLIST_VALUE, markHashtable } from './encoding.js';
import type { Handle, RedisValue } from '../keyspace.js';
import { HandleDeque } from '../structs/deque.js';
import { MemberSet } from '../structs/member-set.js';
import { SortedSet } from '../structs/sorted-set.js';
import { RDB_TYPE, RdbFormatError, RdbReader, RdbWriter, verifyDumpPayload } from '../rdb-value.js';
import { latin1, latin1Bytes } from '../text.js';

function serialize(c: Call, v: RedisValue): Uint8Array | null {
  const w = new RdbWriter();
  const read = (addr: number, len: number): Uint8Array => c.ks.readBytes(addr, len);
  switch (v.type) {
    case 'string':
      w.byte(RDB_TYPE.string);
      w.string(read(v.addr, v.len));
      break;
    case 'list':
      w.byte(RDB_TYPE.list);
      w.length(v.list.length);
      for (let i = 0; i < v.list.length; i++) w.string(read(v.list.addrAt(i), v.list.lenAt(i)));
      break;
    case 'set':
      w.byte(RDB_TYPE.set);
      w.length(v.set.size);
      for (const m of v.set) w.string(read(m.addr, m.len));
      break;
    case 'hash':
      w.byte(RDB_TYPE.hash);
      w.length(v.hash.size);
      for (const [field, h] of v.hash) {
        w.string(latin1Bytes(field));
        w.string(read(h.addr, h.len));
      }
      break;
    case 'zset':
      // rdbSaveObject walks the skiplist from the tail so that loading inserts at the head.
      w.byte(RDB_TYPE.zset2);
      w.length(v.zset.size);
      for (const n of [...v.zset].reverse()) {
        w.string(read(n.addr, n.len));
        w.double(n.score);
      }
      break;
    case 'stream':
      return null;
  }
  return w.dumpPayload();
}

function dump(c: Call): void {
  const v = c.db.get(keyArg(c, 1));
  if (v === undefined) return c.out.raw(REPLY.nullBulk);
  const payload = serialize(c, v);
  if (payload === null) return c.out.error('ERR DUMP of a stream is not supported by this image');
  c.out.bulk(payload);
}

/** rdbLoadObject for the types serialize() writes; every byte string goes to the value store. */
function deserialize(c: Call, payload: Uint8Array): RedisValue {
  const allocated: Handle[] = [];
  const put = (b: Uint8Array): Handle => {
    const h = { addr: c.ks.putBytes(b), len: b.length };
    allocated.push(h);
    return h;
  };
  try {
    return load(c, new RdbReader(payload), put);
  } catch (err) {
    for (const h of allocated) c.ks.freeBytes(h.addr, h.len); // a bad payload leaves nothing behind
    throw err;
  }
}

function load(c: Call, r: RdbReader, put: (b: Uint8Array) => Handle): RedisValue {
  const type = r.byte();
  let value: RedisValue;
  if (type === RDB_TYPE.string) {
    const b = r.string();
    value = { type: 'string', ...put(b) };
  } else if (type === RDB_TYPE.list) {
    const list = new HandleDeque();
    for (let n = r.length(); n > 0; n--) {
      const h = put(r.string());
      list.pushBack(h.addr, h.len);
    }
    value = { type: 'list', list };
  } else if (type === RDB_TYPE.set) {
    const set = new MemberSet();
    for (let n = r.length(); n > 0; n--) {
      const b = r.string();
      const member = latin1(b);
      if (set.has(member)) throw new RdbFormatError('duplicate set member');
      set.add({ member, ...put(b) });
    }
    value = { type: 'set', set };
  } else if (type === RDB_TYPE.hash) {
    const hash = new Map<string, Handle>();
    const n = r.length();
    if (n > HASH_MAX_ZIPLIST_ENTRIES) markHashtable(hash);
    for (let k = n; k > 0; k--) {
      const field = r.string();
      const val = r.string();
      if (field.length > HASH_MAX_ZIPLIST_VALUE || val.length > HASH_MAX_ZIPLIST_VALUE) markHashtable(hash);
      const name = latin1(field);
      if (hash.has(name)) throw new RdbFormatError('duplicate hash field');
      hash.set(name, put(val));
    }
    value = { type: 'hash', hash };
  } else if (type === RDB_TYPE.zset2) {
    const zset = new SortedSet(c.ks.random);
    for (let n = r.length(); n > 0; n--) {
      const b = r.string();
      const score = r.double();
      if (Number.isNaN(score)) throw new RdbFormatError('NaN score');
      const member = latin1(b);
      if (zset.get(member) !== undefined) throw new RdbFormatError('duplicate zset member');
      const h = put(b);
      zset.insert(member, score, h.addr, h.len);
    }
    value = { type: 'zset', zset };
  } else {
    throw new RdbFormatError(`type ${type}`);
  }
  if (!r.done) throw new RdbFormatError('trailing bytes');
  return value;
}

/** restoreCommand: REPLACE, ABSTTL, IDLETIME and FREQ (the last two accepted, not modelled). */
function restore(c: Call): void {
  let replace = false;
  let absttl = false;
  let idle = false;
  let freq = false;
  for (let j = 4; j < c.argv.length; j++) {
    const more = c.argv.length - j - 1;
    const a = c.argv[j];
    if (isWord(a, 'replace')) replace = true;
    else if (isWord(a, 'absttl')) absttl = true;
    else if (isWord(a, 'idletime') && more >= 1 && !freq) {
      const n = longLongArg(c, ++j);
      if (n === null) return;
      if (n < 0n) return c.out.error('ERR Invalid IDLETIME value, must be >= 0');
      idle = true;
    } else if (isWord(a, 'freq') && more >= 1 && !idle) {
      const n = longLongArg(c, ++j);
      if (n === null) return;
      if (n < 0n || n > 255n) return c.out.error('ERR Invalid FREQ value, must be >= 0 and <= 255');
      freq = true;
    } else {
      return c.out.error(ERR.syntax);
    }
  }
  const key = keyArg(c, 1);
  if (!replace && c.db.lookup(key) !== undefined) return c.out.error('BUSYKEY Target key name already exists.');
  const ttl = longLongArg(c, 2);
  if (ttl === null) return;
  if (ttl < 0n) return c.out.error('ERR Invalid TTL value, must be >= 0');
  const payload = c.argv[3]!;
  if (!verifyDumpPayload(payload)) return c.out.error('ERR DUMP payload version or checksum are wrong');
  let value: RedisValue;
  try {
    value = deserialize(c, payload);
  } catch (err) {
    if (err instanceof RdbFormatError) return c.out.error('ERR Bad data format');
    throw err;
  }
  if (replace) c.db.delete(key);
  const when = ttl === 0n ? -1 : Number(absttl ? ttl : ttl + BigInt(c.ks.now()));
  if (when >= 0 && when <= c.ks.now()) {
    c.ks.release(value);
    return c.out.raw(REPLY.ok);
  }
  c.db.add(key, value, when);
  c.out.raw(REPLY.ok);
}

export const dumpCommands: readonly CommandSpec[] = [
  spec('dump', dump, { arity: 2, flags: 'rR', keys: [1, 1, 1] }),
  spec('restore', restore, { arity: -4, flags: 'wm', keys: [1, 1, 1] }),
];
