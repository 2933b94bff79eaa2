// Sorted-set commands (t_zset.c: ZADD with NX/XX/CH/INCR, ZRANGE/ZREVRANGE [WITHSCORES],
// ZSCORE, ZRANK, ZCARD, ZREM, ZPOPMIN, ZPOPMAX) and stream commands (t_stream.c: XADD with
// MAXLEN, XLEN, XRANGE). Scores are doubles replied as printf("%.17g") like addReplyDouble.

import type { Call, CommandSpec } from './common.js';
import { ERR, REPLY, bulkAt, clampRange, doubleArg, intArg, isWord, keyArg, longLongArg, spec, typed } from './common.js';
import { SortedSet } from '../structs/sorted-set.js';
import type { StreamId } from '../structs/stream.js';
import { Stream, UINT64_MAX, compareIds, formatId } from '../structs/stream.js';
import { formatDouble, latin1, parseLongLong } from '../text.js';

function zadd(c: Call): void {
  let nx = false;
  let xx = false;
  let ch = false;
  let incr = false;
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
  let withScores = false;
  if (c.argv.length === 5 && isWord(c.argv[4], 'withscores')) withScores = true;
  else if (c.argv.length >= 5) return c.out.error(ERR.syntax);
  const start = intArg(c, 2);
  if (start === null) return;
  const end = intArg(c, 3);
  if (end === null) return;
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

const INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';
const UINT = /^[ \t\n\v\f\r]*\+?[0-9]+$/;

/** string2ull: string2ll if non-negative, else what strtoull accepts in full. */
function parseUint64(s: string): bigint | null {
  const ll = parseLongLong(new Uint8Array(Buffer.from(s, 'latin1')));
  if (ll !== null) return ll < 0n ? null : ll;
  if (!UINT.test(s)) return null;
  const v = BigInt(s.trim());
  return v > UINT64_MAX ? null : v;
}

/** streamParseIDOrReply: "-", "+", "ms" (seq = missingSeq) or "ms-seq". */
function parseStreamId(c: Call, i: number, missingSeq: bigint): StreamId | null {
  const s = latin1(c.argv[i]!);
  if (s === '-') return { ms: 0n, seq: 0n };
  if (s === '+') return { ms: UINT64_MAX, seq: UINT64_MAX };
  const dash = s.indexOf('-');
  const ms = s.length > 127 ? null : parseUint64(dash < 0 ? s : s.slice(0, dash));
  const seq = dash < 0 ? missingSeq : parseUint64(s.slice(dash + 1));
  if (ms === null || seq === null) {
    c.out.error(INVALID_ID);
    return null;
  }
  return { ms, seq };
}

function xadd(c: Call): void {
  let maxlen = -1;
  let approx = false;
  let id: StreamId | null = null;
  let i = 2;
  for (; i < c.argv.length; i++) {
    const more = c.argv.length - 1 - i;
    const a = c.argv[i]!;
    if (a.length === 1 && a[0] === 0x2a) break;
    if (isWord(a, 'maxlen') && more > 0) {
      const next = c.argv[i + 1]!;
      if (more >= 2 && next.length === 1 && next[0] === 0x7e) {
        approx = true;
        i++;
      }
      const n = longLongArg(c, i + 1);
      if (n === null) return;
      if (n < 0n) return c.out.error('ERR The MAXLEN argument must be >= 0.');
      maxlen = Number(n);
      i++;
    } else {
      id = parseStreamId(c, i, 0n);
      if (id === null) return;
      break;
    }
  }
  const fieldAt = i + 1;
  const pairs = c.argv.length - fieldAt;
  if (pairs < 2 || pairs % 2 === 1) return c.out.error('ERR wrong number of arguments for XADD');
  if (id !== null && id.ms === 0n && id.seq === 0n) return c.out.error('ERR The ID specified in XADD must be greater than 0-0');
  const key = keyArg(c, 1);
  let v = typed(c, key, 'stream');
  if (v === null) return;
  const stream = v?.stream ?? new Stream();
  const next = id ?? stream.nextId(BigInt(c.ks.now()));
  if (next === null || compareIds(next, stream.lastId) <= 0) {
    return c.out.error('ERR The ID specified in XADD is equal or smaller than the target stream top item');
  }
  if (v === undefined) {
    v = { type: 'stream', stream };
    c.db.set(key, v);
  }
  const fields: number[] = [];
  for (let j = fieldAt; j < c.argv.length; j++) fields.push(c.ks.putBytes(c.argv[j]!), c.argv[j]!.length);
  stream.append({ id: next, fields });
  c.out.bulkString(formatId(next));
  if (maxlen >= 0) for (const e of stream.trimTo(maxlen, { approx })) c.ks.releaseFields(e.fields);
}

function xlen(c: Call): void {
  const v = typed(c, keyArg(c, 1), 'stream');
  if (v !== null) c.out.integer(v?.stream.length ?? 0);
}

function xrange(c: Call): void {
  const start = parseStreamId(c, 2, 0n);
  if (start === null) return;
  const end = parseStreamId(c, 3, UINT64_MAX);
  if (end === null) return;
  let count = -1;
  for (let j = 4; j < c.argv.length; j++) {
    if (!isWord(c.argv[j], 'count') || j + 1 >= c.argv.length) return c.out.error(ERR.syntax);
    const n = longLongArg(c, ++j);
    if (n === null) return;
    count = n < 0n ? 0 : Number(n);
  }
  const v = typed(c, keyArg(c, 1), 'stream');
  if (v === null) return;
  if (v === undefined || count === 0) return c.out.raw(REPLY.emptyArray);
  const hits = [];
  for (const e of v.stream) {
    if (compareIds(e.id, start) < 0) continue;
    if (compareIds(e.id, end) > 0 || hits.length === count) break;
    hits.push(e);
  }
  c.out.arrayHeader(hits.length);
  for (const e of hits) {
    c.out.arrayHeader(2);
    c.out.bulkString(formatId(e.id));
    c.out.arrayHeader(e.fields.length / 2);
    for (let k = 0; k < e.fields.length; k += 2) bulkAt(c, e.fields[k]!, e.fields[k + 1]!);
  }
}

const K: [number, number, number] = [1, 1, 1];
export const zsetStreamCommands: readonly CommandSpec[] = [
  spec('zadd', zadd, { arity: -4, flags: 'wmF', keys: K }),
  spec('zrange', (c) => zrange(c, false), { arity: -4, flags: 'r', keys: K }),
  spec('zrevrange', (c) => zrange(c, true), { arity: -4, flags: 'r', keys: K }),
  spec('zscore', zscore, { arity: 3, flags: 'rF', keys: K }),
  spec('zrank', zrank, { arity: 3, flags: 'rF', keys: K }),
  spec('zcard', zcard, { arity: 2, flags: 'rF', keys: K }),
  spec('zrem', zrem, { arity: -3, flags: 'wF', keys: K }),
  spec('zpopmin', (c) => zpop(c, false), { arity: -2, flags: 'wF', keys: K }),
  spec('zpopmax', (c) => zpop(c, true), { arity: -2, flags: 'wF', keys: K }),
  spec('xadd', xadd, { arity: -5, flags: 'wmFR', keys: K }),
  spec('xlen', xlen, { arity: 2, flags: 'rF', keys: K }),
  spec('xrange', xrange, { arity: -4, flags: 'r', keys: K }),
];
