// The keys family for the differential test: DEL/UNLINK/EXISTS/TOUCH/TYPE, RENAME/RENAMENX, the expiry
// commands, KEYS/SCAN/RANDOMKEY, SORT over lists and integer sets, OBJECT on strings, lists and integer
// sets, and the databases (SELECT, always followed by a SELECT 0 back; MOVE, SWAPDB, DBSIZE, FLUSHDB).
// Kept out because Redis 7 (Debian's server) answers differently from Redis 5, or because no two servers agree:
// - MOVE to a bad index: Redis 5 "ERR index out of range", Redis 7 "ERR DB index is out of range" (only 0..2);
// - SELECT of a non-number: Redis 5 "ERR invalid DB index", Redis 7 the integer error (indexes are numbers);
// - OBJECT ENCODING of hashes and sorted sets: Redis 7 says listpack where Redis 5 says ziplist; OBJECT with a
//   bad subcommand or arity has Redis 7's new error texts (not drawn);
// - EXPIRE past the 64-bit range: Redis 7 refuses it, Redis 5 wraps (TTLs stay small);
// - DUMP: Redis 7 writes RDB version 10 and listpacks, so payloads differ (DUMP/RESTORE are tested per command);
// - KEYS order, SCAN cursors, RANDOMKEY and OBJECT IDLETIME depend on each server's hash table or clock,
//   so they are compared unordered or by shape; SORT BY nosort is drawn only with STORE (a set has no order).

import type { DiffCommand, Family, Rng } from './family.js';

// Drawing helpers (kept in each family file: the harness loads every file in this folder as a family).
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const between = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const keysOf = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

const KEYS = keysOf('k', 6);
const STRINGS = ['1', '42', '9999', '10000', 'abc', '-5', 'x'.repeat(50), '3.5'];
const NUMBERS = ['1', '2', '3', '4', '5', '10', '-1'];
const SORT_OPTIONS: string[][] = [[], ['desc'], ['alpha'], ['limit', '1', '2'], ['limit', '0', '-1'], ['by', 'w*'], ['by', 'w*', 'get', '#', 'get', 'w*'], ['get', 'nostar'], ['alpha', 'desc', 'limit', '-1', '3']];

function one(rng: Rng): DiffCommand[] {
  const k = pick(rng, KEYS);
  const k2 = pick(rng, KEYS);
  switch (between(rng, 0, 27)) {
    case 0:
    case 1:
      return [{ argv: ['set', k, pick(rng, STRINGS)] }];
    case 2:
      return [{ argv: ['rpush', k, pick(rng, NUMBERS), pick(rng, NUMBERS)] }];
    case 3:
      return [{ argv: ['sadd', k, pick(rng, NUMBERS), pick(rng, NUMBERS)] }];
    case 4:
      return [{ argv: [pick(rng, ['del', 'unlink']), k, k2] }];
    case 5:
      return [{ argv: [pick(rng, ['exists', 'touch']), k, k2, k] }];
    case 6:
      return [{ argv: ['type', k] }];
    case 7:
      return [{ argv: [pick(rng, ['rename', 'renamenx']), k, k2] }];
    case 8:
      return [{ argv: ['expire', k, pick(rng, ['1000', '5000', '0', '-3', 'x'])] }];
    case 9:
      return [{ argv: ['pexpire', k, pick(rng, ['2000000', '-1'])] }];
    case 10:
      return [{ argv: [pick(rng, ['expireat', 'pexpireat']), k, pick(rng, ['1', '0'])] }];
    case 11:
      return [{ argv: ['ttl', k] }];
    case 12:
      return [{ argv: ['pttl', k], compare: 'shape' }];
    case 13:
      return [{ argv: ['persist', k] }];
    case 14:
      return [{ argv: ['keys', pick(rng, ['*', 'k[0-2]', 'k?', 'w*', 'nomatch'])], compare: 'unordered' }];
    case 15:
      return [{ argv: ['scan', '0', 'count', '100'], compare: 'shape' }, { argv: ['randomkey'], compare: 'shape' }];
    case 16:
      return [{ argv: ['dbsize'] }];
    case 17:
    case 18:
      return [{ argv: ['sort', k, ...pick(rng, SORT_OPTIONS)] }];
    case 19:
      return [{ argv: ['sort', k, ...pick(rng, [[], ['by', 'nosort'], ['desc', 'get', 'w*']]), 'store', k2] }];
    case 20:
      return [{ argv: ['set', `w${pick(rng, NUMBERS)}`, pick(rng, NUMBERS)] }];
    case 21:
      return [{ argv: ['object', pick(rng, ['encoding', 'refcount']), k] }, { argv: ['object', 'idletime', k], compare: 'shape' }];
    case 22:
      return [{ argv: ['move', k, pick(rng, ['0', '1', '2'])] }];
    case 23: {
      const db = pick(rng, ['1', '2']);
      return [{ argv: ['select', db] }, { argv: pick(rng, [['get', k], ['dbsize'], ['set', k, 'in' + db], ['move', k, '0'], ['flushdb']]) }, { argv: ['select', '0'] }];
    }
    case 24:
      return [{ argv: ['swapdb', pick(rng, ['0', '1', '2']), pick(rng, ['0', '1', '2'])] }];
    case 25:
      return [{ argv: ['select', pick(rng, ['16', '-1'])] }];
    case 26:
      return [{ argv: ['get', k] }];
    default:
      return [{ argv: ['lrange', k, '0', '-1'] }];
  }
}

export const family: Family = {
  name: 'keys',
  commands: ['set', 'get', 'rpush', 'lrange', 'sadd', 'del', 'unlink', 'exists', 'touch', 'type', 'rename', 'renamenx', 'expire', 'pexpire', 'expireat', 'pexpireat', 'ttl', 'pttl', 'persist', 'keys', 'scan', 'randomkey', 'dbsize', 'sort', 'object', 'move', 'select', 'swapdb', 'flushdb'],
  sequence(rng, n) {
    const out: DiffCommand[] = [];
    while (out.length < n) out.push(...one(rng));
    // Never leave the connection on another db, even when cut short: drop a trailing partial SELECT group.
    while (out.length > n) out.pop();
    let last = -1;
    out.forEach((c, i) => {
      if (c.argv[0] === 'select' && c.argv[1] !== '0' && c.argv[1] !== '16' && c.argv[1] !== '-1') last = i;
    });
    if (last >= 0 && !out.slice(last).some((c) => c.argv[0] === 'select' && c.argv[1] === '0')) out.splice(last);
    while (out.length < n) out.push({ argv: ['dbsize'] });
    return out;
  },
};
