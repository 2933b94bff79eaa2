// Transactions (Redis multi.c): MULTI queues commands, EXEC runs them in one go, DISCARD drops them;
// WATCH makes EXEC fail (nil multi-bulk) when a watched key was modified since. The dispatcher
// (commands.ts) queues while in MULTI and calls signalModifiedKeys after every write command; the
// blocking pops ask inTransaction() whether they run inside EXEC.

import type { Call, CommandSpec, CommandTableView, Session } from './common.js';
import { REPLY, keyArg, spec } from './common.js';
import type { Keyspace } from '../keyspace.js';

/** Runs one queued command as Redis's call() does (the dispatcher passes its own). */
export type Runner = (cmd: CommandSpec, argv: readonly Uint8Array[], session: Session, c: Call) => void;

interface Queued {
  readonly cmd: CommandSpec;
  readonly argv: readonly Uint8Array[];
}

interface TxState {
  /** Present while in MULTI. */
  queue: Queued[] | null;
  /** CLIENT_DIRTY_EXEC: an error while queuing. */
  dirtyExec: boolean;
  /** CLIENT_DIRTY_CAS: a watched key was touched. */
  dirtyCas: boolean;
  /** The client's watched keys as db index and key. */
  watched: { db: number; key: string }[];
}

const EXECABORT = 'EXECABORT Transaction discarded because of previous errors.';
const QUEUED = new TextEncoder().encode('+QUEUED\r\n');
const NULL_MULTIBULK = new TextEncoder().encode('*-1\r\n');

/** Sessions in MULTI or watching something: the dispatcher's fast path is one size check. */
const states = new Map<Session, TxState>();
/** Per keyspace, per db: watched key -> the sessions watching it (db->watched_keys). */
const watchedBy = new WeakMap<Keyspace, Map<string, Set<Session>>[]>();
let watchCount = 0;

function stateOf(session: Session): TxState {
  let s = states.get(session);
  if (s === undefined) states.set(session, (s = { queue: null, dirtyExec: false, dirtyCas: false, watched: [] }));
  return s;
}

/** Forget a session with nothing left to remember. */
function settle(session: Session, s: TxState): void {
  if (s.queue === null && s.watched.length === 0 && !s.dirtyCas) states.delete(session);
}

function dbWatchers(ks: Keyspace, db: number): Map<string, Set<Session>> {
  let dbs = watchedBy.get(ks);
  if (dbs === undefined) watchedBy.set(ks, (dbs = ks.dbs.map(() => new Map())));
  return dbs[db]!;
}

export function inMulti(session: Session): boolean {
  return states.size !== 0 && states.get(session)?.queue != null;
}

/** CLIENT LIST's multi=: the commands queued, or -1 outside MULTI. */
export function multiCount(session: Session): number {
  return states.get(session)?.queue?.length ?? -1;
}

/** queueMultiCommand + the +QUEUED reply. */
export function queueCommand(session: Session, cmd: CommandSpec, argv: readonly Uint8Array[], out: { raw(b: Uint8Array): void }): void {
  stateOf(session).queue!.push({ cmd, argv: argv.map((a) => a.slice()) });
  out.raw(QUEUED);
}

/** flagTransaction: an error while queuing makes EXEC answer EXECABORT. */
export function flagTransaction(session: Session): void {
  if (states.size === 0) return;
  const s = states.get(session);
  if (s?.queue != null) s.dirtyExec = true;
}

/** Whether any client watches any key: the dispatcher skips signalling otherwise. */
export const anyWatched = (): boolean => watchCount !== 0;

/** touchWatchedKey: mark every session watching this key dirty. */
export function touchWatchedKey(ks: Keyspace, db: number, key: string): void {
  if (watchCount === 0) return;
  const sessions = dbWatchers(ks, db).get(key);
  if (sessions === undefined) return;
  for (const session of sessions) states.get(session)!.dirtyCas = true;
}

/** Whether this key is watched by someone (so the dispatcher looks at it before a write). */
export function isWatched(ks: Keyspace, db: number, key: string): boolean {
  return watchCount !== 0 && dbWatchers(ks, db).has(key);
}

/**
 * touchWatchedKeysOnFlush: before FLUSHDB (db) or FLUSHALL (-1), every watched key that exists is
 * about to be deleted.
 */
export function touchWatchedKeysOnFlush(ks: Keyspace, db: number): void {
  if (watchCount === 0) return;
  const dbs = watchedBy.get(ks);
  if (dbs === undefined) return;
  dbs.forEach((keys, index) => {
    if (db !== -1 && index !== db) return;
    for (const [key, sessions] of keys) {
      if (ks.db(index).lookup(key) === undefined) continue;
      for (const session of sessions) states.get(session)!.dirtyCas = true;
    }
  });
}

