// What clients call on connect and operators type (Redis server.c INFO, networking.c CLIENT, config.c
// CONFIG, replication.c WAIT, rdb.c LASTSAVE). The connection loop registers each client here so
// CLIENT LIST can describe it and CLIENT KILL can close it.

import type { Call, CommandSpec, Session } from './common.js';
import { ERR, REPLY, isWord, keyArg, longLongArg, intArg, replyHelp, spec, subcommandError, textArg } from './common.js';
import type { Keyspace } from '../keyspace.js';
import { bytesToHuman, parseLongLong, stringMatch } from '../text.js';
import { configOf, maxmemoryBytes, maxmemoryPolicy, setConfig } from '../config-params.js';
import { multiCount } from './transactions.js';
import { inPubSubContext, pubsubCounts, subscriptionCounts } from './pubsub.js';
import { REDIS_VERSION } from './server.js';
import { blockedClients } from './blocking.js';

/** A connection as CLIENT LIST shows it; the connection loop keeps it up to date. */
export interface ClientRecord {
  readonly session: Session;
  /** ip:port of the peer (getClientPeerId). */
  readonly addr: string;
  readonly fd: number;
  readonly createdMs: number;
  lastInteractionMs: number;
  /** The last command's name (c->lastcmd), lowercase, or NULL. */
  lastCommand(): string;
  /** Query bytes buffered and not yet parsed. */
  queryBuffer(): number;
  /** Reply bytes not yet written. */
  outputBuffer(): number;
  /** freeClient from another client: the loop closes the connection on its next pass. */
  kill(): void;
}

const registries = new WeakMap<Keyspace, Map<Session, ClientRecord>>();

/** server.clients, in connection order. */
function clientsOf(ks: Keyspace): Map<Session, ClientRecord> {
  let m = registries.get(ks);
  if (m === undefined) registries.set(ks, (m = new Map()));
  return m;
}

export function registerClient(ks: Keyspace, record: ClientRecord): void {
  clientsOf(ks).set(record.session, record);
}

export function unregisterClient(ks: Keyspace, session: Session): void {
  clientsOf(ks).delete(session);
}

// ---- CONFIG ----

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
    const result = setConfig(c.ks, name, value);
    if (result === 'unsupported') return c.out.error(`ERR Unsupported CONFIG parameter: ${name}`);
    if (result === 'invalid') return c.out.error(`ERR Invalid argument '${value}' for CONFIG SET '${name}'`);
    c.out.raw(REPLY.ok);
  } else if (sub === 'resetstat' && n === 2) {
    c.ks.server.totalCommands = 0;
    c.ks.server.totalConnections = 0;
    c.out.raw(REPLY.ok);
  } else if (sub === 'rewrite' && n === 2) {
    c.out.error('ERR The server is running without a config file');
  } else if (sub === 'help' && n === 2) {
    replyHelp(c, [
      'GET <pattern> -- Return parameters matching the glob-like <pattern> and their values.',
      'SET <parameter> <value> -- Set parameter to value.',
      'RESETSTAT -- Reset statistics reported by INFO.',
      'REWRITE -- Rewrite the configuration file.',
    ]);
  } else {
    subcommandError(c);
  }
}

// ---- CLIENT ----

/** catClientInfoString. */
function clientInfo(ks: Keyspace, r: ClientRecord): string {
  const now = ks.now();
  const subs = subscriptionCounts(r.session);
  const multi = multiCount(r.session);
  let flags = '';
  if (inPubSubContext(r.session)) flags += 'P';
  if (multi >= 0) flags += 'x';
  if (blockedClients(ks).isBlocked(r.session)) flags += 'b';
  if (flags === '') flags = 'N';
  const qbuf = r.queryBuffer();
  const obl = r.outputBuffer();
  return [
    `id=${r.session.id}`, `addr=${r.addr}`, `fd=${r.fd}`, `name=${r.session.name ?? ''}`,
    `age=${Math.floor((now - r.createdMs) / 1000)}`, `idle=${Math.floor((now - r.lastInteractionMs) / 1000)}`,
    `flags=${flags}`, `db=${r.session.db}`, `sub=${subs.channels}`, `psub=${subs.patterns}`, `multi=${multi}`,
    `qbuf=${qbuf}`, `qbuf-free=${Math.max(0, 32768 - qbuf)}`, `obl=${obl}`, 'oll=0', `omem=${obl}`,
    `events=${obl > 0 ? 'rw' : 'r'}`, `cmd=${r.lastCommand()}`,
  ].join(' ');
}

const CLIENT_TYPES = new Set(['normal', 'slave', 'replica', 'master', 'pubsub']);

/** getClientType: a connection is pubsub while subscribed, normal otherwise (no replicas here). */
const clientType = (session: Session): string => (inPubSubContext(session) ? 'pubsub' : 'normal');

