// Server and connection commands: PING, ECHO, AUTH, TIME, INFO, CONFIG GET/SET/RESETSTAT/REWRITE,
// COMMAND (Redis 5's 6-element entries), CLIENT ID/GETNAME/SETNAME. Replies follow Redis 5.0.6.

import type { Call, CommandSpec } from './common.js';
import { REPLY, keyArg, spec, subcommandError, textArg } from './common.js';
import type { Keyspace } from '../keyspace.js';
import { bytesToHuman, stringMatch } from '../text.js';

export const REDIS_VERSION = '5.0.6';

function ping(c: Call): void {
  if (c.argv.length > 2) return c.out.error(`ERR wrong number of arguments for 'ping' command`);
  if (c.argv.length === 1) c.out.raw(REPLY.pong);
  else c.out.bulk(c.argv[1]!);
}

const echo = (c: Call): void => c.out.bulk(c.argv[1]!);
const auth = (c: Call): void => c.out.error('ERR Client sent AUTH, but no password is set');

function time(c: Call): void {
  const ms = c.ks.clock.nowMs();
  const seconds = Math.floor(ms / 1000);
  c.out.arrayHeader(2);
  c.out.bulkString(String(seconds));
  c.out.bulkString(String(Math.floor((ms - seconds * 1000) * 1000)));
}

interface ConfigParam {
  value: string;
  /** Validates and normalises a CONFIG SET value; null refuses it. Absent: not settable. */
  set?: (v: string) => string | null;
}

const yesNo = (v: string): string | null => (/^(yes|no)$/i.test(v) ? v.toLowerCase() : null);
const intIn = (lo: number, hi: number) => (v: string): string | null =>
  /^-?\d+$/.test(v) && Number(v) >= lo && Number(v) <= hi ? String(Number(v)) : null;
const oneOf = (...words: string[]) => (v: string): string | null => (words.includes(v.toLowerCase()) ? v.toLowerCase() : null);
/** memtoll: a number with an optional k/kb/m/mb/g/gb unit. */
function memory(v: string): string | null {
  const m = /^(\d+)(k|kb|m|mb|g|gb)?$/i.exec(v);
  if (m === null) return null;
  const unit = (m[2] ?? '').toLowerCase();
  const mult = { '': 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 }[unit]!;
  return String(Number(m[1]) * mult);
}
function savePairs(v: string): string | null {
  const parts = v.split(' ').filter((p) => p !== '');
  if (parts.length % 2 === 1 || parts.some((p) => !/^\d+$/.test(p))) return null;
  return parts.join(' ');
}

/** A small table in Redis's CONFIG GET order; values as a fresh Redis 5 without a config file. */
function defaultConfig(ks: Keyspace): Map<string, ConfigParam> {
  const rows: [string, ConfigParam][] = [
    ['dbfilename', { value: 'dump.rdb' }],
    ['requirepass', { value: '' }],
    ['logfile', { value: '' }],
    ['maxmemory', { value: '0', set: memory }],
    ['proto-max-bulk-len', { value: '536870912' }],
    ['client-query-buffer-limit', { value: '1073741824' }],
    ['timeout', { value: '0', set: intIn(0, 2 ** 31 - 1) }],
    ['tcp-keepalive', { value: '300', set: intIn(0, 2 ** 31 - 1) }],
    ['databases', { value: String(ks.dbs.length) }],
    ['port', { value: String(ks.server.port) }],
    ['tcp-backlog', { value: '511' }],
    ['hz', { value: '10', set: intIn(1, 500) }],
    ['maxclients', { value: '10000', set: intIn(1, 2 ** 31 - 1) }],
    ['lazyfree-lazy-expire', { value: 'no', set: yesNo }],
    ['appendonly', { value: 'no', set: yesNo }],
    ['daemonize', { value: 'no' }],
    ['protected-mode', { value: 'yes', set: yesNo }],
    ['loglevel', { value: 'notice', set: oneOf('debug', 'verbose', 'notice', 'warning') }],
    ['maxmemory-policy', {
      value: 'noeviction',
      set: oneOf('volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'),
    }],
    ['appendfsync', { value: 'everysec', set: oneOf('always', 'everysec', 'no') }],
    ['save', { value: '900 1 300 10 60 10000', set: savePairs }],
    ['dir', { value: '/' }],
    ['bind', { value: '' }],
  ];
  return new Map(rows);
}

