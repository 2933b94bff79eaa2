// Set commands (t_set.c: SADD SREM SPOP SMEMBERS SISMEMBER SCARD).
// Set members are byte strings in the value store.

import type { Call, CommandSpec } from './common.js';
import { ERR, REPLY, bulkAt, intArg, keyArg, spec, typed } from './common.js';
import { MemberSet } from '../structs/member-set.js';
import { latin1 } from '../text.js';

function sadd(c: Call): void {
  const key = keyArg(c, 1);
  let v = typed(c, key, 'set');
  if (v === null) return;
  if (v === undefined) {
    v = { type: 'set', set: new MemberSet() };
    c.db.set(key, v);
  }
  let added = 0;
  for (let j = 2; j < c.argv.length; j++) {
    const bytes = c.argv[j]!;
    const member = latin1(bytes);
    if (v.set.has(member)) continue;
    v.set.add({ member, addr: c.ks.putBytes(bytes), len: bytes.length });
    added++;
  }
  c.out.integer(added);
}

function srem(c: Call): void {
  const key = keyArg(c, 1);
  const v = typed(c, key, 'set');
  if (v === null) return;
  if (v === undefined) return c.out.raw(REPLY.zero);
  let removed = 0;
  for (let j = 2; j < c.argv.length; j++) {
    const m = v.set.remove(latin1(c.argv[j]!));
    if (m === undefined) continue;
    c.ks.freeBytes(m.addr, m.len);
    removed++;
  }
  if (v.set.size === 0) c.db.delete(key);
  c.out.integer(removed);
}

function spop(c: Call): void {
  if (c.argv.length > 3) return c.out.error(ERR.syntax);
  const withCount = c.argv.length === 3;
  let count = 1;
  if (withCount) {
    const n = intArg(c, 2);
    if (n === null) return;
    if (n < 0) return c.out.error(ERR.outOfRange);
    count = n;
  }
  const key = keyArg(c, 1);
  const v = typed(c, key, 'set');
  if (v === null) return;
  if (v === undefined) return c.out.raw(withCount ? REPLY.emptyArray : REPLY.nullBulk);
  const set = v.set;
  const n = Math.min(count, set.size);
  if (withCount) c.out.arrayHeader(n);
  for (let k = 0; k < n; k++) {
    const m = set.removeAt(Math.floor(c.ks.random() * set.size));
    bulkAt(c, m.addr, m.len);
    c.ks.freeBytes(m.addr, m.len);
  }
  if (set.size === 0) c.db.delete(key);
}

function smembers(c: Call): void {
  const v = typed(c, keyArg(c, 1), 'set');
  if (v === null) return;
  if (v === undefined) return c.out.raw(REPLY.emptyArray);
  c.out.arrayHeader(v.set.size);
  for (const m of v.set) bulkAt(c, m.addr, m.len);
}

function sismember(c: Call): void {
  const v = typed(c, keyArg(c, 1), 'set');
  if (v !== null) c.out.raw(v?.set.has(latin1(c.argv[2]!)) ? REPLY.one : REPLY.zero);
}

function scard(c: Call): void {
  const v = typed(c, keyArg(c, 1), 'set');
  if (v !== null) c.out.integer(v?.set.size ?? 0);
}

const K: [number, number, number] = [1, 1, 1];
export const setCommands: readonly CommandSpec[] = [
  spec('sadd', sadd, { arity: -3, flags: 'wmF', keys: K }),
  spec('srem', srem, { arity: -3, flags: 'wF', keys: K }),
  spec('spop', spop, { arity: -2, flags: 'wRF', keys: K }),
  spec('smembers', smembers, { arity: 2, flags: 'rS', keys: K }),
  spec('sismember', sismember, { arity: 3, flags: 'rF', keys: K }),
  spec('scard', scard, { arity: 2, flags: 'rF', keys: K }),
];
