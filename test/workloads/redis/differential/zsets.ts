// The sorted-set family of the differential test: ZADD with its flags, ZINCRBY, the rank, score and lex
// ranges, the removals, ZUNIONSTORE/ZINTERSTORE (with a set among the inputs) and the pops. Scores are
// dyadic (halves, integers, ±inf) so every sum is exact. The lex commands only touch the key `lex`, whose
// members all score 0: Redis leaves lex ranges over mixed scores unspecified.
// Left out, as Redis 7 answers differently from Redis 5: ZUNIONSTORE/ZINTERSTORE with numkeys 0 (7 names
// the command in its error), ZPOPMIN/ZPOPMAX with a negative count (5 answers an empty array, 7
// `ERR value is out of range, must be positive`), ZADD GT/LT, ZRANGE BYSCORE/REV/LIMIT, ZRANGESTORE, ZMSCORE, ZRANDMEMBER (7 only).

import type { DiffCommand, Family, Rng } from './family.js';

const KEYS = ['z1', 'z2', 'z3'];
const ANY = [...KEYS, 'nokey', 'set'];
const MEMBERS = ['a', 'b', 'c', 'd', 'e'];
const SCORES = ['0', '1', '-1', '2.5', '-0.5', '3', '10', '+inf', '-inf'];
const BOUNDS = ['-inf', '+inf', '0', '1', '(1', '2.5', '(2.5', '-1', '(-inf', '3', 'x'];
const LEX = ['-', '+', '[a', '(a', '[b', '(c', '[cc', '(e', 'a'];
const RANKS = ['0', '1', '-1', '-2', '3', '10', 'x'];

const pick = <T>(rng: Rng, from: readonly T[]): T => from[Math.floor(rng() * from.length)]!;
const limit = (r: Rng): string[] => (r() < 0.3 ? ['LIMIT', pick(r, ['0', '1', '-1']), pick(r, ['1', '2', '-1', '0'])] : []);
const pairs = (r: Rng): string[] => Array.from({ length: 1 + Math.floor(r() * 3) }, () => [pick(r, SCORES), pick(r, MEMBERS)]).flat();

const draw: ((rng: Rng) => DiffCommand)[] = [
  (r) => ({ argv: ['zadd', pick(r, KEYS), ...pairs(r)] }),
  (r) => ({ argv: ['zadd', pick(r, KEYS), ...pairs(r)] }),
  (r) => ({ argv: ['zadd', pick(r, KEYS), pick(r, ['NX', 'XX', 'CH', 'XX', 'NX']), ...(r() < 0.5 ? ['CH'] : []), ...pairs(r)] }),
  (r) => ({ argv: ['zadd', pick(r, KEYS), ...(r() < 0.5 ? [pick(r, ['NX', 'XX'])] : []), 'INCR', pick(r, SCORES), pick(r, MEMBERS)] }),
  (r) => ({ argv: ['zincrby', pick(r, ANY), pick(r, [...SCORES, 'x']), pick(r, MEMBERS)] }),
  (r) => ({ argv: [pick(r, ['zscore', 'zrank', 'zrevrank']), pick(r, ANY), pick(r, MEMBERS)] }),
  (r) => ({ argv: ['zcard', pick(r, ANY)] }),
  (r) => ({ argv: ['zrem', pick(r, ANY), pick(r, MEMBERS), pick(r, MEMBERS)] }),
  (r) => ({ argv: [pick(r, ['zrange', 'zrevrange']), pick(r, ANY), pick(r, RANKS), pick(r, RANKS), ...(r() < 0.5 ? ['WITHSCORES'] : [])] }),
  (r) => ({ argv: [pick(r, ['zrangebyscore', 'zrevrangebyscore']), pick(r, ANY), pick(r, BOUNDS), pick(r, BOUNDS), ...(r() < 0.5 ? ['WITHSCORES'] : []), ...limit(r)] }),
  (r) => ({ argv: ['zcount', pick(r, ANY), pick(r, BOUNDS), pick(r, BOUNDS)] }),
  (r) => ({ argv: ['zremrangebyscore', pick(r, ANY), pick(r, BOUNDS), pick(r, BOUNDS)] }),
  (r) => ({ argv: ['zremrangebyrank', pick(r, ANY), pick(r, RANKS), pick(r, RANKS)] }),
  (r) => ({ argv: ['zadd', 'lex', '0', pick(r, MEMBERS), '0', pick(r, ['aa', 'cc', 'b', 'f'])] }),
  (r) => ({ argv: [pick(r, ['zrangebylex', 'zrevrangebylex']), 'lex', pick(r, LEX), pick(r, LEX), ...limit(r)] }),
  (r) => ({ argv: ['zlexcount', 'lex', pick(r, LEX), pick(r, LEX)] }),
  (r) => ({ argv: ['zremrangebylex', 'lex', pick(r, LEX), pick(r, LEX)] }),
  (r) => {
    const n = 1 + Math.floor(r() * 3);
    const keys = Array.from({ length: n }, () => pick(r, ANY));
    const weights = r() < 0.4 ? ['WEIGHTS', ...keys.map(() => pick(r, ['1', '2', '3', '0.5']))] : [];
    const agg = r() < 0.4 ? ['AGGREGATE', pick(r, ['sum', 'MIN', 'max'])] : [];
    return { argv: [pick(r, ['zunionstore', 'zinterstore']), pick(r, KEYS), String(n), ...keys, ...weights, ...agg] };
  },
  (r) => ({ argv: [pick(r, ['zunionstore', 'zinterstore']), pick(r, KEYS), pick(r, ['3', 'x']), pick(r, ANY)] }),
  (r) => ({ argv: [pick(r, ['zpopmin', 'zpopmax']), pick(r, ANY), ...(r() < 0.5 ? [pick(r, ['1', '2', '10'])] : [])] }),
  (r) => ({ argv: ['zscan', pick(r, ANY), '0'], compare: 'shape' }),
  (r) => ({ argv: ['zrange', pick(r, ANY), '0', '-1', 'WITHSCORES'] }),
  () => ({ argv: ['sadd', 'set', 'a', 'b'] }),
];

export const family: Family = {
  name: 'zsets',
  commands: [
    'zadd', 'zincrby', 'zscore', 'zrank', 'zrevrank', 'zcard', 'zrem', 'zrange', 'zrevrange', 'zrangebyscore', 'zrevrangebyscore',
    'zcount', 'zremrangebyscore', 'zremrangebyrank', 'zrangebylex', 'zrevrangebylex', 'zlexcount', 'zremrangebylex',
    'zunionstore', 'zinterstore', 'zpopmin', 'zpopmax', 'zscan', 'sadd',
  ],
  sequence(rng: Rng, n: number): DiffCommand[] {
    return Array.from({ length: n }, () => pick(rng, draw)(rng));
  },
};
