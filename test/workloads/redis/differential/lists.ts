// The list family of the differential test: pushes, pops, LINSERT/LREM/LSET/LTRIM/RPOPLPUSH and the
// reads over three keys, so commands collide, move elements between lists and empty them again (and a
// set's key, which every list command answers with WRONGTYPE).
// Left out, as Redis 7 answers them differently from Redis 5: LPOP/RPOP with a count (7 takes it, 5
// answers an arity error). The blocking commands stay out of random sequences (they have their own tests).

import type { DiffCommand, Family, Rng } from './family.js';

const KEYS = ['l1', 'l2', 'l3'];
/** With a set's key too, for WRONGTYPE. */
const ANY = [...KEYS, 'set'];
const VALUES = ['a', 'b', 'c', '1', '22', ''];
const INDEXES = ['0', '1', '2', '-1', '-2', '-5', '7', 'x'];

const pick = <T>(rng: Rng, from: readonly T[]): T => from[Math.floor(rng() * from.length)]!;

const draw: ((rng: Rng) => readonly string[])[] = [
  (r) => ['lpush', pick(r, KEYS), pick(r, VALUES), pick(r, VALUES)],
  (r) => ['rpush', pick(r, ANY), pick(r, VALUES)],
  (r) => ['rpush', pick(r, KEYS), pick(r, VALUES), pick(r, VALUES), pick(r, VALUES)],
  (r) => [pick(r, ['lpushx', 'rpushx']), pick(r, KEYS), pick(r, VALUES)],
  (r) => [pick(r, ['lpop', 'rpop']), pick(r, ANY)],
  (r) => ['llen', pick(r, KEYS)],
  (r) => ['lrange', pick(r, ANY), pick(r, INDEXES), pick(r, INDEXES)],
  (r) => ['lrange', pick(r, KEYS), '0', '-1'],
  (r) => ['lindex', pick(r, ANY), pick(r, INDEXES)],
  (r) => ['linsert', pick(r, ANY), pick(r, ['before', 'AFTER', 'middle']), pick(r, VALUES), pick(r, VALUES)],
  (r) => ['lrem', pick(r, ANY), pick(r, ['0', '1', '-1', '2', '-2', 'z']), pick(r, VALUES)],
  (r) => ['lset', pick(r, ANY), pick(r, INDEXES), pick(r, VALUES)],
  (r) => ['ltrim', pick(r, ANY), pick(r, INDEXES), pick(r, INDEXES)],
  (r) => ['rpoplpush', pick(r, ANY), pick(r, ANY)],
  (r) => ['lpush', pick(r, KEYS)],
  () => ['sadd', 'set', 'm'],
];

export const family: Family = {
  name: 'lists',
  commands: ['lpush', 'rpush', 'lpushx', 'rpushx', 'lpop', 'rpop', 'llen', 'lrange', 'lindex', 'linsert', 'lrem', 'lset', 'ltrim', 'rpoplpush', 'sadd'],
  sequence(rng: Rng, n: number): DiffCommand[] {
    const out: DiffCommand[] = [];
    for (let i = 0; i < n; i++) out.push({ argv: pick(rng, draw)(rng) });
    return out;
  },
};
