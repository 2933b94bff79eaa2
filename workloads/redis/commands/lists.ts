// List commands (Redis t_list.c): LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN, LRANGE, LINDEX.
// Elements are byte strings in the value store; the deque holds their addresses.

import type { Call, CommandSpec } from './common.js';
import { REPLY, bulkAt, clampRange, intArg, keyArg, spec, typed } from './common.js';
import { HandleDeque } from '../structs/deque.js';

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
];
