// Server and connection commands: PING (its pub/sub form too), ECHO, AUTH, TIME, COMMAND (Redis 5's
// 6-element entries). INFO, CONFIG, CLIENT, WAIT and LASTSAVE are in introspection.ts. Replies follow Redis 5.0.6.

import type { Call, CommandSpec } from './common.js';
import { REPLY, spec, subcommandError, textArg } from './common.js';
import { inPubSubContext } from './pubsub.js';

export const REDIS_VERSION = '5.0.6';

function ping(c: Call): void {
  if (c.argv.length > 2) return c.out.error(`ERR wrong number of arguments for 'ping' command`);
  if (inPubSubContext(c.session)) {
    // pingCommand in the pub/sub context: a two-element array, so subscribers can tell it from a message.
    c.out.arrayHeader(2);
    c.out.bulkString('pong');
    c.out.bulk(c.argv.length === 1 ? new Uint8Array(0) : c.argv[1]!);
  } else if (c.argv.length === 1) c.out.raw(REPLY.pong);
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

export const serverCommands: readonly CommandSpec[] = [
  spec('ping', ping, { arity: -1, flags: 'tF' }),
  spec('echo', echo, { arity: 2, flags: 'F' }),
  spec('auth', auth, { arity: 2, flags: 'sltF' }),
  spec('time', time, { arity: 1, flags: 'RF' }),
  spec('command', command, { arity: 0, flags: 'ltR' }),
];
