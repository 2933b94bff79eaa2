// Sorted-set commands (t_zset.c): ZADD with NX/XX/CH/INCR, ZINCRBY, ZRANGE/ZREVRANGE [WITHSCORES],
// ZRANGEBYSCORE/ZREVRANGEBYSCORE, ZRANGEBYLEX/ZREVRANGEBYLEX, ZCOUNT, ZLEXCOUNT, ZSCORE, ZRANK, ZREVRANK,
// ZCARD, ZREM, ZREMRANGEBY*, ZUNIONSTORE/ZINTERSTORE, ZPOPMIN/ZPOPMAX, BZPOPMIN/BZPOPMAX, ZSCAN.
// Scores are doubles replied as printf("%.17g") like addReplyDouble.

import type { Call, CommandSpec } from './common.js';
import { ERR, REPLY, bulkAt, clampRange, doubleArg, intArg, isWord, keyArg, spec, typed } from './common.js';
import type { ZNode } from '../structs/sorted-set.js';
import { SortedSet } from '../structs/sorted-set.js';
import { formatDouble, latin1, parseDouble, parseInteger, stringMatch } from '../text.js';
import { NULL_ARRAY, blockedClients, timeoutArg } from './blocking.js';
import { inTransaction } from './transactions.js';
import { EMPTY_SCAN, scanCursorArg, scanOptionsArg } from './scan.js';

/** zaddGenericCommand; ZINCRBY is ZADD with INCR set (its options are still parsed, as in Redis). */
function zadd(c: Call, incrby = false): void {
  let nx = false;
  let xx = false;
  let ch = false;
  let incr = incrby;
  let at = 2;
  for (; at < c.argv.length; at++) {
    const a = c.argv[at];
    if (isWord(a, 'nx')) nx = true;
    else if (isWord(a, 'xx')) xx = true;
    else if (isWord(a, 'ch')) ch = true;
    else if (isWord(a, 'incr')) incr = true;
    else break;
  }
  const elements = c.argv.length - at;
  if (elements === 0 || elements % 2 === 1) return c.out.error(ERR.syntax);
  if (nx && xx) return c.out.error('ERR XX and NX options at the same time are not compatible');
  if (incr && elements > 2) return c.out.error('ERR INCR option supports a single increment-element pair');
  const scores: number[] = [];
  for (let j = at; j < c.argv.length; j += 2) {
    const s = doubleArg(c, j);
    if (s === null) return;
    scores.push(s);
  }
  const key = keyArg(c, 1);
  let v = typed(c, key, 'zset');
  if (v === null) return;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  if (v !== undefined || !xx) {
    if (v === undefined) {
      v = { type: 'zset', zset: new SortedSet(c.ks.random) };
      c.db.set(key, v);
    }
    const zset = v.zset;
    for (let k = 0; k < scores.length; k++) {
      const bytes = c.argv[at + 2 * k + 1]!;
      const member = latin1(bytes);
      score = scores[k]!;
      const node = zset.get(member);
      if (node !== undefined) {
        if (nx) continue;
        if (incr) {
          score += node.score;
          if (Number.isNaN(score)) {
            if (zset.size === 0) c.db.delete(key);
            return c.out.error('ERR resulting score is not a number (NaN)');
          }
        }
        processed++;
        if (score !== node.score) {
          zset.updateScore(member, score);
          updated++;
        }
      } else if (!xx) {
        zset.insert(member, score, c.ks.putBytes(bytes), bytes.length);
        added++;
        processed++;
      }
    }
    if (zset.size === 0) c.db.delete(key);
  }
  if (!incr) c.out.integer(ch ? added + updated : added);
  else if (processed > 0) c.out.bulkString(formatDouble(score));
  else c.out.raw(REPLY.nullBulk);
}

function zrange(c: Call, reverse: boolean): void {
  const start = intArg(c, 2);
  if (start === null) return;
  const end = intArg(c, 3);
  if (end === null) return;
  let withScores = false;
  if (c.argv.length === 5 && isWord(c.argv[4], 'withscores')) withScores = true;
  else if (c.argv.length >= 5) return c.out.error(ERR.syntax);
  const v = typed(c, keyArg(c, 1), 'zset');
  if (v === null) return;
  if (v === undefined) return c.out.raw(REPLY.emptyArray);
  const zset = v.zset;
  const range = clampRange(start, end, zset.size);
  if (range === null) return c.out.raw(REPLY.emptyArray);
  const [from, to] = range;
  const n = to - from + 1;
  c.out.arrayHeader(withScores ? 2 * n : n);
  let node = zset.byRank(reverse ? zset.size - 1 - from : from);
  for (let k = 0; k < n && node !== null; k++) {
    bulkAt(c, node.addr, node.len);
    if (withScores) c.out.bulkString(formatDouble(node.score));
    node = reverse ? node.backward : (node.next[0] ?? null);
  }
}

