// The hashes family for the differential test: HSET/HMSET/HSETNX, HGET/HMGET, HGETALL/HKEYS/HVALS,
// HDEL, HLEN, HEXISTS, HSTRLEN, HINCRBY/HINCRBYFLOAT and HSCAN. Hashes stay small (few fields, values up to
// 64 bytes), so both servers keep them compact and answer HGETALL and HSCAN in insertion order.
// Kept out because Redis 7 (Debian's server) answers differently from Redis 5:
// - HSET/HMSET with a field but no value: Redis 5 "wrong number of arguments for HMSET", Redis 7 the
//   per-command arity error (pairs are always whole);
// - HINCRBYFLOAT giving negative zero ("-0" in Redis 5, "0" in Redis 7: no "-0" operand is drawn);
// - OBJECT ENCODING (ziplist in Redis 5, listpack in Redis 7); HSCAN of a large hash (cursor order).

import type { DiffCommand, Family, Rng } from './family.js';

// Drawing helpers (kept in each family file: the harness loads every file in this folder as a family).
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const between = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const keysOf = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

const KEYS = [...keysOf('h', 4), 'hstr'];
const FIELDS = ['a', 'b', 'c', 'num', 'fl', 'ab', ''];
const VALUES = ['1', 'v', '', '-20', '3.5', 'hello world', 'y'.repeat(64), '9223372036854775807'];

function one(rng: Rng): DiffCommand {
  const k = pick(rng, KEYS);
  const f = pick(rng, FIELDS);
  switch (between(rng, 0, 17)) {
    case 0:
    case 1:
      return { argv: ['hset', k, f, pick(rng, VALUES), pick(rng, FIELDS), pick(rng, VALUES)] };
    case 2:
      return { argv: ['hmset', k, f, pick(rng, VALUES)] };
    case 3:
      return { argv: ['hsetnx', k, f, pick(rng, VALUES)] };
    case 4:
      return { argv: ['hget', k, f] };
    case 5:
      return { argv: ['hmget', k, f, pick(rng, FIELDS)] };
    case 6:
      return { argv: [pick(rng, ['hgetall', 'hkeys', 'hvals']), k] };
    case 7:
      return { argv: ['hdel', k, f, pick(rng, FIELDS)] };
    case 8:
      return { argv: [pick(rng, ['hlen']), k] };
    case 9:
      return { argv: ['hexists', k, f] };
    case 10:
      return { argv: ['hstrlen', k, f] };
    case 11:
      return { argv: ['hincrby', k, f, pick(rng, ['1', '-5', '100', 'x', '9223372036854775807'])] };
    case 12:
    case 13:
      return { argv: ['hincrbyfloat', k, f, pick(rng, ['0.1', '-5.0e3', '2.5', '1e10', 'x', '0x10', '3'])] };
    case 14: {
      const argv = ['hscan', k, pick(rng, ['0', '0', 'x'])];
      if (rng() < 0.5) argv.push('match', pick(rng, ['a*', '*', '?', 'n[u]m']));
      if (rng() < 0.5) argv.push('count', pick(rng, ['1', '10', '0']));
      return { argv };
    }
    case 15:
      return { argv: ['set', 'hstr', 'text'] };
    case 16:
      return { argv: ['del', k] };
    default:
      return { argv: ['type', k] };
  }
}

export const family: Family = {
  name: 'hashes',
  commands: ['hset', 'hmset', 'hsetnx', 'hget', 'hmget', 'hgetall', 'hkeys', 'hvals', 'hdel', 'hlen', 'hexists', 'hstrlen', 'hincrby', 'hincrbyfloat', 'hscan', 'set', 'del', 'type'],
  sequence: (rng, n) => Array.from({ length: n }, () => one(rng)),
};
