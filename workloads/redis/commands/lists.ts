// List commands (Redis t_list.c): LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN, LRANGE, LINDEX,
// LINSERT, LREM, LSET, LTRIM, RPOPLPUSH and the blocking BLPOP, BRPOP, BRPOPLPUSH (parked in blocking.ts).
// Elements are byte strings in the value store; the deque holds their addresses.

import type { Call, CommandSpec } from './common.js';
import { ERR, REPLY, bulkAt, clampRange, intArg, isWord, keyArg, spec, typed } from './common.js';
import { HandleDeque } from '../structs/deque.js';
import { NULL_ARRAY, blockedClients, timeoutArg } from './blocking.js';
import { inTransaction } from './transactions.js';

/** pushGenericCommand; `onlyIfExists` is LPUSHX/RPUSHX. */
function push(c: Call, front: boolean, onlyIfExists = false): void {
  const key = keyArg(c, 1);
  let v = typed(c, key, 'list');
  if (v === null) return;
  if (v === undefined) {
    if (onlyIfExists) return c.out.raw(REPLY.zero);
    v = { type: 'list', list: new HandleDeque(c.argv.length - 2) };
    c.db.set(key, v);
  }
  const list = v.list;
  for (let j = 2; j < c.argv.length; j++) {
    const bytes = c.argv[j]!;
    const addr = c.ks.putBytes(bytes);
    if (front) list.pushFront(addr, bytes.length);
    else list.pushBack(addr, bytes.length);
  }
  c.out.integer(list.length);
}

function pop(c: Call, front: boolean): void {
  const key = keyArg(c, 1);
  const v = typed(c, key, 'list');
  if (v === null) return;
  if (v === undefined) return c.out.raw(REPLY.nullBulk);
  const list = v.list;
  const i = front ? 0 : list.length - 1;
  const addr = list.addrAt(i);
  const len = list.lenAt(i);
  bulkAt(c, addr, len);
  if (front) list.dropFront();
  else list.dropBack();
  c.ks.freeBytes(addr, len);
  if (list.length === 0) c.db.delete(key);
}

function llen(c: Call): void {
  const v = typed(c, keyArg(c, 1), 'list');
  if (v !== null) c.out.integer(v?.list.length ?? 0);
}

function lrange(c: Call): void {
  const start = intArg(c, 2);
  if (start === null) return;
  const end = intArg(c, 3);
  if (end === null) return;
  const v = typed(c, keyArg(c, 1), 'list');
  if (v === null) return;
  if (v === undefined) return c.out.raw(REPLY.emptyArray);
  const range = clampRange(start, end, v.list.length);
  if (range === null) return c.out.raw(REPLY.emptyArray);
  const [from, to] = range;
  c.out.arrayHeader(to - from + 1);
  for (let i = from; i <= to; i++) bulkAt(c, v.list.addrAt(i), v.list.lenAt(i));
}

function lindex(c: Call): void {
  const v = typed(c, keyArg(c, 1), 'list');
  if (v === null) return;
  if (v === undefined) return c.out.raw(REPLY.nullBulk); // Redis looks the key up before parsing the index
  const index = intArg(c, 2);
  if (index === null) return;
  const i = index < 0 ? v.list.length + index : index;
  if (i < 0 || i >= v.list.length) return c.out.raw(REPLY.nullBulk);
  bulkAt(c, v.list.addrAt(i), v.list.lenAt(i));
}

/** listTypeEqual: does element `i` hold exactly these bytes? */
function elementIs(c: Call, list: HandleDeque, i: number, bytes: Uint8Array): boolean {
  if (list.lenAt(i) !== bytes.length) return false;
  const have = c.ks.readBytes(list.addrAt(i), bytes.length);
  for (let k = 0; k < bytes.length; k++) if (have[k] !== bytes[k]) return false;
  return true;
}