function zscore(c: Call): void {
  const v = typed(c, keyArg(c, 1), 'zset');
  if (v === null) return;
  const node = v?.zset.get(latin1(c.argv[2]!));
  if (node === undefined) c.out.raw(REPLY.nullBulk);
  else c.out.bulkString(formatDouble(node.score));
}

function zrank(c: Call): void {
  const v = typed(c, keyArg(c, 1), 'zset');
  if (v === null) return;
  const rank = v === undefined ? -1 : v.zset.rankOf(latin1(c.argv[2]!));
  if (rank < 0) c.out.raw(REPLY.nullBulk);
  else c.out.integer(rank);
}

function zcard(c: Call): void {
  const v = typed(c, keyArg(c, 1), 'zset');
  if (v !== null) c.out.integer(v?.zset.size ?? 0);
}

function zrem(c: Call): void {
  const key = keyArg(c, 1);
  const v = typed(c, key, 'zset');
  if (v === null) return;
  if (v === undefined) return c.out.raw(REPLY.zero);
  let removed = 0;
  for (let j = 2; j < c.argv.length; j++) {
    const node = v.zset.delete(latin1(c.argv[j]!));
    if (node === undefined) continue;
    c.ks.freeBytes(node.addr, node.len);
    removed++;
  }
  if (v.zset.size === 0) c.db.delete(key);
  c.out.integer(removed);
}

/** genericZpopCommand: a flat array member, score, member, score... */
function zpop(c: Call, max: boolean): void {
  if (c.argv.length > 3) return c.out.error(ERR.syntax);
  let count = 1;
  if (c.argv.length === 3) {
    const n = intArg(c, 2);
    if (n === null) return;
    if (n <= 0) return c.out.raw(REPLY.emptyArray);
    count = n;
  }
  const key = keyArg(c, 1);
  const v = typed(c, key, 'zset');
  if (v === null) return;
  if (v === undefined) return c.out.raw(REPLY.emptyArray);
  const zset = v.zset;
  const n = Math.min(count, zset.size);
  c.out.arrayHeader(2 * n);
  for (let k = 0; k < n; k++) {
    const node = max ? zset.last()! : zset.first()!;
    zset.delete(node.member);
    bulkAt(c, node.addr, node.len);
    c.out.bulkString(formatDouble(node.score));
    c.ks.freeBytes(node.addr, node.len);
  }
  if (zset.size === 0) c.db.delete(key);
}


interface ScoreRange {
  readonly min: number;
  readonly max: number;
  readonly minex: boolean;
  readonly maxex: boolean;
}

const BLANK = /^[ \t\n\v\f\r]+/;
const STRTOD_DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const STRTOD_INF = /^[+-]?inf(?:inity)?$/i;

/**
 * strtod over the whole string as zslParseRange uses it: leading blanks skipped, nothing may follow,
 * NaN refused, overflow taken as ±inf (errno is not checked), and "" is 0 (no conversion, yet the end
 * pointer is at the NUL). Hexadecimal floats are refused.
 */