function clientKill(c: Call): void {
  const n = c.argv.length;
  let addr: string | null = null;
  let type: string | null = null;
  let id = 0n;
  let skipme = true;
  if (n === 3) {
    addr = textArg(c, 2);
    skipme = false; // with the old form, a client may kill itself
  } else if (n > 3) {
    for (let i = 2; i < n; i += 2) {
      const more = n > i + 1;
      if (isWord(c.argv[i], 'id') && more) {
        const v = longLongArg(c, i + 1);
        if (v === null) return;
        id = v;
      } else if (isWord(c.argv[i], 'type') && more) {
        type = textArg(c, i + 1).toLowerCase();
        if (!CLIENT_TYPES.has(type)) return c.out.error(`ERR Unknown client type '${textArg(c, i + 1)}'`);
        if (type === 'replica') type = 'slave';
      } else if (isWord(c.argv[i], 'addr') && more) {
        addr = textArg(c, i + 1);
      } else if (isWord(c.argv[i], 'skipme') && more) {
        if (isWord(c.argv[i + 1], 'yes')) skipme = true;
        else if (isWord(c.argv[i + 1], 'no')) skipme = false;
        else return c.out.error(ERR.syntax);
      } else {
        return c.out.error(ERR.syntax);
      }
    }
  } else {
    return c.out.error(ERR.syntax);
  }
  let killed = 0;
  let closeSelf = false;
  for (const r of [...clientsOf(c.ks).values()]) {
    if (addr !== null && r.addr !== addr) continue;
    if (type !== null && clientType(r.session) !== type) continue;
    if (id !== 0n && BigInt(r.session.id) !== id) continue;
    const self = r.session === c.session;
    if (self && skipme) continue;
    if (self) closeSelf = true;
    else r.kill();
    killed++;
  }
  if (n === 3) {
    if (killed === 0) c.out.error('ERR No such client');
    else c.out.raw(REPLY.ok);
  } else {
    c.out.integer(killed);
  }
  if (closeSelf) c.session.quit = true; // CLIENT_CLOSE_AFTER_REPLY
}

function clientList(c: Call): void {
  let type: string | null = null;
  if (c.argv.length === 4 && isWord(c.argv[2], 'type')) {
    type = textArg(c, 3).toLowerCase();
    if (!CLIENT_TYPES.has(type)) return c.out.error(`ERR Unknown client type '${textArg(c, 3)}'`);
    if (type === 'replica') type = 'slave';
  } else if (c.argv.length !== 2) {
    return c.out.error(ERR.syntax);
  }
  let text = '';
  for (const r of clientsOf(c.ks).values()) {
    if (type !== null && clientType(r.session) !== type) continue;
    text += clientInfo(c.ks, r) + '\n';
  }
  c.out.bulkString(text);
}

function client(c: Call): void {
  const n = c.argv.length;
  const sub = textArg(c, 1).toLowerCase();
  if (sub === 'id' && n === 2) {
    c.out.integer(c.session.id);
  } else if (sub === 'list') {
    clientList(c);
  } else if (sub === 'kill') {
    clientKill(c);
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
  } else if (sub === 'help' && n === 2) {
    replyHelp(c, [
      'id                     -- Return the ID of the current connection.',
      'getname                -- Return the name of the current connection.',
      'kill <ip:port>         -- Kill connection made from <ip:port>.',
      'kill <option> <value> [option value ...] -- Kill connections. Options are:',
      '     addr <ip:port>                      -- Kill connection made from <ip:port>',
      '     type (normal|master|replica|pubsub) -- Kill connections by type.',
      '     skipme (yes|no)   -- Skip killing current connection (default: yes).',
      'list [options ...]     -- Return information about client connections. Options:',
      '     type (normal|master|replica|pubsub) -- Return clients of specified type.',
      'setname <name>         -- Assign the name <name> to the current connection.',
    ]);
  } else {
    subcommandError(c);
  }
}

// ---- INFO ----

/** A stable 40-hex replication id per server (Redis draws a random one at start). */
const replIds = new WeakMap<Keyspace, string>();
function replId(ks: Keyspace): string {
  let id = replIds.get(ks);
  if (id === undefined) {
    id = '';
    for (let i = 0; i < 40; i++) id += Math.floor(ks.random() * 16).toString(16);
    replIds.set(ks, id);
  }
  return id;
}

const lastSaveSeconds = (ks: Keyspace): number => Math.floor(ks.server.startedAtMs / 1000);

/** CPU seconds as "%ld.%06ld". */
const cpuSeconds = (micros: number): string => `${Math.floor(micros / 1e6)}.${String(Math.floor(micros % 1e6)).padStart(6, '0')}`;

