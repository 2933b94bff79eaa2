// Set commands (t_set.c: SADD SREM SPOP SMEMBERS SISMEMBER SCARD SMOVE SRANDMEMBER SSCAN, and the
// algebra SINTER SUNION SDIFF with their STORE forms). Set members are byte strings in the value store.

import type { Call, CommandSpec } from './common.js';
import { ERR, REPLY, bulkAt, intArg, keyArg, spec, typed } from './common.js';
import type { Member } from '../structs/member-set.js';
import { MemberSet } from '../structs/member-set.js';
import { latin1, latin1Bytes, stringMatch } from '../text.js';
import { EMPTY_SCAN, replyScan, scanCursorArg, scanOptionsArg } from './scan.js';

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

function smove(c: Call): void {
  const srcKey = keyArg(c, 1);
  const dstKey = keyArg(c, 2);
  const src = c.db.get(srcKey);
  const dst = c.db.get(dstKey);
  if (src === undefined) return c.out.raw(REPLY.zero);
  if (src.type !== 'set' || (dst !== undefined && dst.type !== 'set')) return c.out.error(ERR.wrongType);
  const member = latin1(c.argv[3]!);
  if (src === dst) return c.out.raw(src.set.has(member) ? REPLY.one : REPLY.zero);
  const m = src.set.remove(member);
  if (m === undefined) return c.out.raw(REPLY.zero);
  if (src.set.size === 0) c.db.delete(srcKey);
  let to = dst;
  if (to === undefined) {
    to = { type: 'set', set: new MemberSet() };
    c.db.set(dstKey, to);
  }
  if (to.set.has(member)) c.ks.freeBytes(m.addr, m.len);
  else to.set.add(m); // the member's bytes move with it
  c.out.raw(REPLY.one);
}

/** SRANDMEMBER key [count]: count > 0 distinct members, count < 0 that many with repeats. */
function srandmember(c: Call): void {
  if (c.argv.length > 3) return c.out.error(ERR.syntax);
  if (c.argv.length === 2) {
    const v = typed(c, keyArg(c, 1), 'set');
    if (v === null) return;
    if (v === undefined) return c.out.raw(REPLY.nullBulk);
    const m = v.set.at(Math.floor(c.ks.random() * v.set.size));
    return bulkAt(c, m.addr, m.len);
  }
  const n = intArg(c, 2);
  if (n === null) return;
  const v = typed(c, keyArg(c, 1), 'set');
  if (v === null) return;
  if (v === undefined || n === 0) return c.out.raw(REPLY.emptyArray);
  const set = v.set;
  const picks: Member[] = [];
  if (n < 0) {
    for (let k = 0; k < -n; k++) picks.push(set.at(Math.floor(c.ks.random() * set.size)));
  } else if (n >= set.size) {
    for (const m of set) picks.push(m);
  } else {
    // A partial Fisher-Yates over the indexes: n distinct members, uniformly.
    const idx = Array.from({ length: set.size }, (_, i) => i);
    for (let k = 0; k < n; k++) {
      const j = k + Math.floor(c.ks.random() * (idx.length - k));
      [idx[k], idx[j]] = [idx[j]!, idx[k]!];
      picks.push(set.at(idx[k]!));
    }
  }
  c.out.arrayHeader(picks.length);
  for (const m of picks) bulkAt(c, m.addr, m.len);
}

/**
 * SSCAN: the cursor is one past the next index to visit, walking the dense array from its end down. A
 * removal moves the last member into the hole, so a member present for the whole scan is still seen
 * (perhaps twice), and members added meanwhile land above the cursor, which SCAN allows to miss.
 */
function sscan(c: Call): void {
  const cursor = scanCursorArg(c, 2);
  if (cursor === null) return;
  const v = typed(c, keyArg(c, 1), 'set');
  if (v === null) return;
  if (v === undefined) return c.out.raw(EMPTY_SCAN);
  const opts = scanOptionsArg(c, 3);
  if (opts === null) return;
  const set = v.set;
  let at = cursor === 0n ? set.size - 1 : Math.min(Number(cursor) - 1, set.size - 1);
  const items: Member[] = [];
  for (let k = 0; k < opts.count && at >= 0; k++, at--) {
    const m = set.at(at);
    if (opts.match === null || stringMatch(opts.match, m.member)) items.push(m);
  }
  replyScan(c, at < 0 ? 0 : at + 1, items);
}

