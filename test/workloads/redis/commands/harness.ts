// A command table over a MapValueStore and a hand-driven clock, with any number of client sessions
// each holding its own reply buffer, as the per-command tests of this folder drive it: run() returns a
// command's exact reply bytes (latin1), check() compares a list of them.

import type { Test } from 'tap';
import { createCommandTable, createSession } from '../../../../workloads/redis/commands.js';
import { Keyspace, MapValueStore } from '../../../../workloads/redis/keyspace.js';
import { ReplyWriter } from '../../../../workloads/redis/resp.js';

export const T0 = 1_700_000_000_000;

export function harness() {
  let now = T0;
  let seed = 42;
  const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const store = new MapValueStore();
  const ks = new Keyspace(store, { nowMs: () => now }, { random });
  const table = createCommandTable();
  let nextId = 1;
  /** A client: run() answers the reply its command wrote (empty while it blocks); take() what arrived since. */
  const client = () => {
    const session = createSession(nextId++);
    const out = new ReplyWriter(64);
    const take = (): string => {
      const s = Buffer.from(out.bytes()).toString('latin1');
      out.reset();
      return s;
    };
    const run = (...argv: (string | Uint8Array)[]): string => {
      take();
      table.execute(ks, argv.map((a) => (typeof a === 'string' ? Buffer.from(a, 'latin1') : a)), session, out);
      return take();
    };
    return { session, run, take };
  };
  const main = client();
  return { ks, store, client, session: main.session, run: main.run, advance: (ms: number) => void (now += ms), now: () => now };
}

export type Case = [string[], string];

/** Run each command and compare its exact reply bytes. */
export function check(t: Test, run: (...a: string[]) => string, cases: Case[]): void {
  for (const [argv, want] of cases) t.equal(run(...argv), want, argv.join(' '));
}

export const bulk = (s: string): string => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
export const int = (n: number): string => `:${n}\r\n`;
export const OK = '+OK\r\n';
export const NIL = '$-1\r\n';
export const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
export const NOTINT = '-ERR value is not an integer or out of range\r\n';
export const NOTFLOAT = '-ERR value is not a valid float\r\n';
export const SYNTAX = '-ERR syntax error\r\n';
export const arity = (name: string): string => `-ERR wrong number of arguments for '${name}' command\r\n`;
export const array = (...items: (string | null)[]): string => `*${items.length}\r\n${items.map((i) => (i === null ? NIL : bulk(i))).join('')}`;
/** A RESP array of bulk strings. */
export const bulks = (...items: string[]): string => array(...items);
