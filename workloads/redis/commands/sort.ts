// SORT (Redis sort.c): the elements of a list, set or sorted set, ordered numerically or with ALPHA,
// by themselves or BY an external key pattern (`*` replaced by the element, `->field` for a hash),
// with LIMIT, GET patterns (`#` is the element) and STORE into a list.

import type { Call, CommandSpec } from './common.js';
import { ERR, intArg, isWord, keyArg, spec } from './common.js';
import { markSkiplist } from './encoding.js';
import { HandleDeque } from '../structs/deque.js';
import { latin1, latin1Bytes } from '../text.js';

interface SortItem {
  readonly ele: string;
  score: number;
  cmp: string | null;
}

/** lookupKeyByPattern: `#` is the element; no `*` means nothing; `->` after the `*` names a hash field. */
function byPattern(c: Call, pattern: string, ele: string): string | null {
  if (pattern === '#') return ele;
  const star = pattern.indexOf('*');
  if (star < 0) return null;
  const arrow = pattern.indexOf('->', star + 1);
  const field = arrow >= 0 && arrow + 2 < pattern.length ? pattern.slice(arrow + 2) : null;
  const key = pattern.slice(0, star) + ele + pattern.slice(star + 1, field === null ? pattern.length : arrow);
  const v = c.db.get(key);
  if (v === undefined) return null;
  if (field !== null) {
    if (v.type !== 'hash') return null;
    const h = v.hash.get(field);
    return h === undefined ? null : latin1(c.ks.readBytes(h.addr, h.len));
  }
  return v.type === 'string' ? latin1(c.ks.readBytes(v.addr, v.len)) : null;
}

const STRTOD = /^[ \t\n\v\f\r]*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?)$/i;

/** strtod as sortCommand checks it: leading blanks allowed, the whole rest consumed, no NaN or ERANGE (hex floats refused). */
function sortScore(s: string): number | null {
  if (s === '') return 0; // strtod converts nothing and stops at the terminating NUL
  if (!STRTOD.test(s)) return null;
  const t = s.trim().toLowerCase().replace(/^([+-]?)inf(inity)?$/, '$1Infinity');
  const v = Number(t);
  if (Number.isNaN(v)) return null;
  if (!Number.isFinite(v) && !/inf/i.test(s)) return null; // ERANGE overflow
  if (v === 0 && /[1-9]/.test(t.split(/e/i)[0]!)) return null; // ERANGE underflow
  return v;
}

const binaryCompare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function elementsOf(c: Call, key: string): string[] | null {
  const v = c.db.get(key);
  if (v === undefined) return [];
  switch (v.type) {
    case 'list': {
      const out: string[] = [];
      for (let i = 0; i < v.list.length; i++) out.push(latin1(c.ks.readBytes(v.list.addrAt(i), v.list.lenAt(i))));
      return out;
    }
    case 'set':
      return [...v.set].map((m) => m.member);
    case 'zset':
      markSkiplist(v.zset);
      return [...v.zset].map((n) => n.member);
    default:
      c.out.error(ERR.wrongType);
      return null;
  }
}

function sort(c: Call): void {
  const key = keyArg(c, 1);
  const elements = elementsOf(c, key);
  if (elements === null) return;
  const type = c.db.get(key)?.type ?? 'list';
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let store: string | null = null;
  let by: string | null = null;
  let dontsort = false;
  const gets: string[] = [];
  for (let j = 2; j < c.argv.length; j++) {
    const left = c.argv.length - j - 1;
    const a = c.argv[j];
    if (isWord(a, 'asc')) desc = false;
    else if (isWord(a, 'desc')) desc = true;
    else if (isWord(a, 'alpha')) alpha = true;
    else if (isWord(a, 'limit') && left >= 2) {
      const s = intArg(c, j + 1);
      if (s === null) return;
      const n = intArg(c, j + 2);
      if (n === null) return;
      [limitStart, limitCount] = [s, n];
      j += 2;
    } else if (isWord(a, 'store') && left >= 1) {
      store = keyArg(c, ++j);
    } else if (isWord(a, 'by') && left >= 1) {
      by = keyArg(c, ++j);
      dontsort = !by.includes('*');
    } else if (isWord(a, 'get') && left >= 1) {
      gets.push(keyArg(c, ++j));
    } else {
      return c.out.error(ERR.syntax);
    }
  }
  // A set has no order of its own: SORT BY nosort ... STORE sorts it alphabetically to stay deterministic.
  if (dontsort && type === 'set' && store !== null) {
    dontsort = false;
    alpha = true;
    by = null;
  }
  let len = elements.length;
  let start = limitStart < 0 ? 0 : limitStart;
  let end = limitCount < 0 ? len - 1 : start + limitCount - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;
  let items: SortItem[];
  if (dontsort && type !== 'set') {
    // Lists and sorted sets keep their own order; DESC walks it from the tail.
    const ordered = desc ? elements.slice().reverse() : elements;
    items = end >= start ? ordered.slice(start, end + 1).map((ele) => ({ ele, score: 0, cmp: null })) : [];
    end -= start;
    start = 0;
    len = items.length;
  } else {
    items = elements.map((ele) => ({ ele, score: 0, cmp: null }));
  }
  if (!dontsort) {
    let conversionError = false;
    for (const it of items) {
      const byval = by === null ? it.ele : byPattern(c, by, it.ele);
      if (byval === null) continue;
      if (alpha) {
        if (by !== null) it.cmp = byval;
      } else {
        const score = sortScore(byval);
        if (score === null) conversionError = true;
        else it.score = score;
      }
    }
    if (conversionError) return c.out.error("ERR One or more scores can't be converted into double");
    const sign = desc ? -1 : 1;
    items.sort((x, y) => {
      let cmp: number;
      if (!alpha) cmp = x.score > y.score ? 1 : x.score < y.score ? -1 : binaryCompare(x.ele, y.ele);
      else if (by !== null) cmp = x.cmp === null || y.cmp === null ? (x.cmp === y.cmp ? 0 : x.cmp === null ? -1 : 1) : binaryCompare(x.cmp, y.cmp);
      else cmp = binaryCompare(x.ele, y.ele);
      return sign * cmp;
    });
  }
  const outputLen = end >= start ? (gets.length > 0 ? gets.length : 1) * (end - start + 1) : 0;
  if (store === null) {
    c.out.arrayHeader(outputLen);
    for (let j = start; j <= end; j++) {
      const ele = items[j]!.ele;
      if (gets.length === 0) c.out.bulk(latin1Bytes(ele));
      for (const g of gets) {
        const val = byPattern(c, g, ele);
        if (val === null) c.out.nullBulk();
        else c.out.bulk(latin1Bytes(val));
      }
    }
    return;
  }
  const list = new HandleDeque();
  const push = (s: string): void => {
    const bytes = latin1Bytes(s);
    list.pushBack(c.ks.putBytes(bytes), bytes.length);
  };
  for (let j = start; j <= end; j++) {
    const ele = items[j]!.ele;
    if (gets.length === 0) push(ele);
    for (const g of gets) push(byPattern(c, g, ele) ?? '');
  }
  if (outputLen > 0) c.db.set(store, { type: 'list', list });
  else c.db.delete(store);
  c.out.integer(outputLen);
}

export const sortCommands: readonly CommandSpec[] = [spec('sort', sort, { arity: -2, flags: 'wm', keys: [1, 1, 1], movableKeys: true })];
