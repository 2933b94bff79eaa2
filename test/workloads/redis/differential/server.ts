// Differential family: the connection and server commands whose replies are the same on every Redis:
// ECHO, PING, DBSIZE (with SET/DEL moving it), CONFIG GET of parameters whose defaults are stable, WAIT
// without replicas, CLIENT GETNAME/SETNAME, and the shapes of TIME, LASTSAVE and CLIENT ID.

import type { DiffCommand, Family, Rng } from './family.js';

/** Parameters named exactly (a glob would match Redis 7's extra parameters, in another order). */
const STABLE_PARAMS = [
  'maxmemory', 'maxmemory-policy', 'timeout', 'databases', 'hash-max-ziplist-entries', 'hash-max-ziplist-value',
  'list-max-ziplist-size', 'set-max-intset-entries', 'zset-max-ziplist-entries', 'zset-max-ziplist-value',
  'appendonly', 'no-such-parameter',
];
const WORDS = ['', 'hello', 'a b c', '\u0000\u00ff binary', 'x'.repeat(300), '12345'];

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

function command(rng: Rng): DiffCommand {
  switch (Math.floor(rng() * 12)) {
    case 0: return { argv: ['ECHO', pick(rng, WORDS)] };
    case 1: return { argv: ['PING'] };
    case 2: return { argv: ['PING', pick(rng, WORDS)] };
    case 3: return { argv: ['DBSIZE'] };
    case 4: return { argv: ['SET', `srv:${Math.floor(rng() * 5)}`, pick(rng, WORDS)] };
    case 5: return { argv: ['DEL', `srv:${Math.floor(rng() * 5)}`] };
    case 6: return { argv: ['CONFIG', 'GET', pick(rng, STABLE_PARAMS)] };
    case 7: return { argv: ['WAIT', '0', pick(rng, ['0', '10'])] };
    case 8: return { argv: pick(rng, [['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', pick(rng, ['app', 'worker-1'])], ['CLIENT', 'SETNAME', 'has space']]) };
    case 9: return { argv: pick(rng, [['TIME'], ['LASTSAVE'], ['CLIENT', 'ID']]), compare: 'shape' };
    case 10: return { argv: pick(rng, [['ECHO'], ['ECHO', 'a', 'b'], ['PING', 'a', 'b'], ['DBSIZE', 'x']]) };
    default: return { argv: ['ECHO', String(Math.floor(rng() * 1e6))] };
  }
}

export const family: Family = {
  name: 'server',
  commands: ['echo', 'ping', 'dbsize', 'set', 'del', 'config', 'wait', 'client', 'time', 'lastsave'],
  sequence(rng: Rng, n: number): DiffCommand[] {
    return Array.from({ length: n }, () => command(rng));
  },
};
