// The string family for the differential test: SET/GET, the INCR family and INCRBYFLOAT, APPEND,
// STRLEN, GETRANGE/SUBSTR, SETRANGE, MSET/MSETNX/MGET, GETSET, SETNX, and the bit commands.
// Kept out because Redis 7 (Debian's server) answers differently from Redis 5:
// - INCRBYFLOAT giving negative zero: Redis 5 prints "-0", Redis 7 "0" (no "-0" operand is drawn);
// - SETRANGE past 512MB: Redis 7 names proto-max-bulk-len in the error (offsets stay small);
// - MSET/MSETNX with an odd argument count: Redis 5 "wrong number of arguments for MSET", Redis 7 the
//   per-command arity error (pairs are always whole);
// - SETEX/PSETEX with a TTL <= 0: Redis 7 quotes the command name ("in 'setex' command") (TTLs are positive);
// - DECRBY -9223372036854775808: Redis 5 negates it unchecked, Redis 7 refuses it ("decrement would
//   overflow") (INCRBY alone takes that operand);
// - SET ... GET / KEEPTTL are Redis 6+ options (not drawn); OBJECT ENCODING is in the keys family.

import type { DiffCommand, Family, Rng } from './family.js';

// Drawing helpers (kept in each family file: the harness loads every file in this folder as a family).
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const between = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const keysOf = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

const KEYS = [...keysOf('s', 5), 'slist'];
const VALUES = ['', '0', '1', '-7', '42', '10.5', 'abc', 'foobar', 'Hello World', '\xff\xf0\x00', '9223372036854775807', '3.0e3', '0.1'];
const FLOATS = ['0.1', '-5.0e3', '2.5', '1e10', '-1.5', '0x10', '1e-5', 'abc', '.5', '3', '1.7976931348623157e308'];
const INTS = ['0', '1', '-1', '5', '-100', '2', '9223372036854775807', 'x', '1.5', '-9223372036854775808'];
const RANGE = ['0', '1', '2', '-1', '-2', '-5', '3', '10', '100', 'x'];
const OFFSETS = ['0', '1', '3', '7', '8', '15', '31', '100', '-1', 'x'];

function one(rng: Rng): DiffCommand {
  const k = pick(rng, KEYS);
  const v = pick(rng, VALUES);
  switch (between(rng, 0, 24)) {
    case 0:
      return { argv: ['set', k, v] };
    case 1:
      return { argv: ['get', k] };
    case 2:
      return { argv: [pick(rng, ['incr', 'decr']), k] };
    case 3:
    {
      const by = pick(rng, INTS);
      return { argv: [by === '-9223372036854775808' ? 'incrby' : pick(rng, ['incrby', 'decrby']), k, by] };
    }
    case 4:
    case 5:
      return { argv: ['incrbyfloat', k, pick(rng, FLOATS)] };
    case 6:
      return { argv: ['append', k, v] };
    case 7:
      return { argv: ['strlen', k] };
    case 8:
      return { argv: [pick(rng, ['getrange', 'substr']), k, pick(rng, RANGE), pick(rng, RANGE)] };
    case 9:
      return { argv: ['setrange', k, pick(rng, ['0', '1', '3', '10', '-1']), pick(rng, ['', 'xy', 'Redis'])] };
    case 10:
      return { argv: ['mset', k, v, pick(rng, KEYS), pick(rng, VALUES)] };
    case 11:
      return { argv: ['msetnx', k, v, pick(rng, KEYS), pick(rng, VALUES)] };
    case 12:
      return { argv: ['mget', k, pick(rng, KEYS), pick(rng, KEYS)] };
    case 13:
      return { argv: ['getset', k, v] };
    case 14:
      return { argv: ['setnx', k, v] };
    case 15:
      return { argv: ['setbit', k, pick(rng, OFFSETS), pick(rng, ['0', '1', '1', '2'])] };
    case 16:
      return { argv: ['getbit', k, pick(rng, OFFSETS)] };
    case 17: {
      const argv = ['bitcount', k];
      if (rng() < 0.6) argv.push(pick(rng, RANGE), pick(rng, RANGE));
      return { argv };
    }
    case 18: {
      const argv = ['bitpos', k, pick(rng, ['0', '1', '1', '2'])];
      if (rng() < 0.6) argv.push(pick(rng, RANGE));
      if (argv.length === 4 && rng() < 0.5) argv.push(pick(rng, RANGE));
      return { argv };
    }
    case 19: {
      const op = pick(rng, ['and', 'or', 'xor', 'not', 'AND']);
      const sources = op === 'not' ? [pick(rng, KEYS)] : [pick(rng, KEYS), pick(rng, KEYS)];
      return { argv: ['bitop', op, pick(rng, KEYS), ...sources] };
    }
    case 20:
      return { argv: ['rpush', 'slist', 'x'] };
    case 21:
      return { argv: ['del', k] };
    case 22:
      return { argv: ['setex', k, pick(rng, ['100', '1000']), v] };
    case 23:
      return { argv: ['psetex', k, pick(rng, ['100000', 'x']), v] };
    default:
      return { argv: ['exists', k] };
  }
}

export const family: Family = {
  name: 'strings',
  commands: ['set', 'get', 'incr', 'decr', 'incrby', 'decrby', 'incrbyfloat', 'append', 'strlen', 'getrange', 'substr', 'setrange', 'mset', 'msetnx', 'mget', 'getset', 'setnx', 'setex', 'psetex', 'setbit', 'getbit', 'bitcount', 'bitpos', 'bitop', 'rpush', 'del', 'exists'],
  sequence: (rng, n) => Array.from({ length: n }, () => one(rng)),
};
