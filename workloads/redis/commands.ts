// The command table and dispatcher (Redis server.c: lookupCommand + the checks in processCommand +
// call). Commands live in commands/*.ts by type; this file routes, queues in MULTI, keeps subscribed
// clients to their few commands, and signals the keys each write command touched to WATCH.
// Replies are appended to a ReplyWriter; the caller writes them out and honours session.quit.

import type { Call, CommandSpec, CommandTableView, Session } from './commands/common.js';
import { wrongArity } from './commands/common.js';
import { keyCommands } from './commands/keys.js';
import { listCommands } from './commands/lists.js';
import { serverCommands } from './commands/server.js';
import { hashCommands } from './commands/hashes.js';
import { setCommands } from './commands/sets.js';
import { stringCommands } from './commands/strings.js';
import { zsetStreamCommands } from './commands/zsets-streams.js';
import { introspectionCommands, unregisterClient } from './commands/introspection.js';
import { PUBSUB_ALLOWED, PUBSUB_CONTEXT_ERROR, forgetSubscriber, inPubSubContext, pubsubCommands } from './commands/pubsub.js';
import {
  TRANSACTION_CONTROL, anyWatched, flagTransaction, forgetSession, inMulti, isWatched, queueCommand, setRunner,
  touchWatchedKey, touchWatchedKeysOnFlush, transactionCommands,
} from './commands/transactions.js';
import { bitCommands } from './commands/bitops.js';
import { blockedClients } from './commands/blocking.js';
import { databaseCommands } from './commands/databases.js';
import { dumpCommands } from './commands/dump.js';
import { hyperloglogCommands } from './commands/hyperloglog.js';
import { sortCommands } from './commands/sort.js';
import type { Keyspace } from './keyspace.js';
import type { ReplyWriter } from './resp.js';
import { latin1, parseInteger, sameBytes } from './text.js';

export type { Call, CommandSpec, Handler, Session } from './commands/common.js';
export { createSession } from './commands/common.js';
export { REDIS_VERSION } from './commands/server.js';

const OK = new TextEncoder().encode('+OK\r\n');

const nameCodes: number[] = [];

/** Command name bytes, lowercased, as the latin1 string the table is keyed by. */
function commandName(b: Uint8Array): string {
  if (b.length > 64) {
    let s = '';
    for (let i = 0; i < b.length; i++) {
      const ch = b[i]!;
      s += String.fromCharCode(ch >= 0x41 && ch <= 0x5a ? ch | 0x20 : ch);
    }
    return s;
  }
  nameCodes.length = b.length;
  for (let i = 0; i < b.length; i++) {
    const ch = b[i]!;
    nameCodes[i] = ch >= 0x41 && ch <= 0x5a ? ch | 0x20 : ch;
  }
  return String.fromCharCode.apply(null, nameCodes);
}