function unwatchAll(session: Session, s: TxState, ks: Keyspace): void {
  for (const { db, key } of s.watched) {
    const keys = dbWatchers(ks, db);
    const sessions = keys.get(key)!;
    sessions.delete(session);
    if (sessions.size === 0) keys.delete(key);
    watchCount--;
  }
  s.watched = [];
}

/** freeClient's part: unwatch everything and drop the transaction. */
export function forgetSession(ks: Keyspace, session: Session): void {
  const s = states.get(session);
  if (s === undefined) return;
  unwatchAll(session, s, ks);
  states.delete(session);
}

function multi(c: Call): void {
  const s = stateOf(c.session);
  if (s.queue !== null) return c.out.error('ERR MULTI calls can not be nested');
  s.queue = [];
  c.out.raw(REPLY.ok);
}

/** discardTransaction: drop the queue and the flags, unwatch all. */
function discardTransaction(c: Call, s: TxState): void {
  s.queue = null;
  s.dirtyExec = false;
  s.dirtyCas = false;
  unwatchAll(c.session, s, c.ks);
  settle(c.session, s);
}

function discard(c: Call): void {
  const s = states.get(c.session);
  if (s?.queue == null) return c.out.error('ERR DISCARD without MULTI');
  discardTransaction(c, s);
  c.out.raw(REPLY.ok);
}

const executing = new WeakSet<Session>();

/**
 * Marks a session as running EXEC's queued commands (Redis's CLIENT_MULTI): a blocking command there
 * answers as if it timed out instead of blocking. EXEC sets it around its queued commands.
 */
export function markTransaction(session: Session, active: boolean): void {
  if (active) executing.add(session);
  else executing.delete(session);
}

export const inTransaction = (session: Session): boolean => executing.has(session);

const runners = new WeakMap<CommandTableView, Runner>();

/** Each dispatcher installs how EXEC calls a queued command (its call(), without the queuing checks). */
export function setRunner(table: CommandTableView, run: Runner): void {
  runners.set(table, run);
}

function exec(c: Call): void {
  const s = states.get(c.session);
  if (s?.queue == null) return c.out.error('ERR EXEC without MULTI');
  if (s.dirtyExec || s.dirtyCas) {
    if (s.dirtyExec) c.out.error(EXECABORT);
    else c.out.raw(NULL_MULTIBULK);
    return discardTransaction(c, s);
  }
  const run = runners.get(c.table);
  if (run === undefined) throw new RangeError('EXEC: this command table has no runner (setRunner)');
  const queue = s.queue;
  unwatchAll(c.session, s, c.ks); // unwatch ASAP: the transaction's own writes must not dirty it
  s.queue = null;
  c.out.arrayHeader(queue.length);
  markTransaction(c.session, true); // a blocking pop inside EXEC answers as timed out (CLIENT_MULTI)
  try {
    for (const q of queue) run(q.cmd, q.argv, c.session, c);
  } finally {
    markTransaction(c.session, false);
    discardTransaction(c, s);
  }
}

function watch(c: Call): void {
  const s = stateOf(c.session);
  if (s.queue !== null) return c.out.error('ERR WATCH inside MULTI is not allowed');
  const db = c.session.db;
  const keys = dbWatchers(c.ks, db);
  for (let j = 1; j < c.argv.length; j++) {
    const key = keyArg(c, j);
    if (s.watched.some((w) => w.db === db && w.key === key)) continue;
    let sessions = keys.get(key);
    if (sessions === undefined) keys.set(key, (sessions = new Set()));
    sessions.add(c.session);
    s.watched.push({ db, key });
    watchCount++;
  }
  settle(c.session, s);
  c.out.raw(REPLY.ok);
}

function unwatch(c: Call): void {
  const s = states.get(c.session);
  if (s !== undefined) {
    unwatchAll(c.session, s, c.ks);
    s.dirtyCas = false;
    settle(c.session, s);
  }
  c.out.raw(REPLY.ok);
}

/** The commands the dispatcher runs even in MULTI (processCommand's exception list). */
export const TRANSACTION_CONTROL: ReadonlySet<string> = new Set(['exec', 'discard', 'multi', 'watch']);

export const transactionCommands: readonly CommandSpec[] = [
  spec('multi', multi, { arity: 1, flags: 'sF' }),
  spec('exec', exec, { arity: 1, flags: 'sM' }),
  spec('discard', discard, { arity: 1, flags: 'sF' }),
  spec('watch', watch, { arity: -2, flags: 'sF', keys: [1, -1, 1] }),
  spec('unwatch', unwatch, { arity: 1, flags: 'sF' }),
];
