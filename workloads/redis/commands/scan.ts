// The SCAN family's shared parts (Redis db.c scanGenericCommand): the cursor and MATCH/COUNT options
// as parsed before a scan, the reply for a missing key, and the reply for a page of elements. SSCAN,
// HSCAN and ZSCAN use them; SCAN of the keyspace keeps its own (it has TYPE too).

import type { Call } from './common.js';
import { ERR, bulkAt, intArg, isWord } from './common.js';
import { latin1 } from '../text.js';

/** shared.emptyscan: cursor 0 and no elements, for a missing key. */
export const EMPTY_SCAN = new TextEncoder().encode('*2\r\n$1\r\n0\r\n*0\r\n');
const UINT64_MAX = (1n << 64n) - 1n;

/** parseScanCursorOrReply: strtoul over the whole argument (a '-' wraps, as strtoul does), or null after the error. */
export function scanCursorArg(c: Call, i: number): bigint | null {
  const m = /^([+-]?)(\d+)$/.exec(latin1(c.argv[i]!));
  const v = m === null ? null : BigInt(m[2]!);
  if (m === null || v === null || v > UINT64_MAX) {
    c.out.error('ERR invalid cursor');
    return null;
  }
  return m[1] === '-' && v !== 0n ? (1n << 64n) - v : v;
}

/** scanGenericCommand's MATCH/COUNT options from argv[from]; null after replying the error. */
export function scanOptionsArg(c: Call, from: number): { count: number; match: string | null } | null {
  let count = 10;
  let match: string | null = null;
  for (let i = from; i < c.argv.length; i += 2) {
    const more = c.argv.length - i;
    if (isWord(c.argv[i], 'count') && more >= 2) {
      const n = intArg(c, i + 1);
      if (n === null) return null;
      if (n < 1) {
        c.out.error(ERR.syntax);
        return null;
      }
      count = n;
    } else if (isWord(c.argv[i], 'match') && more >= 2) {
      const p = latin1(c.argv[i + 1]!);
      match = p === '*' ? null : p;
    } else {
      c.out.error(ERR.syntax);
      return null;
    }
  }
  return { count, match };
}

/** The SCAN reply: the next cursor as a bulk, then the elements as (address, length) bulks. */
export function replyScan(c: Call, cursor: bigint | number, items: readonly { addr: number; len: number }[]): void {
  c.out.arrayHeader(2);
  c.out.bulkString(String(cursor));
  c.out.arrayHeader(items.length);
  for (const m of items) bulkAt(c, m.addr, m.len);
}