const configs = new WeakMap<Keyspace, Map<string, ConfigParam>>();
export function configOf(ks: Keyspace): Map<string, ConfigParam> {
  let m = configs.get(ks);
  if (m === undefined) configs.set(ks, (m = defaultConfig(ks)));
  return m;
}

function config(c: Call): void {
  const n = c.argv.length;
  const sub = textArg(c, 1).toLowerCase();
  const table = configOf(c.ks);
  if (sub === 'get' && n === 3) {
    const pattern = textArg(c, 2);
    const hits = [...table].filter(([name]) => stringMatch(pattern, name, { nocase: true }));
    c.out.arrayHeader(hits.length * 2);
    for (const [name, p] of hits) {
      c.out.bulkString(name);
      c.out.bulkString(p.value);
    }
  } else if (sub === 'set' && n === 4) {
    const name = textArg(c, 2);
    const value = textArg(c, 3);
    const p = table.get(name.toLowerCase());
    if (p?.set === undefined) return c.out.error(`ERR Unsupported CONFIG parameter: ${name}`);
    const v = p.set(value);
    if (v === null) return c.out.error(`ERR Invalid argument '${value}' for CONFIG SET '${name}'`);
    p.value = v;
    c.out.raw(REPLY.ok);
  } else if (sub === 'resetstat' && n === 2) {
    c.ks.server.totalCommands = 0;
    c.ks.server.totalConnections = 0;
    c.out.raw(REPLY.ok);
  } else if (sub === 'rewrite' && n === 2) {
    c.out.error('ERR The server is running without a config file');
  } else {
    subcommandError(c);
  }
}

const FLAG_NAMES: [string, string][] = [
  ['w', 'write'], ['r', 'readonly'], ['m', 'denyoom'], ['a', 'admin'], ['p', 'pubsub'], ['s', 'noscript'],
  ['R', 'random'], ['S', 'sort_for_script'], ['l', 'loading'], ['t', 'stale'], ['M', 'skip_monitor'],
  ['k', 'asking'], ['F', 'fast'],
];

/** addReplyCommand: name, arity, flags, first key, last key, step (or a null bulk). */
function replyCommand(c: Call, s: CommandSpec | undefined): void {
  if (s === undefined) return c.out.raw(REPLY.nullBulk);
  const flags = FLAG_NAMES.filter(([letter]) => s.flags.includes(letter)).map(([, name]) => name);
  if (s.movableKeys === true) flags.push('movablekeys');
  c.out.arrayHeader(6);
  c.out.bulkString(s.name);
  c.out.integer(s.arity);
  c.out.arrayHeader(flags.length);
  for (const f of flags) c.out.simple(f);
  c.out.integer(s.firstKey);
  c.out.integer(s.lastKey);
  c.out.integer(s.keyStep);
}

function command(c: Call): void {
  const n = c.argv.length;
  if (n === 1) {
    const all = c.table.specs();
    c.out.arrayHeader(all.length);
    for (const s of all) replyCommand(c, s);
    return;
  }
  const sub = textArg(c, 1).toLowerCase();
  if (sub === 'info') {
    c.out.arrayHeader(n - 2);
    for (let j = 2; j < n; j++) replyCommand(c, c.table.lookup(textArg(c, j).toLowerCase()));
  } else if (sub === 'count' && n === 2) {
    c.out.integer(c.table.specs().length);
  } else {
    subcommandError(c);
  }
}