/** LINSERT key BEFORE|AFTER pivot element: the new length, -1 without the pivot, 0 without the key. */
function linsert(c: Call): void {
  let after: boolean;
  if (isWord(c.argv[2], 'after')) after = true;
  else if (isWord(c.argv[2], 'before')) after = false;
  else return c.out.error(ERR.syntax);
  const v = typed(c, keyArg(c, 1), 'list');
  if (v === null) return;
  if (v === undefined) return c.out.raw(REPLY.zero);
  const list = v.list;
  const pivot = c.argv[3]!;
  for (let i = 0; i < list.length; i++) {
    if (!elementIs(c, list, i, pivot)) continue;
    const bytes = c.argv[4]!;
    list.insertAt(after ? i + 1 : i, c.ks.putBytes(bytes), bytes.length);
    return c.out.integer(list.length);
  }
  c.out.integer(-1);
}

/** LREM key count element: count > 0 from the head, < 0 from the tail, 0 all. */
function lrem(c: Call): void {
  const count = intArg(c, 2);
  if (count === null) return;
  const key = keyArg(c, 1);
  const v = typed(c, key, 'list');
  if (v === null) return;
  if (v === undefined) return c.out.raw(REPLY.zero);
  const list = v.list;
  const bytes = c.argv[3]!;
  const limit = Math.abs(count);
  let removed = 0;
  const drop = (i: number): void => {
    const addr = list.addrAt(i);
    const len = list.lenAt(i);
    list.removeAt(i);
    c.ks.freeBytes(addr, len);
    removed++;
  };
  if (count < 0) {
    for (let i = list.length - 1; i >= 0 && removed !== limit; i--) if (elementIs(c, list, i, bytes)) drop(i);
  } else {
    for (let i = 0; i < list.length && (limit === 0 || removed !== limit); ) {
      if (elementIs(c, list, i, bytes)) drop(i);
      else i++;
    }
  }
  if (list.length === 0) c.db.delete(key);
  c.out.integer(removed);
}

function lset(c: Call): void {
  const v = typed(c, keyArg(c, 1), 'list');
  if (v === null) return;
  if (v === undefined) return c.out.error('ERR no such key');
  const index = intArg(c, 2);
  if (index === null) return;
  const list = v.list;
  const i = index < 0 ? list.length + index : index;
  if (i < 0 || i >= list.length) return c.out.error(ERR.outOfRange);
  const bytes = c.argv[3]!;
  const [addr, len] = [list.addrAt(i), list.lenAt(i)];
  list.setAt(i, c.ks.putBytes(bytes), bytes.length);
  c.ks.freeBytes(addr, len);
  c.out.raw(REPLY.ok);
}

function ltrim(c: Call): void {
  const start = intArg(c, 2);
  if (start === null) return;
  const end = intArg(c, 3);
  if (end === null) return;
  const key = keyArg(c, 1);
  const v = typed(c, key, 'list');
  if (v === null) return;
  if (v === undefined) return c.out.raw(REPLY.ok);
  const list = v.list;
  const range = clampRange(start, end, list.length);
  const left = range === null ? list.length : range[0];
  const right = range === null ? 0 : list.length - range[1] - 1;
  for (let k = 0; k < left; k++) {
    c.ks.freeBytes(list.addrAt(0), list.lenAt(0));
    list.dropFront();
  }
  for (let k = 0; k < right; k++) {
    c.ks.freeBytes(list.addrAt(list.length - 1), list.lenAt(list.length - 1));
    list.dropBack();
  }
  if (list.length === 0) c.db.delete(key);
  c.out.raw(REPLY.ok);
}

/** rpoplpushCommand once the source is known to be a non-empty list: its tail moves to the head of argv[2]. */
function moveTail(c: Call, srcKey: string, src: HandleDeque): void {
  const dstKey = keyArg(c, 2);
  const d = typed(c, dstKey, 'list');
  if (d === null) return;
  const addr = src.addrAt(src.length - 1);
  const len = src.lenAt(src.length - 1);
  src.dropBack();
  let dest = d?.list;
  if (dest === undefined) {
    dest = new HandleDeque();
    c.db.set(dstKey, { type: 'list', list: dest });
  }
  dest.pushFront(addr, len); // the bytes move with the element: nothing is copied or freed
  bulkAt(c, addr, len);
  if (src.length === 0) c.db.delete(srcKey);
}

