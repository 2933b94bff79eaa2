// The command table and dispatcher (Redis server.c: lookupCommand + the arity check in
// processCommand + call). Commands live in commands/*.ts by type; this file only routes.
// Replies are appended to a ReplyWriter; the caller writes them out and honours session.quit.

import type { Call, CommandSpec, CommandTableView, Session } from './commands/common.js';
import { keyCommands } from './commands/keys.js';
import { listCommands } from './commands/lists.js';
import { serverCommands } from './commands/server.js';
import { hashCommands } from './commands/hashes.js';
import { setCommands } from './commands/sets.js';
import { stringCommands } from './commands/strings.js';
import { zsetStreamCommands } from './commands/zsets-streams.js';
import { bitCommands } from './commands/bitops.js';
import { databaseCommands } from './commands/databases.js';
import { dumpCommands } from './commands/dump.js';
import { hyperloglogCommands } from './commands/hyperloglog.js';
import { sortCommands } from './commands/sort.js';
import type { Keyspace } from './keyspace.js';
import type { ReplyWriter } from './resp.js';

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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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

export class CommandTable implements CommandTableView {
  #byName = new Map<string, CommandSpec>();
  /** The last name looked up, as sent and lowercased: pipelines repeat one command. */
  #lastRaw: Uint8Array = new Uint8Array(0);
  #lastName = '';

  constructor(specs: Iterable<CommandSpec>) {
    for (const s of specs) {
      if (s.name !== s.name.toLowerCase()) throw new RangeError(`command name must be lowercase: ${s.name}`);
      if (this.#byName.has(s.name)) throw new RangeError(`command registered twice: ${s.name}`);
      this.#byName.set(s.name, s);
    }
  }

  lookup(name: string): CommandSpec | undefined {
    return this.#byName.get(name.toLowerCase());
  }

  specs(): readonly CommandSpec[] {
    return [...this.#byName.values()];
  }

  /**
   * Run one command against the session's db and append its reply. QUIT is answered here, as
   * Redis does before the table lookup. If a handler throws (a protection fault from the value
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
        out.error(unknownCommandError(argv));
      }
      return;
    }
    if ((cmd.arity > 0 && cmd.arity !== argv.length) || argv.length < -cmd.arity) {
      out.error(`ERR wrong number of arguments for '${cmd.name}' command`);
      return;
    }
    ks.server.totalCommands++;
    const mark = out.length;
    const call: Call = { cmd, ks, db: ks.db(session.db), argv, session, out, table: this };
    try {
      cmd.handler(call);
    } catch (err) {
      out.truncate(mark);
      throw err;
    }
  }
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
