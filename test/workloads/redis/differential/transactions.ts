// Differential family: MULTI/EXEC/DISCARD/WATCH/UNWATCH sequences on one connection, with arity errors
// while queuing (EXECABORT), runtime errors inside EXEC, the connection's own writes to watched keys,
// nested MULTI and WATCH inside MULTI. Unknown commands, EXEC/MULTI with arguments and TTLs on watched
// keys are left out: Redis 7 answers them differently (README: Redis 7 differences).

import type { DiffCommand, Family, Rng } from './family.js';

const KEYS = ['tx:a', 'tx:b', 'tx:c', 'tx:list'];
const VALUES = ['1', '7', '-3', 'x', '10', ''];

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

/**
 * One data command; the writes are ones that modify the key whenever they succeed on an existing or
 * created key (so WATCH aborts alike on both servers).
 */
function dataCommand(rng: Rng): string[] {
  const k = pick(rng, KEYS);
  switch (Math.floor(rng() * 9)) {
    case 0: return ['SET', k, pick(rng, VALUES)];
    case 1: return ['GET', k];
    case 2: return ['INCR', k];
    case 3: return ['LPUSH', k, pick(rng, VALUES)];
    case 4: return ['LRANGE', k, '0', '-1'];
    case 5: return ['DEL', k];
    case 6: return ['EXISTS', k, pick(rng, KEYS)];
    case 7: return ['APPEND', k, pick(rng, VALUES)];
    default: return ['INCRBY', k, pick(rng, ['5', '-2', 'notanumber'])];
  }
}

/** A queuing error Redis 5 and 7 word alike: a wrong argument count. */
function arityError(rng: Rng): string[] {
  return pick(rng, [['GET'], ['SET', 'tx:a'], ['LPUSH', 'tx:list'], ['INCR', 'tx:a', 'tx:b']]);
}

function transaction(rng: Rng, out: string[][]): void {
  if (rng() < 0.4) {
    const watched = [pick(rng, KEYS)];
    if (rng() < 0.5) watched.push(pick(rng, KEYS));
    out.push(['WATCH', ...watched]);
    const between = Math.floor(rng() * 3);
    for (let i = 0; i < between; i++) {
      const r = rng();
      const w = pick(rng, watched);
      if (r < 0.3) out.push(['GET', w]);
      else if (r < 0.6) out.push(pick(rng, [['SET', w, pick(rng, VALUES)], ['INCR', w], ['DEL', w], ['LPUSH', w, 'v']]));
      else out.push(dataCommand(rng));
    }
    if (rng() < 0.15) out.push(['UNWATCH']);
  }
  out.push(['MULTI']);
  const n = Math.floor(rng() * 6);
  for (let i = 0; i < n; i++) {
    const r = rng();
    if (r < 0.1) out.push(arityError(rng));
    else if (r < 0.15) out.push(['MULTI']);
    else if (r < 0.2) out.push(['WATCH', pick(rng, KEYS)]);
    else out.push(dataCommand(rng));
  }
  out.push(rng() < 0.8 ? ['EXEC'] : ['DISCARD']);
}

export const family: Family = {
  name: 'transactions',
  commands: ['multi', 'exec', 'discard', 'watch', 'unwatch', 'set', 'get', 'incr', 'incrby', 'lpush', 'lrange', 'del', 'exists', 'append'],
  sequence(rng: Rng, n: number): DiffCommand[] {
    const argvs: string[][] = [];
    while (argvs.length < n) {
      const r = rng();
      if (r < 0.55) transaction(rng, argvs);
      else if (r < 0.9) argvs.push(dataCommand(rng));
      else argvs.push(pick(rng, [['EXEC'], ['DISCARD'], ['UNWATCH'], ['WATCH', pick(rng, KEYS)]]));
    }
    return argvs.map((argv) => ({ argv }));
  },
};
