// Stream commands (t_stream.c: XADD with MAXLEN, XLEN, XRANGE), listed after the sorted-set
// commands of zsets.ts (t_zset.c) so the dispatcher's table takes both from here.

import type { Call, CommandSpec } from './common.js';
import { ERR, REPLY, bulkAt, isWord, keyArg, longLongArg, spec, typed } from './common.js';
import type { StreamId } from '../structs/stream.js';
import { Stream, UINT64_MAX, compareIds, formatId } from '../structs/stream.js';
import { latin1, parseLongLong } from '../text.js';
import { zsetCommands } from './zsets.js';

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
  ...zsetCommands,
  spec('xadd', xadd, { arity: -5, flags: 'wmFR', keys: K }),
  spec('xlen', xlen, { arity: 2, flags: 'rF', keys: K }),
  spec('xrange', xrange, { arity: -4, flags: 'r', keys: K }),
];