function client(c: Call): void {
  const n = c.argv.length;
  const sub = textArg(c, 1).toLowerCase();
  if (sub === 'id' && n === 2) {
    c.out.integer(c.session.id);
  } else if (sub === 'getname' && n === 2) {
    if (c.session.name === null) c.out.raw(REPLY.nullBulk);
    else c.out.bulkString(c.session.name);
  } else if (sub === 'setname' && n === 3) {
    const name = c.argv[2]!;
    if (name.some((b) => b < 0x21 || b > 0x7e)) {
      return c.out.error('ERR Client names cannot contain spaces, newlines or special characters.');
    }
    c.session.name = name.length === 0 ? null : keyArg(c, 2);
    c.out.raw(REPLY.ok);
  } else {
    subcommandError(c);
  }
}

/** genRedisInfoString for the sections this server has. */
function infoText(c: Call, section: string): string {
  const ks = c.ks;
  const now = ks.now();
  const uptime = Math.floor((now - ks.server.startedAtMs) / 1000);
  const used = ks.storedBytes;
  const maxmemory = Number(configOf(ks).get('maxmemory')!.value);
  const sections: Record<string, string[]> = {
    server: [
      `redis_version:${REDIS_VERSION}`, 'redis_git_sha1:00000000', 'redis_git_dirty:0', 'redis_mode:standalone',
      'os:FlexOS (flexos-sim)', 'arch_bits:64', 'multiplexing_api:lwip', 'process_id:1',
      `tcp_port:${ks.server.port}`, `uptime_in_seconds:${uptime}`, `uptime_in_days:${Math.floor(uptime / 86400)}`,
      `hz:${configOf(ks).get('hz')!.value}`, 'executable:/redis', 'config_file:',
    ],
    clients: [
      `connected_clients:${ks.server.connectedClients}`, `client_recent_max_input_buffer:${ks.server.clientBuffers?.recentMaxInput() ?? 0}`,
      `client_recent_max_output_buffer:${ks.server.clientBuffers?.recentMaxOutput() ?? 0}`, 'blocked_clients:0',
    ],
    memory: [
      `used_memory:${used}`, `used_memory_human:${bytesToHuman(used)}`, `maxmemory:${maxmemory}`,
      `maxmemory_human:${bytesToHuman(maxmemory)}`, `maxmemory_policy:${configOf(ks).get('maxmemory-policy')!.value}`,
      `mem_clients_normal:${ks.server.clientBuffers?.normalBytes() ?? 0}`, 'mem_allocator:tlsf',
    ],
    stats: [
      `total_connections_received:${ks.server.totalConnections}`,
      `total_commands_processed:${ks.server.totalCommands}`,
    ],
    keyspace: ks.dbs
      .filter((db) => db.size > 0)
      .map((db) => `db${db.index}:keys=${db.size},expires=${db.volatileCount},avg_ttl=${db.averageTtl()}`),
  };
  const titles: Record<string, string> = { server: 'Server', clients: 'Clients', memory: 'Memory', stats: 'Stats', keyspace: 'Keyspace' };
  const all = section === 'default' || section === 'all' || section === 'everything';
  const parts: string[] = [];
  for (const name of Object.keys(sections)) {
    if (!all && section !== name) continue;
    parts.push(`# ${titles[name]}\r\n${sections[name]!.map((l) => `${l}\r\n`).join('')}`);
  }
  return parts.join('\r\n');
}

function info(c: Call): void {
  if (c.argv.length > 2) return c.out.error('ERR syntax error');
  const section = c.argv.length === 2 ? textArg(c, 1).toLowerCase() : 'default';
  c.out.bulkString(infoText(c, section));
}

export const serverCommands: readonly CommandSpec[] = [
  spec('ping', ping, { arity: -1, flags: 'tF' }),
  spec('echo', echo, { arity: 2, flags: 'F' }),
  spec('auth', auth, { arity: 2, flags: 'sltF' }),
  spec('time', time, { arity: 1, flags: 'RF' }),
  spec('info', info, { arity: -1, flags: 'ltR' }),
  spec('config', config, { arity: -2, flags: 'lat' }),
  spec('command', command, { arity: 0, flags: 'ltR' }),
  spec('client', client, { arity: -2, flags: 'as' }),
];
