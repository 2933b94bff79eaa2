// What every command implementation shares: the call it receives, Redis 5's exact error
// texts (server.c shared objects), pre-encoded constant replies, and argument helpers that
// reply the way getLongFromObjectOrReply and lookupKey*OrReply + checkType do.

import type { Keyspace, RedisDb, RedisType, ValueOf } from '../keyspace.js';
import type { ReplyWriter } from '../resp.js';
import { latin1, parseDouble, parseInteger, parseLongLong } from '../text.js';

/** A client's connection state as commands see it. */
export interface Session {
  /** The selected db (SELECT). */
  db: number;
  /** Set by QUIT: the caller closes the connection after writing the reply. */
  quit: boolean;
  /** CLIENT SETNAME. */
  name: string | null;
  readonly id: number;
}

export function createSession(id = 0): Session {
  return { db: 0, quit: false, name: null, id };
}

export interface Call {
  /** The command being run (its table row). */
  readonly cmd: CommandSpec;
  readonly ks: Keyspace;
  readonly db: RedisDb;
  readonly argv: readonly Uint8Array[];
  readonly session: Session;
  readonly out: ReplyWriter;
  readonly table: CommandTableView;
}

export type Handler = (c: Call) => void;

/** One row of Redis's redisCommandTable. */
export interface CommandSpec {
  readonly name: string;
  readonly handler: Handler;
  /** Redis convention: N = exactly N arguments (with the name), -N = at least N. */
  readonly arity: number;
  /** Redis's flag letters: w r m a p s R S l t M k F. */
  readonly flags: string;
  readonly firstKey: number;
  readonly lastKey: number;
  readonly keyStep: number;
  readonly movableKeys?: boolean;
}

/** What COMMAND needs to see of the table, without importing the dispatcher. */
export interface CommandTableView {
  lookup(name: string): CommandSpec | undefined;
  specs(): readonly CommandSpec[];
}

export const ERR = {
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  syntax: 'ERR syntax error',
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  overflow: 'ERR increment or decrement would overflow',
  outOfRange: 'ERR index out of range',
  hashNotInteger: 'ERR hash value is not an integer',
  tooBig: 'ERR string exceeds maximum allowed size (512MB)',
} as const;

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const REPLY = {
  ok: enc('+OK\r\n'),
  pong: enc('+PONG\r\n'),
  nullBulk: enc('$-1\r\n'),
  emptyArray: enc('*0\r\n'),
  zero: enc(':0\r\n'),
  one: enc(':1\r\n'),
} as const;

/** A key argument as the keyspace indexes it. */
export const keyArg = (c: Call, i: number): string => latin1(c.argv[i]!);

/** A byte argument as ASCII/latin1 text (option names, patterns). */
export const textArg = (c: Call, i: number): string => latin1(c.argv[i]!);

/** Case-insensitive option match against a lowercase ASCII word. */
export function isWord(arg: Uint8Array | undefined, word: string): boolean {
  if (arg === undefined || arg.length !== word.length) return false;
  for (let i = 0; i < word.length; i++) {
    const ch = arg[i]!;
    if ((ch >= 0x41 && ch <= 0x5a ? ch | 0x20 : ch) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The value at a key if it has the wanted type; undefined if absent; null after replying
 * WRONGTYPE (Redis checkType).
 */
export function typed<T extends RedisType>(c: Call, key: string, type: T): ValueOf<T> | undefined | null {
  const v = c.db.get(key);
  if (v === undefined) return undefined;
  if (v.type !== type) {
    c.out.error(ERR.wrongType);
    return null;
  }
  return v as ValueOf<T>;
}

/** getLongFromObjectOrReply: an integer argument, or null after replying the error. */
export function intArg(c: Call, i: number, options: { message?: string } = {}): number | null {
  const v = parseInteger(c.argv[i]!);
  if (v === null) c.out.error(options.message ?? ERR.notInteger);
  return v;
}

/** getLongLongFromObjectOrReply with exact 64-bit value. */
export function longLongArg(c: Call, i: number): bigint | null {
  const v = parseLongLong(c.argv[i]!);
  if (v === null) c.out.error(ERR.notInteger);
  return v;
}

export function doubleArg(c: Call, i: number): number | null {
  const v = parseDouble(c.argv[i]!);
  if (v === null) c.out.error(ERR.notFloat);
  return v;
}

/** Redis's LRANGE/ZRANGE index sanitising: [start, end] inclusive, or null if empty. */
export function clampRange(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  if (end >= len) end = len - 1;
  return [start, end];
}

/** Reply with the bytes an (address, length) pair names in the value store. */
export function bulkAt(c: Call, addr: number, len: number): void {
  c.ks.replyBulk(addr, len, c.out);
}

/** addReplySubcommandSyntaxError. */
export function subcommandError(c: Call): void {
  const cmd = latin1(c.argv[0]!).toUpperCase();
  c.out.error(`ERR Unknown subcommand or wrong number of arguments for '${latin1(c.argv[1]!)}'. Try ${cmd} HELP.`);
}

/** addReplyHelp: the command's name line, then the lines as status replies. */
export function replyHelp(c: Call, lines: readonly string[]): void {
  c.out.arrayHeader(lines.length + 1);
  c.out.simple(`${textArg(c, 0).toUpperCase()} <subcommand> arg arg ... arg. Subcommands are:`);
  for (const l of lines) c.out.simple(l);
}

/** processCommand's arity check: whether `argc` arguments (with the name) do not fit the command. */
export const wrongArity = (cmd: CommandSpec, argc: number): boolean => (cmd.arity > 0 && cmd.arity !== argc) || argc < -cmd.arity;

/** A table row: arity, Redis flag letters and the key positions (first, last, step). */
export function spec(
  name: string,
  handler: Handler,
  row: { arity: number; flags: string; keys?: [number, number, number]; movableKeys?: boolean },
): CommandSpec {
  const [firstKey, lastKey, keyStep] = row.keys ?? [0, 0, 0];
  const movable = row.movableKeys === true ? { movableKeys: true } : {};
  return { name, handler, arity: row.arity, flags: row.flags, firstKey, lastKey, keyStep, ...movable };
}