type SetOp = 'inter' | 'union' | 'diff';

/**
 * sinterGenericCommand / sunionDiffGenericCommand: the members of the result, read from the sources.
 * For SINTER a missing key ends the lookups at once (later keys are not type-checked); SUNION and
 * SDIFF check every key. Null after replying the error; 'empty' for SINTER's missing key.
 */
function combine(c: Call, op: SetOp, from: number): Member[] | null | 'empty' {
  const sets: (MemberSet | null)[] = [];
  for (let j = from; j < c.argv.length; j++) {
    const v = c.db.get(keyArg(c, j));
    if (v === undefined) {
      if (op === 'inter') return 'empty';
      sets.push(null);
      continue;
    }
    if (v.type !== 'set') {
      c.out.error(ERR.wrongType);
      return null;
    }
    sets.push(v.set);
  }
  const out: Member[] = [];
  if (op === 'inter') {
    const all = sets as MemberSet[];
    const smallest = all.reduce((a, b) => (b.size < a.size ? b : a));
    for (const m of smallest) if (all.every((s) => s === smallest || s.has(m.member))) out.push(m);
  } else if (op === 'union') {
    const seen = new Set<string>();
    for (const s of sets) {
      if (s === null) continue;
      for (const m of s) {
        if (seen.has(m.member)) continue;
        seen.add(m.member);
        out.push(m);
      }
    }
  } else {
    const first = sets[0];
    if (first !== null && first !== undefined) {
      for (const m of first) if (!sets.some((s, i) => i > 0 && s !== null && s.has(m.member))) out.push(m);
    }
  }
  return out;
}

function setAlgebra(c: Call, op: SetOp): void {
  const members = combine(c, op, 1);
  if (members === null) return;
  if (members === 'empty') return c.out.raw(REPLY.emptyArray);
  c.out.arrayHeader(members.length);
  for (const m of members) bulkAt(c, m.addr, m.len);
}

/** The STORE forms: the destination is replaced (its TTL goes), or deleted when the result is empty. */
function setAlgebraStore(c: Call, op: SetOp): void {
  const members = combine(c, op, 2);
  if (members === null) return;
  const dstKey = keyArg(c, 1);
  const list = members === 'empty' ? [] : members;
  const set = new MemberSet();
  for (const m of list) {
    const bytes = m.len === 0 ? latin1Bytes(m.member) : c.ks.readBytes(m.addr, m.len);
    set.add({ member: m.member, addr: c.ks.putBytes(bytes), len: bytes.length });
  }
  c.db.delete(dstKey);
  if (set.size > 0) c.db.set(dstKey, { type: 'set', set });
  c.out.integer(set.size);
}

const K: [number, number, number] = [1, 1, 1];
export const setCommands: readonly CommandSpec[] = [
  spec('sadd', sadd, { arity: -3, flags: 'wmF', keys: K }),
  spec('srem', srem, { arity: -3, flags: 'wF', keys: K }),
  spec('spop', spop, { arity: -2, flags: 'wRF', keys: K }),
  spec('smembers', smembers, { arity: 2, flags: 'rS', keys: K }),
  spec('sismember', sismember, { arity: 3, flags: 'rF', keys: K }),
  spec('scard', scard, { arity: 2, flags: 'rF', keys: K }),
  spec('smove', smove, { arity: 4, flags: 'wF', keys: [1, 2, 1] }),
  spec('srandmember', srandmember, { arity: -2, flags: 'rR', keys: K }),
  spec('sscan', sscan, { arity: -3, flags: 'rR', keys: K }),
  spec('sinter', (c) => setAlgebra(c, 'inter'), { arity: -2, flags: 'rS', keys: [1, -1, 1] }),
  spec('sinterstore', (c) => setAlgebraStore(c, 'inter'), { arity: -3, flags: 'wm', keys: [1, -1, 1] }),
  spec('sunion', (c) => setAlgebra(c, 'union'), { arity: -2, flags: 'rS', keys: [1, -1, 1] }),
  spec('sunionstore', (c) => setAlgebraStore(c, 'union'), { arity: -3, flags: 'wm', keys: [1, -1, 1] }),
  spec('sdiff', (c) => setAlgebra(c, 'diff'), { arity: -2, flags: 'rS', keys: [1, -1, 1] }),
  spec('sdiffstore', (c) => setAlgebraStore(c, 'diff'), { arity: -3, flags: 'wm', keys: [1, -1, 1] }),
];