function strtodWhole(s: string): number | null {
  if (s === '') return 0;
  const t = s.replace(BLANK, '');
  if (STRTOD_INF.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (!STRTOD_DECIMAL.test(t)) return null;
  return Number(t);
}

/** One end of zslParseRange: an integer argument as is, else '(' for an open end and strtod. */
function scoreBound(b: Uint8Array): [number, boolean] | null {
  const int = parseInteger(b);
  if (int !== null) return [int, false];
  const s = latin1(b);
  const open = s.startsWith('(');
  const v = strtodWhole(open ? s.slice(1) : s);
  return v === null ? null : [v, open];
}

/** zslParseRange, or null after replying Redis's error. */
function scoreRangeArg(c: Call, minAt: number, maxAt: number): ScoreRange | null {
  const min = scoreBound(c.argv[minAt]!);
  const max = scoreBound(c.argv[maxAt]!);
  if (min === null || max === null) {
    c.out.error('ERR min or max is not a float');
    return null;
  }
  return { min: min[0], minex: min[1], max: max[0], maxex: max[1] };
}

const gteMin = (score: number, r: ScoreRange): boolean => (r.minex ? score > r.min : score >= r.min);
const lteMax = (score: number, r: ScoreRange): boolean => (r.maxex ? score < r.max : score <= r.max);

/** A lex range end: '-' and '+' are below and above every string. */
interface LexBound {
  readonly kind: 'min' | 'max' | 'value';
  readonly value: string;
  readonly ex: boolean;
}

interface LexRange {
  readonly min: LexBound;
  readonly max: LexBound;
}

function lexBound(b: Uint8Array): LexBound | null {
  const s = latin1(b);
  switch (s[0]) {
    case '+':
      return s.length === 1 ? { kind: 'max', value: '', ex: true } : null;
    case '-':
      return s.length === 1 ? { kind: 'min', value: '', ex: true } : null;
    case '(':
      return { kind: 'value', value: s.slice(1), ex: true };
    case '[':
      return { kind: 'value', value: s.slice(1), ex: false };
    default:
      return null;
  }
}

/** zslParseLexRange, or null after replying Redis's error. */
function lexRangeArg(c: Call, minAt: number, maxAt: number): LexRange | null {
  const min = lexBound(c.argv[minAt]!);
  const max = lexBound(c.argv[maxAt]!);
  if (min === null || max === null) {
    c.out.error('ERR min or max not valid string range item');
    return null;
  }
  return { min, max };
}

function lexGteMin(member: string, b: LexBound): boolean {
  if (b.kind !== 'value') return b.kind === 'min';
  return b.ex ? member > b.value : member >= b.value;
}

function lexLteMax(member: string, b: LexBound): boolean {
  if (b.kind !== 'value') return b.kind === 'max';
  return b.ex ? member < b.value : member <= b.value;
}

/** A range over the skiplist's order: which nodes are at or above its start, and at or below its end. */
interface NodeRange {
  readonly aboveMin: (n: ZNode) => boolean;
  readonly belowMax: (n: ZNode) => boolean;
}

const byScore = (r: ScoreRange): NodeRange => ({ aboveMin: (n) => gteMin(n.score, r), belowMax: (n) => lteMax(n.score, r) });
const byLex = (r: LexRange): NodeRange => ({ aboveMin: (n) => lexGteMin(n.member, r.min), belowMax: (n) => lexLteMax(n.member, r.max) });

/** zslFirstInRange / zslLastInRange. */
function firstInRange(z: SortedSet, r: NodeRange): ZNode | null {
  const n = z.firstNotWhere((x) => !r.aboveMin(x));
  return n !== null && r.belowMax(n) ? n : null;
}

function lastInRange(z: SortedSet, r: NodeRange): ZNode | null {
  const n = z.lastWhere(r.belowMax);
  return n !== null && r.aboveMin(n) ? n : null;
}

/** Every node in the range, in order. */
function nodesInRange(z: SortedSet, r: NodeRange): ZNode[] {
  const out: ZNode[] = [];
  for (let n = firstInRange(z, r); n !== null && r.belowMax(n); n = n.next[0] ?? null) out.push(n);
  return out;
}

/**
 * genericZrangebyscoreCommand / genericZrangebylexCommand: the range (given max first when reversed),
 * then WITHSCORES (score ranges only) and LIMIT offset count, a negative offset giving nothing and a
 * negative count everything.
 */
function zrangeBy(c: Call, reverse: boolean, lex: boolean): void {
  const [minAt, maxAt] = reverse ? [3, 2] : [2, 3];
  let range: NodeRange;
  if (lex) {
    const r = lexRangeArg(c, minAt, maxAt);
    if (r === null) return;
    range = byLex(r);
  } else {
    const r = scoreRangeArg(c, minAt, maxAt);
    if (r === null) return;
    range = byScore(r);
  }
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let pos = 4; pos < c.argv.length; ) {
    const remaining = c.argv.length - pos;
    if (!lex && isWord(c.argv[pos], 'withscores')) {
      withScores = true;
      pos++;
    } else if (remaining >= 3 && isWord(c.argv[pos], 'limit')) {
      const o = intArg(c, pos + 1);
      if (o === null) return;
      const l = intArg(c, pos + 2);
      if (l === null) return;
      offset = o;
      limit = l;
      pos += 3;
    } else {
      return c.out.error(ERR.syntax);
    }
  }
  const v = typed(c, keyArg(c, 1), 'zset');
  if (v === null) return;
  if (v === undefined) return c.out.raw(REPLY.emptyArray);
  let n = reverse ? lastInRange(v.zset, range) : firstInRange(v.zset, range);
  const step = (x: ZNode): ZNode | null => (reverse ? x.backward : (x.next[0] ?? null));
  if (offset < 0) n = null;
  for (let k = 0; k < offset && n !== null; k++) n = step(n);
  const hits: ZNode[] = [];
  for (; n !== null && limit !== 0; n = step(n), limit--) {
    if (reverse ? !range.aboveMin(n) : !range.belowMax(n)) break;
    hits.push(n);
  }
  c.out.arrayHeader(withScores ? 2 * hits.length : hits.length);
  for (const x of hits) {
    bulkAt(c, x.addr, x.len);
    if (withScores) c.out.bulkString(formatDouble(x.score));
  }
}