/** genRedisInfoString's sections, in its order. */
function sections(c: Call): [string, string, () => string[]][] {
  const ks = c.ks;
  const now = ks.now();
  const uptime = Math.floor((now - ks.server.startedAtMs) / 1000);
  const cfg = configOf(ks);
  return [
    ['server', 'Server', () => [
      `redis_version:${REDIS_VERSION}`, 'redis_git_sha1:00000000', 'redis_git_dirty:0', 'redis_build_id:0',
      'redis_mode:standalone', 'os:FlexOS (flexos-sim)', 'arch_bits:64', 'multiplexing_api:lwip', 'atomicvar_api:atomic-builtin',
      'gcc_version:0.0.0', 'process_id:1', `run_id:${replId(ks)}`, `tcp_port:${ks.server.port}`,
      `uptime_in_seconds:${uptime}`, `uptime_in_days:${Math.floor(uptime / 86400)}`, `hz:${cfg.get('hz')!.value}`,
      `configured_hz:${cfg.get('hz')!.value}`, `lru_clock:${Math.floor(now / 1000) & 0xffffff}`, 'executable:/redis', 'config_file:',
    ]],
    ['clients', 'Clients', () => [
      `connected_clients:${ks.server.connectedClients}`, `client_recent_max_input_buffer:${ks.server.clientBuffers?.recentMaxInput() ?? 0}`,
      `client_recent_max_output_buffer:${ks.server.clientBuffers?.recentMaxOutput() ?? 0}`, `blocked_clients:${blockedClients(ks).count}`,
    ]],
    ['memory', 'Memory', () => {
      const used = ks.storedBytes;
      const max = maxmemoryBytes(ks);
      return [
        `used_memory:${used}`, `used_memory_human:${bytesToHuman(used)}`, `maxmemory:${max}`,
        `maxmemory_human:${bytesToHuman(max)}`, `maxmemory_policy:${maxmemoryPolicy(ks)}`,
        `mem_clients_normal:${ks.server.clientBuffers?.normalBytes() ?? 0}`, 'mem_allocator:tlsf',
      ];
    }],
    ['persistence', 'Persistence', () => [
      'loading:0', 'rdb_changes_since_last_save:0', 'rdb_bgsave_in_progress:0', `rdb_last_save_time:${lastSaveSeconds(ks)}`,
      'rdb_last_bgsave_status:ok', `aof_enabled:${cfg.get('appendonly')!.value === 'yes' ? 1 : 0}`, 'aof_rewrite_in_progress:0',
    ]],
    ['stats', 'Stats', () => {
      const ps = pubsubCounts(ks);
      return [
        `total_connections_received:${ks.server.totalConnections}`, `total_commands_processed:${ks.server.totalCommands}`,
        'instantaneous_ops_per_sec:0', 'rejected_connections:0', 'expired_keys:0', 'evicted_keys:0',
        'keyspace_hits:0', 'keyspace_misses:0', `pubsub_channels:${ps.channels}`, `pubsub_patterns:${ps.patterns}`,
        'latest_fork_usec:0',
      ];
    }],
    ['replication', 'Replication', () => [
      'role:master', 'connected_slaves:0', `master_replid:${replId(ks)}`, `master_replid2:${'0'.repeat(40)}`,
      'master_repl_offset:0', 'second_repl_offset:-1', 'repl_backlog_active:0', 'repl_backlog_size:1048576',
      'repl_backlog_first_byte_offset:0', 'repl_backlog_histlen:0',
    ]],
    ['cpu', 'CPU', () => {
      const u = process.cpuUsage();
      return [`used_cpu_sys:${cpuSeconds(u.system)}`, `used_cpu_user:${cpuSeconds(u.user)}`, 'used_cpu_sys_children:0.000000', 'used_cpu_user_children:0.000000'];
    }],
    ['cluster', 'Cluster', () => ['cluster_enabled:0']],
    ['keyspace', 'Keyspace', () =>
      ks.dbs.filter((db) => db.size > 0).map((db) => `db${db.index}:keys=${db.size},expires=${db.volatileCount},avg_ttl=${db.averageTtl()}`)],
  ];
}

/** genRedisInfoString: the named section, or all of them for default/all/everything. */
function infoText(c: Call, section: string): string {
  const all = section === 'default' || section === 'all' || section === 'everything';
  const parts: string[] = [];
  for (const [name, title, lines] of sections(c)) {
    if (!all && section !== name) continue;
    parts.push(`# ${title}\r\n${lines().map((l) => `${l}\r\n`).join('')}`);
  }
  return parts.join('\r\n');
}

function info(c: Call): void {
  if (c.argv.length > 2) return c.out.error(ERR.syntax);
  const section = c.argv.length === 2 ? textArg(c, 1).toLowerCase() : 'default';
  c.out.bulkString(infoText(c, section));
}

// ---- WAIT, LASTSAVE ----

/** waitCommand with no replicas: the count of acknowledging replicas is always 0. */
function wait(c: Call): void {
  if (intArg(c, 1) === null) return;
  const timeout = parseLongLong(c.argv[2]!);
  if (timeout === null) return c.out.error('ERR timeout is not an integer or out of range');
  if (timeout < 0n) return c.out.error('ERR timeout is negative');
  c.out.integer(0);
}

const lastsave = (c: Call): void => c.out.integer(lastSaveSeconds(c.ks));

export const introspectionCommands: readonly CommandSpec[] = [
  spec('info', info, { arity: -1, flags: 'ltR' }),
  spec('config', config, { arity: -2, flags: 'last' }),
  spec('client', client, { arity: -2, flags: 'as' }),
  spec('wait', wait, { arity: 3, flags: 's' }),
  spec('lastsave', lastsave, { arity: 1, flags: 'RF' }),
];
