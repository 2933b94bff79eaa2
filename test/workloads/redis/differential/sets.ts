// The set family of the differential test: adds and removes, SMOVE, the algebra and its STORE forms over
// three set keys (and a list key, for WRONGTYPE). Replies whose order is the hash table's are compared as
// multisets, random ones (SRANDMEMBER, SSCAN's cursor) by shape; SPOP only ever empties a whole set, so
// both servers keep the same contents. Left out, as Redis 7 answers differently from Redis 5: SPOP with a
// negative or non-integer count (5: `ERR index out of range` / `ERR value is not an integer or out of range`,
// 7: `ERR value is out of range, must be positive`); SINTER/SINTERSTORE with a missing key before a key of
// another type (5 stops at the missing key and answers an empty result, 7 type-checks every key and answers
// WRONGTYPE), so a wrong-type key only comes first there; SINTERCARD and SMISMEMBER (7 only).

import type { DiffCommand, Family, Rng } from './family.js';

const KEYS = ['s1', 's2', 's3'];
const ANY = [...KEYS, 'nokey', 'list'];
const MEMBERS = ['a', 'b', 'c', 'd', '1', '2', '300'];

const pick = <T>(rng: Rng, from: readonly T[]): T => from[Math.floor(rng() * from.length)]!;
const some = (rng: Rng, from: readonly string[]): string[] => Array.from({ length: 1 + Math.floor(rng() * 3) }, () => pick(rng, from));

const draw: ((rng: Rng) => DiffCommand)[] = [
  (r) => ({ argv: ['sadd', pick(r, KEYS), ...some(r, MEMBERS)] }),
  (r) => ({ argv: ['sadd', pick(r, KEYS), ...some(r, MEMBERS)] }),
  (r) => ({ argv: ['srem', pick(r, KEYS), ...some(r, MEMBERS)] }),
  (r) => ({ argv: ['smembers', pick(r, ANY)], compare: 'unordered' }),
  (r) => ({ argv: ['sismember', pick(r, ANY), pick(r, MEMBERS)] }),
  (r) => ({ argv: ['scard', pick(r, ANY)] }),
  (r) => ({ argv: ['smove', pick(r, ANY), pick(r, ANY), pick(r, MEMBERS)] }),
  (r) => ({ argv: [pick(r, ['sunion', 'sdiff']), ...some(r, ANY)], compare: 'unordered' }),
  (r) => ({ argv: [pick(r, ['sunionstore', 'sdiffstore']), pick(r, KEYS), ...some(r, ANY)] }),
  (r) => ({ argv: ['sinter', ...some(r, [...KEYS, 'nokey'])], compare: 'unordered' }),
  (r) => ({ argv: ['sinterstore', pick(r, KEYS), ...some(r, [...KEYS, 'nokey'])] }),
  (r) => ({ argv: ['sinter', 'list', ...some(r, ANY)] }),
  (r) => ({ argv: ['srandmember', pick(r, ANY)], compare: 'shape' }),
  (r) => ({ argv: ['srandmember', pick(r, ANY), pick(r, ['0', '2', '-3', '10', 'x'])], compare: 'shape' }),
  (r) => ({ argv: ['spop', pick(r, ANY), '100'], compare: 'unordered' }),
  (r) => ({ argv: ['sscan', pick(r, ANY), '0', 'COUNT', '100'], compare: 'shape' }),
  (r) => ({ argv: ['sscan', pick(r, ANY), pick(r, ['x', '0']), 'COUNT', pick(r, ['0', 'x'])] }),
  () => ({ argv: ['rpush', 'list', 'x'] }),
];

export const family: Family = {
  name: 'sets',
  commands: ['sadd', 'srem', 'smembers', 'sismember', 'scard', 'smove', 'sinter', 'sunion', 'sdiff', 'sinterstore', 'sunionstore', 'sdiffstore', 'srandmember', 'spop', 'sscan', 'rpush'],
  sequence(rng: Rng, n: number): DiffCommand[] {
    return Array.from({ length: n }, () => pick(rng, draw)(rng));
  },
};