/** ZCOUNT / ZLEXCOUNT: ranks of the first and last node in range, O(log n). */
function zcount(c: Call, lex: boolean): void {
  let range: NodeRange;
  if (lex) {
    const r = lexRangeArg(c, 2, 3);
    if (r === null) return;
    range = byLex(r);
  } else {
    const r = scoreRangeArg(c, 2, 3);
    if (r === null) return;
    range = byScore(r);
  }
  const v = typed(c, keyArg(c, 1), 'zset');
  if (v === null) return;
  if (v === undefined) return c.out.raw(REPLY.zero);
  const first = firstInRange(v.zset, range);
  const last = lastInRange(v.zset, range);
  if (first === null || last === null) return c.out.raw(REPLY.zero);
  c.out.integer(Math.max(0, v.zset.rankOf(last.member) - v.zset.rankOf(first.member) + 1));
}

function zrevrank(c: Call): void {
  const v = typed(c, keyArg(c, 1), 'zset');
  if (v === null) return;
  const rank = v === undefined ? -1 : v.zset.rankOf(latin1(c.argv[2]!));
  if (rank < 0) c.out.raw(REPLY.nullBulk);
  else c.out.integer(v!.zset.size - 1 - rank);
}

type RemoveBy = 'rank' | 'score' | 'lex';

/** zremrangeGenericCommand: parse the range, look the key up, delete the nodes, free their bytes. */
function zremrange(c: Call, by: RemoveBy): void {
  let range: NodeRange | null = null;
  let start = 0;
  let end = 0;
  if (by === 'rank') {
    const s = intArg(c, 2);
    if (s === null) return;
    const e = intArg(c, 3);
    if (e === null) return;
    [start, end] = [s, e];
  } else if (by === 'score') {
    const r = scoreRangeArg(c, 2, 3);
    if (r === null) return;
    range = byScore(r);
  } else {
    const r = lexRangeArg(c, 2, 3);
    if (r === null) return;
    range = byLex(r);
  }
  const key = keyArg(c, 1);
  const v = typed(c, key, 'zset');
  if (v === null) return;
  if (v === undefined) return c.out.raw(REPLY.zero);
  const zset = v.zset;
  let doomed: ZNode[];
  if (range === null) {
    const r = clampRange(start, end, zset.size);
    if (r === null) return c.out.raw(REPLY.zero);
    doomed = [];
    for (let n = zset.byRank(r[0]); n !== null && doomed.length < r[1] - r[0] + 1; n = n.next[0] ?? null) doomed.push(n);
  } else {
    doomed = nodesInRange(zset, range);
  }
  for (const n of doomed) {
    zset.delete(n.member);
    c.ks.freeBytes(n.addr, n.len);
  }
  if (zset.size === 0) c.db.delete(key);
  c.out.integer(doomed.length);
}

type Aggregate = 'sum' | 'min' | 'max';

/** zunionInterAggregate: a NaN sum (inf + -inf) becomes 0; MIN/MAX compare as C does (NaN never wins). */
function aggregate(into: number, value: number, how: Aggregate): number {
  if (how === 'sum') {
    const s = into + value;
    return Number.isNaN(s) ? 0 : s;
  }
  if (how === 'min') return value < into ? value : into;
  return value > into ? value : into;
}

/** An input of ZUNIONSTORE/ZINTERSTORE: a sorted set, or a set whose members all score 1. */
interface ZInput {
  readonly value: object | null;
  readonly size: number;
  readonly weight: number;
  entries(): Iterable<{ member: string; score: number; addr: number; len: number }>;
  scoreOf(member: string): number | undefined;
}

