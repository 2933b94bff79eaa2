// The HyperLogLog family for the differential test: PFADD, PFCOUNT (one key, cached, and several keys)
// and PFMERGE, over small and growing sets, with plain strings in the way; GET and STRLEN compare the
// HLL strings themselves (sparse, promoted to dense, cached cardinality), which Redis 7 writes as Redis 5.

import type { DiffCommand, Family, Rng } from './family.js';

// Drawing helpers (kept in each family file: the harness loads every file in this folder as a family).
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const between = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const keysOf = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

const KEYS = [...keysOf('p', 4), 'pstr'];

function one(rng: Rng): DiffCommand {
  const k = pick(rng, KEYS);
  switch (between(rng, 0, 11)) {
    case 0:
    case 1:
    case 2: {
      const elements = Array.from({ length: between(rng, 0, 40) }, () => `e${between(rng, 0, 5000)}`);
      return { argv: ['pfadd', k, ...elements] };
    }
    case 3:
    case 4:
      return { argv: ['pfcount', k] };
    case 5:
      return { argv: ['pfcount', k, pick(rng, KEYS), pick(rng, KEYS)] };
    case 6:
      return { argv: ['pfmerge', k, pick(rng, KEYS), pick(rng, KEYS)] };
    case 7:
      return { argv: ['set', 'pstr', pick(rng, ['not an hll', 'HYLL'])] };
    case 8:
      return { argv: ['del', k] };
    case 9:
    case 10:
      return { argv: [pick(rng, ['get', 'strlen']), k] };
    default:
      return { argv: ['exists', k] };
  }
}

export const family: Family = {
  name: 'hyperloglog',
  commands: ['pfadd', 'pfcount', 'pfmerge', 'set', 'get', 'strlen', 'del', 'exists'],
  sequence: (rng, n) => Array.from({ length: n }, () => one(rng)),
};
