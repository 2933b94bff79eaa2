// The server's configuration parameters (Redis config.c) as one table: CONFIG GET/SET read and write it,
// INFO and the memory limit read it through the getters below. Values are kept as CONFIG GET prints them,
// in Redis 5's CONFIG GET order, with a fresh Redis 5's defaults (no config file).

import type { Keyspace } from './keyspace.js';
import { parseMemorySize } from './memory-limit.js';

export interface ConfigParam {
  value: string;
  /** Validates and normalises a CONFIG SET value; null refuses it. Absent: not settable at run time. */
  readonly set?: (v: string) => string | null;
}

const yesNo = (v: string): string | null => (/^(yes|no)$/i.test(v) ? v.toLowerCase() : null);

/** config_set_numerical_field: an integer (strtoll, the whole text) in [lo, hi]. */
const intIn = (lo: number, hi: number) => (v: string): string | null =>
  /^[+-]?\d+$/.test(v) && Number(v) >= lo && Number(v) <= hi ? String(Number(v)) : null;

const oneOf = (...words: string[]) => (v: string): string | null => (words.includes(v.toLowerCase()) ? v.toLowerCase() : null);

/** memtoll (memory-limit.ts's parseMemorySize), printed back in bytes; null for text Redis refuses. */
const memory = (v: string): string | null => {
  try {
    return String(parseMemorySize(v));
  } catch {
    return null;
  }
};

/** The save parameter: pairs of seconds and changes, or the empty string. */
function savePairs(v: string): string | null {
  const parts = v.split(' ').filter((p) => p !== '');
  if (parts.length % 2 === 1 || parts.some((p) => !/^\d+$/.test(p))) return null;
  return parts.map(Number).join(' ');
}

const INT_MAX = 2 ** 31 - 1;
const LLONG_MAX = Number.MAX_SAFE_INTEGER;

function defaults(ks: Keyspace): [string, ConfigParam][] {
  return [
    ['dbfilename', { value: 'dump.rdb' }],
    ['requirepass', { value: '' }],
    ['logfile', { value: '' }],
    ['maxmemory', { value: String(ks.memoryLimit.maxmemory), set: memory }], // set at boot (run.js --maxmemory)
    ['proto-max-bulk-len', { value: '536870912' }],
    ['client-query-buffer-limit', { value: '1073741824' }],
    ['timeout', { value: '0', set: intIn(0, INT_MAX) }],
    ['hash-max-ziplist-entries', { value: '512', set: intIn(0, LLONG_MAX) }],
    ['hash-max-ziplist-value', { value: '64', set: intIn(0, LLONG_MAX) }],
    ['list-max-ziplist-size', { value: '-2', set: intIn(-LLONG_MAX, LLONG_MAX) }],
    ['set-max-intset-entries', { value: '512', set: intIn(0, LLONG_MAX) }],
    ['zset-max-ziplist-entries', { value: '128', set: intIn(0, LLONG_MAX) }],
    ['zset-max-ziplist-value', { value: '64', set: intIn(0, LLONG_MAX) }],
    ['port', { value: String(ks.server.port) }],
    ['tcp-backlog', { value: '511' }],
    ['databases', { value: String(ks.dbs.length) }],
    ['maxclients', { value: '10000', set: intIn(1, INT_MAX) }],
    ['hz', { value: '10', set: intIn(0, INT_MAX) }],
    ['tcp-keepalive', { value: '300', set: intIn(0, INT_MAX) }],
    ['daemonize', { value: 'no' }],
    ['protected-mode', { value: 'yes', set: yesNo }],
    ['lazyfree-lazy-expire', { value: 'no', set: yesNo }],
    ['maxmemory-policy', {
      value: 'noeviction',
      set: oneOf('volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'),
    }],
    ['loglevel', { value: 'notice', set: oneOf('debug', 'verbose', 'notice', 'warning') }],
    ['appendfsync', { value: 'everysec', set: oneOf('always', 'everysec', 'no') }],
    ['appendonly', { value: 'no', set: yesNo }],
    ['dir', { value: '/' }],
    ['save', { value: '900 1 300 10 60 10000', set: savePairs }],
    ['bind', { value: '' }],
  ];
}

const tables = new WeakMap<Keyspace, Map<string, ConfigParam>>();

/** The server's parameter table, created with the defaults on first use. */
export function configOf(ks: Keyspace): Map<string, ConfigParam> {
  let m = tables.get(ks);
  if (m === undefined) tables.set(ks, (m = new Map(defaults(ks))));
  return m;
}

/** A parameter's value as CONFIG GET prints it. */
export function configValue(ks: Keyspace, name: string): string {
  const p = configOf(ks).get(name);
  if (p === undefined) throw new RangeError(`no configuration parameter ${name}`);
  return p.value;
}

/**
 * CONFIG SET's part: validate and store a parameter's new value. 'unsupported' for an unknown or
 * read-only name, 'invalid' for a value the parameter refuses.
 */
export function setConfig(ks: Keyspace, name: string, value: string): 'ok' | 'unsupported' | 'invalid' {
  const p = configOf(ks).get(name.toLowerCase());
  if (p?.set === undefined) return 'unsupported';
  const v = p.set(value);
  if (v === null) return 'invalid';
  p.value = v;
  if (name.toLowerCase() === 'maxmemory') ks.memoryLimit.maxmemory = Number(v); // what the OOM check reads
  return 'ok';
}

/**
 * A read-only parameter's value as the server was booted with it (client-query-buffer-limit from
 * main's arguments, say), so CONFIG GET reports the limit in force rather than Redis's default.
 */
export function setBootValue(ks: Keyspace, name: string, value: string): void {
  const p = configOf(ks).get(name);
  if (p === undefined) throw new RangeError(`no configuration parameter ${name}`);
  p.value = value;
}

/** server.maxmemory in bytes (0: no limit): what the OOM check reads. */
export const maxmemoryBytes = (ks: Keyspace): number => ks.memoryLimit.maxmemory;

/** server.maxmemory_policy. */
export const maxmemoryPolicy = (ks: Keyspace): string => configValue(ks, 'maxmemory-policy');

/** server.maxidletime in seconds (0: clients are never closed for idling). */
export const idleTimeoutSeconds = (ks: Keyspace): number => Number(configValue(ks, 'timeout'));
