// Commands across the 16 numbered databases (Redis db.c): MOVE a key to another db, SWAPDB two dbs.
// SELECT, FLUSHDB, FLUSHALL and DBSIZE are in keys.ts; a session's db index is Session.db.

import type { Call, CommandSpec } from './common.js';
import { REPLY, keyArg, spec } from './common.js';
import { parseInteger } from '../text.js';

/** moveCommand: Redis 5 answers a bad index with its shared "index out of range" error. */
function move(c: Call): void {
  const id = parseInteger(c.argv[2]!);
  if (id === null || id < 0 || id >= c.ks.dbs.length) return c.out.error('ERR index out of range');
  if (id === c.db.index) return c.out.error('ERR source and destination objects are the same');
  const key = keyArg(c, 1);
  const dst = c.ks.db(id);
  if (c.db.lookup(key) === undefined || dst.lookup(key) !== undefined) return c.out.raw(REPLY.zero);
  const e = c.db.take(key)!;
  dst.add(key, e.value, e.expireAt);
  c.out.raw(REPLY.one);
}

function swapdb(c: Call): void {
  const a = parseInteger(c.argv[1]!);
  if (a === null) return c.out.error('ERR invalid first DB index');
  const b = parseInteger(c.argv[2]!);
  if (b === null) return c.out.error('ERR invalid second DB index');
  const n = c.ks.dbs.length;
  if (a < 0 || a >= n || b < 0 || b >= n) return c.out.error('ERR DB index is out of range');
  if (a !== b) c.ks.db(a).swapWith(c.ks.db(b));
  c.out.raw(REPLY.ok);
}

export const databaseCommands: readonly CommandSpec[] = [
  spec('move', move, { arity: 3, flags: 'wF', keys: [1, 1, 1] }),
  spec('swapdb', swapdb, { arity: 3, flags: 'wF' }),
];