/** A C string's view of an argument: it ends at the first NUL, as %s prints it. */
function cString(b: Uint8Array): string {
  const nul = b.indexOf(0);
  let s = '';
  for (let i = 0; i < (nul < 0 ? b.length : nul); i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** Redis 5.0 processCommand's reply for a name not in the table. */
export function unknownCommandError(argv: readonly Uint8Array[]): string {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) args += `\`${cString(argv[i]!).slice(0, 128 - args.length)}\`, `;
  return `ERR unknown command \`${cString(argv[0]!)}\`, with args beginning with: ${args}`;
}

/** A watched key a write command names, and whether it existed before the command ran. */
interface WatchedTarget {
  readonly db: number;
  readonly key: string;
  readonly existed: boolean;
}

export class CommandTable implements CommandTableView {
  #byName = new Map<string, CommandSpec>();
  /** Commands flagged 'w': after them the keys they name are signalled (signalModifiedKey). */
  #writes = new Set<CommandSpec>();
  /** The last name looked up, as sent and lowercased: pipelines repeat one command. */
  #lastRaw: Uint8Array = new Uint8Array(0);
  #lastName = '';

  constructor(specs: Iterable<CommandSpec>) {
    for (const s of specs) {
      if (s.name !== s.name.toLowerCase()) throw new RangeError(`command name must be lowercase: ${s.name}`);
      if (this.#byName.has(s.name)) throw new RangeError(`command registered twice: ${s.name}`);
      this.#byName.set(s.name, s);
      if (s.flags.includes('w')) this.#writes.add(s);
    }
    setRunner(this, (cmd, argv, session, c) => this.call(c.ks, cmd, argv, session, c.out));
  }

  lookup(name: string): CommandSpec | undefined {
    return this.#byName.get(name.toLowerCase());
  }

  specs(): readonly CommandSpec[] {
    return [...this.#byName.values()];
  }

  /**
   * processCommand: run one command against the session's db and append its reply. QUIT is answered
   * here, as Redis does before the table lookup; in MULTI the command is queued; a subscribed client
   * is kept to (P)(UN)SUBSCRIBE and PING. If a handler throws (a protection fault from the value
   * store, say), the half-written reply is removed and the error propagates to the caller.
   */
  execute(ks: Keyspace, argv: readonly Uint8Array[], session: Session, out: ReplyWriter): void {
    if (argv.length === 0) return;
    const raw = argv[0]!;
    let name = this.#lastName;
    if (!sameBytes(raw, this.#lastRaw)) {
      name = commandName(raw);
      this.#lastRaw = raw.slice();
      this.#lastName = name;
    }
    const cmd = this.#byName.get(name);
    if (cmd === undefined) {
      if (name === 'quit') {
        out.raw(OK);
        session.quit = true;
      } else {
        flagTransaction(session);
        out.error(unknownCommandError(argv));
      }
      return;
    }
    if (wrongArity(cmd, argv.length)) {
      flagTransaction(session);
      out.error(`ERR wrong number of arguments for '${cmd.name}' command`);
      return;
    }
    if (inPubSubContext(session) && !PUBSUB_ALLOWED.has(cmd.name)) {
      out.error(PUBSUB_CONTEXT_ERROR);
      return;
    }
    if (inMulti(session) && !TRANSACTION_CONTROL.has(cmd.name)) {
      queueCommand(session, cmd, argv, out);
      return;
    }
    this.call(ks, cmd, argv, session, out);
  }

  /** call(): run the handler, count it, and touch the watched keys a write command modified. */
  call(ks: Keyspace, cmd: CommandSpec, argv: readonly Uint8Array[], session: Session, out: ReplyWriter): void {
    ks.server.totalCommands++;
    const mark = out.length;
    const targets = anyWatched() && this.#writes.has(cmd) ? watchedTargets(ks, cmd, argv, session.db) : null;
    const call: Call = { cmd, ks, db: ks.db(session.db), argv, session, out, table: this };
    try {
      cmd.handler(call);
    } catch (err) {
      out.truncate(mark);
      throw err;
    }
    if (targets !== null && targets.length > 0) signalModifiedKeys(ks, targets, out, mark);
  }
}

/** The argv positions of a command's keys (getKeysFromCommand for the table's first/last/step). */
function keyPositions(cmd: CommandSpec, argc: number): number[] {
  const at: number[] = [];
  if (cmd.movableKeys === true) {
    // ZUNIONSTORE/ZINTERSTORE write only their destination; for the others every argument may name one.
    if (cmd.name === 'zunionstore' || cmd.name === 'zinterstore') return [1];
    for (let i = 1; i < argc; i++) at.push(i);
    return at;
  }
  if (cmd.firstKey <= 0) return at;
  const last = cmd.lastKey < 0 ? argc + cmd.lastKey : cmd.lastKey;
  for (let i = cmd.firstKey; i <= last && i < argc; i += cmd.keyStep) at.push(i);
  return at;
}

/**
 * Before a write command runs while someone WATCHes: the watched keys it names, and whether each
 * existed (a key absent before and after was not modified). FLUSHDB/FLUSHALL touch every watched key
 * that exists, as touchWatchedKeysOnFlush does; MOVE also names the key in its target db.
 */
function watchedTargets(ks: Keyspace, cmd: CommandSpec, argv: readonly Uint8Array[], db: number): WatchedTarget[] {
  if (cmd.name === 'flushall' || cmd.name === 'flushdb') {
    touchWatchedKeysOnFlush(ks, cmd.name === 'flushall' ? -1 : db);
    return [];
  }
  const targets: WatchedTarget[] = [];
  const consider = (index: number, key: string): void => {
    if (isWatched(ks, index, key)) targets.push({ db: index, key, existed: ks.db(index).lookup(key) !== undefined });
  };
  for (const i of keyPositions(cmd, argv.length)) consider(db, latin1(argv[i]!));
  if (cmd.name === 'move') {
    const to = parseInteger(argv[2]!);
    if (to !== null && to >= 0 && to < ks.dbs.length) consider(to, latin1(argv[1]!));
  }
  return targets;
}

/**
 * signalModifiedKey for what the command named: Redis's write commands signal only when they change
 * the key, and reply an error before changing anything; a command that answered an error, or left
 * absent a key that was absent, modified nothing. Other no-op writes (SADD of a present member, say)
 * count as modifications here: WATCH can abort more often than on Redis, never less.
 */
function signalModifiedKeys(ks: Keyspace, targets: readonly WatchedTarget[], out: ReplyWriter, mark: number): void {
  if (out.length > mark && out.bytes()[mark] === 0x2d /* - */) return;
  for (const t of targets) {
    if (!t.existed && ks.db(t.db).lookup(t.key) === undefined) continue;
    touchWatchedKey(ks, t.db, t.key);
  }
}

/** freeClient's part for the commands' state: unblock, unwatch, unsubscribe, leave CLIENT LIST. */
export function clientClosed(ks: Keyspace, session: Session, out: ReplyWriter): void {
  blockedClients(ks).forget(session);
  forgetSession(ks, session);
  forgetSubscriber(ks, session, out);
  unregisterClient(ks, session);
}

export function createCommandTable(): CommandTable {
  return new CommandTable([
    ...stringCommands,
    ...bitCommands,
    ...hyperloglogCommands,
    ...databaseCommands,
    ...sortCommands,
    ...dumpCommands,
    ...listCommands,
    ...setCommands,
    ...hashCommands,
    ...zsetStreamCommands,
    ...keyCommands,
    ...serverCommands,
    ...introspectionCommands,
    ...transactionCommands,
    ...pubsubCommands,
  ]);
}

let defaultTable: CommandTable | null = null;

/** Whether the default table has a command of this (lowercase) name. */
export function isCommand(name: string): boolean {
  defaultTable ??= createCommandTable();
  return defaultTable.lookup(name) !== undefined;
}

/** Run one command with the default table (see CommandTable.execute). */
export function execute(db: Keyspace, argv: readonly Uint8Array[], session: Session, out: ReplyWriter): void {
  defaultTable ??= createCommandTable();
  defaultTable.execute(db, argv, session, out);
}
