// OBJECT ENCODING's answer for a value, by Redis 5's rules and default thresholds: strings are
// int/embstr/raw, hashes ziplist until a conversion (remembered), sets intset while every member is an
// integer, sorted sets ziplist while small, lists quicklist. Sets and sorted sets are judged by their
// current contents (Redis never converts them back; an image that shrank one answers ziplist/intset).

import type { RedisValue } from '../keyspace.js';
import { latin1Bytes, parseLongLong } from '../text.js';

/** Redis 5 defaults: hash-max-ziplist-entries/value, set-max-intset-entries, zset-max-ziplist-*. */
export const HASH_MAX_ZIPLIST_ENTRIES = 128;
export const HASH_MAX_ZIPLIST_VALUE = 64;
const SET_MAX_INTSET_ENTRIES = 512;
const ZSET_MAX_ZIPLIST_ENTRIES = 128;
const ZSET_MAX_ZIPLIST_VALUE = 64;
/** OBJ_ENCODING_EMBSTR_SIZE_LIMIT. */
const EMBSTR_LIMIT = 44;

/** String values whose encoding does not follow from their bytes (made raw in place, or created as embstr). */
const forced = new WeakMap<object, 'raw' | 'embstr'>();
/** Hashes converted to a hash table and sorted sets converted to a skiplist (both one-way). */
const hashtables = new WeakSet<object>();
const skiplists = new WeakSet<object>();

/** SORT converts a sorted set it reads to a skiplist (zsetConvert in sortCommand). */
export function markSkiplist(zset: object): void {
  skiplists.add(zset);
}

/** A string Redis modified in place (APPEND, SETRANGE, SETBIT, BITOP): raw whatever its length. */
export function forceRaw<T extends object>(v: T): T {
  forced.set(v, 'raw');
  return v;
}

/** A string made by createStringObject without tryObjectEncoding (INCRBYFLOAT): never int. */
export function forceEmbstr<T extends object>(v: T, len: number): T {
  forced.set(v, len <= EMBSTR_LIMIT ? 'embstr' : 'raw');
  return v;
}

export function markHashtable(hash: object): void {
  hashtables.add(hash);
}

export const isHashtable = (hash: object): boolean => hashtables.has(hash);

/** tryObjectEncoding's choice for bytes: int for a string2l integer of up to 20 bytes. */
function stringEncoding(bytes: Uint8Array): 'int' | 'embstr' | 'raw' {
  if (bytes.length <= 20 && parseLongLong(bytes) !== null) return 'int';
  return bytes.length <= EMBSTR_LIMIT ? 'embstr' : 'raw';
}

export function objectEncoding(v: RedisValue, read: (addr: number, len: number) => Uint8Array): string {
  switch (v.type) {
    case 'string':
      return forced.get(v) ?? (v.len > 20 ? stringEncoding(new Uint8Array(v.len)) : stringEncoding(read(v.addr, v.len)));
    case 'list':
      return 'quicklist';
    case 'hash':
      return hashtables.has(v.hash) ? 'hashtable' : 'ziplist';
    case 'set': {
      if (v.set.size > SET_MAX_INTSET_ENTRIES) return 'hashtable';
      for (const m of v.set) if (m.len > 20 || parseLongLong(latin1Bytes(m.member)) === null) return 'hashtable';
      return 'intset';
    }
    case 'zset': {
      if (skiplists.has(v.zset) || v.zset.size > ZSET_MAX_ZIPLIST_ENTRIES) return 'skiplist';
      for (const n of v.zset) if (n.len > ZSET_MAX_ZIPLIST_VALUE) return 'skiplist';
      return 'ziplist';
    }
    case 'stream':
      return 'stream';
  }
}