function rpoplpush(c: Call): void {
  const key = keyArg(c, 1);
  const v = typed(c, key, 'list');
  if (v === null) return;
  if (v === undefined) return c.out.raw(REPLY.nullBulk);
  moveTail(c, key, v.list);
}

/** blockingPopGenericCommand: pop from the first non-empty key, else block (or answer *-1 inside EXEC). */
function bpop(c: Call, front: boolean): void {
  const deadline = timeoutArg(c, c.argv.length - 1);
  if (deadline === null) return;
  const keys: string[] = [];
  for (let j = 1; j < c.argv.length - 1; j++) {
    const key = keyArg(c, j);
    const v = typed(c, key, 'list');
    if (v === null) return;
    keys.push(key);
    if (v === undefined || v.list.length === 0) continue;
    const list = v.list;
    const i = front ? 0 : list.length - 1;
    const addr = list.addrAt(i);
    const len = list.lenAt(i);
    c.out.arrayHeader(2);
    c.out.bulk(c.argv[j]!);
    bulkAt(c, addr, len);
    if (front) list.dropFront();
    else list.dropBack();
    c.ks.freeBytes(addr, len);
    if (list.length === 0) c.db.delete(key);
    return;
  }
  if (inTransaction(c.session)) return c.out.raw(NULL_ARRAY);
  blockedClients(c.ks).block(c, keys, front ? 'blpop' : 'brpop', deadline);
}

function brpoplpush(c: Call): void {
  const deadline = timeoutArg(c, 3);
  if (deadline === null) return;
  const key = keyArg(c, 1);
  const v = typed(c, key, 'list');
  if (v === null) return;
  if (v !== undefined) return moveTail(c, key, v.list);
  if (inTransaction(c.session)) return c.out.raw(REPLY.nullBulk);
  blockedClients(c.ks).block(c, [key], 'brpoplpush', deadline, keyArg(c, 2));
}

export const listCommands: readonly CommandSpec[] = [
  spec('lpush', (c) => push(c, true), { arity: -3, flags: 'wmF', keys: [1, 1, 1] }),
  spec('rpush', (c) => push(c, false), { arity: -3, flags: 'wmF', keys: [1, 1, 1] }),
  spec('lpushx', (c) => push(c, true, true), { arity: -3, flags: 'wmF', keys: [1, 1, 1] }),
  spec('rpushx', (c) => push(c, false, true), { arity: -3, flags: 'wmF', keys: [1, 1, 1] }),
  spec('lpop', (c) => pop(c, true), { arity: 2, flags: 'wF', keys: [1, 1, 1] }),
  spec('rpop', (c) => pop(c, false), { arity: 2, flags: 'wF', keys: [1, 1, 1] }),
  spec('llen', llen, { arity: 2, flags: 'rF', keys: [1, 1, 1] }),
  spec('lrange', lrange, { arity: 4, flags: 'r', keys: [1, 1, 1] }),
  spec('lindex', lindex, { arity: 3, flags: 'r', keys: [1, 1, 1] }),
  spec('linsert', linsert, { arity: 5, flags: 'wm', keys: [1, 1, 1] }),
  spec('lrem', lrem, { arity: 4, flags: 'w', keys: [1, 1, 1] }),
  spec('lset', lset, { arity: 4, flags: 'wm', keys: [1, 1, 1] }),
  spec('ltrim', ltrim, { arity: 4, flags: 'w', keys: [1, 1, 1] }),
  spec('rpoplpush', rpoplpush, { arity: 3, flags: 'wm', keys: [1, 2, 1] }),
  spec('blpop', (c) => bpop(c, true), { arity: -3, flags: 'ws', keys: [1, -2, 1] }),
  spec('brpop', (c) => bpop(c, false), { arity: -3, flags: 'ws', keys: [1, -2, 1] }),
  spec('brpoplpush', brpoplpush, { arity: 4, flags: 'wms', keys: [1, 2, 1] }),
];