/** zunionInterGenericCommand: numkeys, the keys (type-checked before the options), WEIGHTS, AGGREGATE. */
function zstore(c: Call, op: 'union' | 'inter'): void {
  const setnum = intArg(c, 2);
  if (setnum === null) return;
  if (setnum < 1) return c.out.error('ERR at least 1 input key is needed for ZUNIONSTORE/ZINTERSTORE');
  if (setnum > c.argv.length - 3) return c.out.error(ERR.syntax);
  const values = [];
  for (let j = 3; j < 3 + setnum; j++) {
    const v = c.db.get(keyArg(c, j));
    if (v !== undefined && v.type !== 'zset' && v.type !== 'set') return c.out.error(ERR.wrongType);
    values.push(v ?? null);
  }
  const weights = new Array<number>(setnum).fill(1);
  let how: Aggregate = 'sum';
  for (let j = 3 + setnum; j < c.argv.length; ) {
    const remaining = c.argv.length - j;
    if (remaining >= setnum + 1 && isWord(c.argv[j], 'weights')) {
      j++;
      for (let i = 0; i < setnum; i++, j++) {
        const w = parseDouble(c.argv[j]!);
        if (w === null) return c.out.error('ERR weight value is not a float');
        weights[i] = w;
      }
    } else if (remaining >= 2 && isWord(c.argv[j], 'aggregate')) {
      const a = c.argv[j + 1];
      if (isWord(a, 'sum')) how = 'sum';
      else if (isWord(a, 'min')) how = 'min';
      else if (isWord(a, 'max')) how = 'max';
      else return c.out.error(ERR.syntax);
      j += 2;
    } else {
      return c.out.error(ERR.syntax);
    }
  }
  const inputs: ZInput[] = values.map((v, i) => {
    const weight = weights[i]!;
    if (v === null) return { value: null, size: 0, weight, entries: () => [], scoreOf: () => undefined };
    if (v.type === 'set') {
      return {
        value: v,
        size: v.set.size,
        weight,
        entries: () => [...v.set].map((m) => ({ member: m.member, score: 1, addr: m.addr, len: m.len })),
        scoreOf: (m: string) => (v.set.has(m) ? 1 : undefined),
      };
    }
    const z = v as { zset: SortedSet };
    return { value: v, size: z.zset.size, weight, entries: () => z.zset, scoreOf: (m: string) => z.zset.get(m)?.score };
  });
  // Redis sorts the inputs by size first (zuiCompareByCardinality): the order the scores are summed in.
  const sorted = [...inputs].sort((a, b) => a.size - b.size);
  const result = new Map<string, { score: number; addr: number; len: number }>();
  const weighted = (score: number, w: number): number => {
    const s = score * w;
    return Number.isNaN(s) ? 0 : s;
  };
  if (op === 'inter') {
    const first = sorted[0]!;
    if (first.size > 0) {
      for (const e of first.entries()) {
        let score = weighted(e.score, first.weight);
        let everywhere = true;
        for (let j = 1; j < sorted.length; j++) {
          const other = sorted[j]!;
          const s = other.value === first.value ? e.score : other.scoreOf(e.member);
          if (s === undefined) {
            everywhere = false;
            break;
          }
          score = aggregate(score, s * other.weight, how);
        }
        if (everywhere) result.set(e.member, { score, addr: e.addr, len: e.len });
      }
    }
  } else {
    for (const input of sorted) {
      for (const e of input.entries()) {
        const score = weighted(e.score, input.weight);
        const had = result.get(e.member);
        if (had === undefined) result.set(e.member, { score, addr: e.addr, len: e.len });
        else had.score = aggregate(had.score, score, how);
      }
    }
  }
  const zset = new SortedSet(c.ks.random);
  for (const [member, e] of result) zset.insert(member, e.score, c.ks.putBytes(c.ks.readBytes(e.addr, e.len)), e.len);
  const dst = keyArg(c, 1);
  c.db.delete(dst);
  if (zset.size > 0) c.db.set(dst, { type: 'zset', zset });
  c.out.integer(zset.size);
}

/** BZPOPMIN / BZPOPMAX: pop from the first non-empty key as [key, member, score], else block. */
function bzpop(c: Call, max: boolean): void {
  const deadline = timeoutArg(c, c.argv.length - 1);
  if (deadline === null) return;
  const keys: string[] = [];
  for (let j = 1; j < c.argv.length - 1; j++) {
    const key = keyArg(c, j);
    const v = typed(c, key, 'zset');
    if (v === null) return;
    keys.push(key);
    if (v === undefined || v.zset.size === 0) continue;
    const node = max ? v.zset.last()! : v.zset.first()!;
    v.zset.delete(node.member);
    c.out.arrayHeader(3);
    c.out.bulk(c.argv[j]!);
    bulkAt(c, node.addr, node.len);
    c.out.bulkString(formatDouble(node.score));
    c.ks.freeBytes(node.addr, node.len);
    if (v.zset.size === 0) c.db.delete(key);
    return;
  }
  if (inTransaction(c.session)) return c.out.raw(NULL_ARRAY);
  blockedClients(c.ks).block(c, keys, max ? 'bzpopmax' : 'bzpopmin', deadline);
}

/** ZSCAN: the whole set in one step (cursor 0), as Redis does for small, ziplist-encoded sets. */
function zscan(c: Call): void {
  const cursor = scanCursorArg(c, 2);
  if (cursor === null) return;
  const v = typed(c, keyArg(c, 1), 'zset');
  if (v === null) return;
  if (v === undefined) return c.out.raw(EMPTY_SCAN);
  const opts = scanOptionsArg(c, 3);
  if (opts === null) return;
  const hits: ZNode[] = [];
  for (const n of v.zset) if (opts.match === null || stringMatch(opts.match, n.member)) hits.push(n);
  c.out.arrayHeader(2);
  c.out.bulkString('0');
  c.out.arrayHeader(2 * hits.length);
  for (const n of hits) {
    bulkAt(c, n.addr, n.len);
    c.out.bulkString(formatDouble(n.score));
  }
}

const K: [number, number, number] = [1, 1, 1];
export const zsetCommands: readonly CommandSpec[] = [
  spec('zadd', (c) => zadd(c), { arity: -4, flags: 'wmF', keys: K }),
  spec('zincrby', (c) => zadd(c, true), { arity: 4, flags: 'wmF', keys: K }),
  spec('zrange', (c) => zrange(c, false), { arity: -4, flags: 'r', keys: K }),
  spec('zrevrange', (c) => zrange(c, true), { arity: -4, flags: 'r', keys: K }),
  spec('zrangebyscore', (c) => zrangeBy(c, false, false), { arity: -4, flags: 'r', keys: K }),
  spec('zrevrangebyscore', (c) => zrangeBy(c, true, false), { arity: -4, flags: 'r', keys: K }),
  spec('zrangebylex', (c) => zrangeBy(c, false, true), { arity: -4, flags: 'r', keys: K }),
  spec('zrevrangebylex', (c) => zrangeBy(c, true, true), { arity: -4, flags: 'r', keys: K }),
  spec('zcount', (c) => zcount(c, false), { arity: 4, flags: 'rF', keys: K }),
  spec('zlexcount', (c) => zcount(c, true), { arity: 4, flags: 'rF', keys: K }),
  spec('zscore', zscore, { arity: 3, flags: 'rF', keys: K }),
  spec('zrank', zrank, { arity: 3, flags: 'rF', keys: K }),
  spec('zrevrank', zrevrank, { arity: 3, flags: 'rF', keys: K }),
  spec('zcard', zcard, { arity: 2, flags: 'rF', keys: K }),
  spec('zrem', zrem, { arity: -3, flags: 'wF', keys: K }),
  spec('zremrangebyrank', (c) => zremrange(c, 'rank'), { arity: 4, flags: 'w', keys: K }),
  spec('zremrangebyscore', (c) => zremrange(c, 'score'), { arity: 4, flags: 'w', keys: K }),
  spec('zremrangebylex', (c) => zremrange(c, 'lex'), { arity: 4, flags: 'w', keys: K }),
  spec('zunionstore', (c) => zstore(c, 'union'), { arity: -4, flags: 'wm', movableKeys: true }),
  spec('zinterstore', (c) => zstore(c, 'inter'), { arity: -4, flags: 'wm', movableKeys: true }),
  spec('zpopmin', (c) => zpop(c, false), { arity: -2, flags: 'wF', keys: K }),
  spec('zpopmax', (c) => zpop(c, true), { arity: -2, flags: 'wF', keys: K }),
  spec('bzpopmin', (c) => bzpop(c, false), { arity: -3, flags: 'wsF', keys: [1, -2, 1] }),
  spec('bzpopmax', (c) => bzpop(c, true), { arity: -3, flags: 'wsF', keys: [1, -2, 1] }),
  spec('zscan', zscan, { arity: -3, flags: 'rR', keys: K }),
];
