// Publish/subscribe (Redis pubsub.c): channels and patterns, the RESP2 push messages written into the
// subscribers' own reply buffers (the connection loop flushes them on its next pass), PUBSUB
// introspection. A subscribed client may only send (P)(UN)SUBSCRIBE, PING and QUIT (the dispatcher checks).

import type { Call, CommandSpec, Session } from './common.js';
import { replyHelp, spec, subcommandError, textArg } from './common.js';
import type { Keyspace } from '../keyspace.js';
import type { ReplyWriter } from '../resp.js';
import { latin1Bytes, stringMatch } from '../text.js';

/** Where a subscriber's messages go: its connection's reply buffer. */
interface Subscriber {
  readonly session: Session;
  readonly out: ReplyWriter;
}

interface ClientSubs {
  readonly channels: Set<string>;
  readonly patterns: Set<string>;
}

interface PubSubServer {
  /** server.pubsub_channels: channel -> subscribers in subscription order. */
  readonly channels: Map<string, Map<Session, ReplyWriter>>;
  /** server.pubsub_patterns: a list of (client, pattern) in subscription order. */
  patterns: { session: Session; out: ReplyWriter; pattern: string }[];
}

const servers = new WeakMap<Keyspace, PubSubServer>();
/** Subscribed sessions (CLIENT_PUBSUB): the dispatcher's check is one size test when there are none. */
const subscribed = new Map<Session, ClientSubs>();

function serverOf(ks: Keyspace): PubSubServer {
  let s = servers.get(ks);
  if (s === undefined) servers.set(ks, (s = { channels: new Map(), patterns: [] }));
  return s;
}

function subsOf(session: Session): ClientSubs {
  let s = subscribed.get(session);
  if (s === undefined) subscribed.set(session, (s = { channels: new Set(), patterns: new Set() }));
  return s;
}

const countOf = (s: ClientSubs | undefined): number => (s === undefined ? 0 : s.channels.size + s.patterns.size);

/** CLIENT_PUBSUB: whether the dispatcher must restrict this client's commands. */
export function inPubSubContext(session: Session): boolean {
  return subscribed.size !== 0 && subscribed.has(session);
}

/** The commands allowed in the pub/sub context (besides QUIT, answered before the table). */
export const PUBSUB_ALLOWED: ReadonlySet<string> = new Set(['ping', 'subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe']);
export const PUBSUB_CONTEXT_ERROR = 'ERR only (P)SUBSCRIBE / (P)UNSUBSCRIBE / PING / QUIT allowed in this context';

/** INFO stats' pubsub_channels and pubsub_patterns. */
export function pubsubCounts(ks: Keyspace): { channels: number; patterns: number } {
  const ps = servers.get(ks);
  return { channels: ps?.channels.size ?? 0, patterns: ps?.patterns.length ?? 0 };
}

/** CLIENT LIST's sub= and psub= fields. */
export function subscriptionCounts(session: Session): { channels: number; patterns: number } {
  const s = subscribed.get(session);
  return { channels: s?.channels.size ?? 0, patterns: s?.patterns.size ?? 0 };
}

function confirm(out: ReplyWriter, kind: string, name: string | null, count: number): void {
  out.arrayHeader(3);
  out.bulkString(kind);
  if (name === null) out.nullBulk();
  else out.bulkString(name);
  out.integer(count);
}

function subscribeChannel(ps: PubSubServer, sub: Subscriber, channel: string): void {
  const mine = subsOf(sub.session);
  if (!mine.channels.has(channel)) {
    mine.channels.add(channel);
    let list = ps.channels.get(channel);
    if (list === undefined) ps.channels.set(channel, (list = new Map()));
    list.set(sub.session, sub.out);
  }
  confirm(sub.out, 'subscribe', channel, countOf(mine));
}

function unsubscribeChannel(ps: PubSubServer, sub: Subscriber, channel: string, notify: boolean): void {
  const mine = subscribed.get(sub.session);
  if (mine?.channels.delete(channel) === true) {
    const list = ps.channels.get(channel)!;
    list.delete(sub.session);
    if (list.size === 0) ps.channels.delete(channel);
  }
  if (notify) confirm(sub.out, 'unsubscribe', channel, countOf(mine));
}

function subscribePattern(ps: PubSubServer, sub: Subscriber, pattern: string): void {
  const mine = subsOf(sub.session);
  if (!mine.patterns.has(pattern)) {
    mine.patterns.add(pattern);
    ps.patterns.push({ session: sub.session, out: sub.out, pattern });
  }
  confirm(sub.out, 'psubscribe', pattern, countOf(mine));
}

function unsubscribePattern(ps: PubSubServer, sub: Subscriber, pattern: string, notify: boolean): void {
  const mine = subscribed.get(sub.session);
  if (mine?.patterns.delete(pattern) === true) {
    const i = ps.patterns.findIndex((p) => p.session === sub.session && p.pattern === pattern);
    ps.patterns.splice(i, 1);
  }
  if (notify) confirm(sub.out, 'punsubscribe', pattern, countOf(mine));
}

/** Clears CLIENT_PUBSUB once nothing is left. */
function settle(session: Session): void {
  if (countOf(subscribed.get(session)) === 0) subscribed.delete(session);
}

function unsubscribeAll(ps: PubSubServer, sub: Subscriber, notify: boolean): void {
  const mine = subscribed.get(sub.session);
  const channels = mine === undefined ? [] : [...mine.channels];
  for (const ch of channels) unsubscribeChannel(ps, sub, ch, notify);
  if (notify && channels.length === 0) confirm(sub.out, 'unsubscribe', null, countOf(mine));
}

function punsubscribeAll(ps: PubSubServer, sub: Subscriber, notify: boolean): void {
  const mine = subscribed.get(sub.session);
  const patterns = mine === undefined ? [] : [...mine.patterns];
  for (const p of patterns) unsubscribePattern(ps, sub, p, notify);
  if (notify && patterns.length === 0) confirm(sub.out, 'punsubscribe', null, countOf(mine));
}

/** freeClient's part: drop every subscription without replying. */
export function forgetSubscriber(ks: Keyspace, session: Session, out: ReplyWriter): void {
  if (!subscribed.has(session)) return;
  const ps = serverOf(ks);
  unsubscribeAll(ps, { session, out }, false);
  punsubscribeAll(ps, { session, out }, false);
  subscribed.delete(session);
}

/** pubsubPublishMessage: the number of receivers. */
function publishMessage(ks: Keyspace, channel: Uint8Array, message: Uint8Array): number {
  const ps = servers.get(ks);
  if (ps === undefined) return 0;
  const name = textOf(channel);
  let receivers = 0;
  const list = ps.channels.get(name);
  if (list !== undefined) {
    for (const out of list.values()) {
      out.arrayHeader(3);
      out.bulkString('message');
      out.bulk(channel);
      out.bulk(message);
      receivers++;
    }
  }
  for (const p of ps.patterns) {
    if (!stringMatch(p.pattern, name)) continue;
    p.out.arrayHeader(4);
    p.out.bulkString('pmessage');
    p.out.bulkString(p.pattern);
    p.out.bulk(channel);
    p.out.bulk(message);
    receivers++;
  }
  return receivers;
}

function textOf(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

const subscriber = (c: Call): Subscriber => ({ session: c.session, out: c.out });

function subscribe(c: Call): void {
  const ps = serverOf(c.ks);
  for (let j = 1; j < c.argv.length; j++) subscribeChannel(ps, subscriber(c), textArg(c, j));
}

function unsubscribe(c: Call): void {
  const ps = serverOf(c.ks);
  if (c.argv.length === 1) unsubscribeAll(ps, subscriber(c), true);
  else for (let j = 1; j < c.argv.length; j++) unsubscribeChannel(ps, subscriber(c), textArg(c, j), true);
  settle(c.session);
}

function psubscribe(c: Call): void {
  const ps = serverOf(c.ks);
  for (let j = 1; j < c.argv.length; j++) subscribePattern(ps, subscriber(c), textArg(c, j));
}

function punsubscribe(c: Call): void {
  const ps = serverOf(c.ks);
  if (c.argv.length === 1) punsubscribeAll(ps, subscriber(c), true);
  else for (let j = 1; j < c.argv.length; j++) unsubscribePattern(ps, subscriber(c), textArg(c, j), true);
  settle(c.session);
}

function publish(c: Call): void {
  c.out.integer(publishMessage(c.ks, c.argv[1]!, c.argv[2]!));
}

const PUBSUB_HELP = [
  'CHANNELS [<pattern>] -- Return the currently active channels matching a pattern (default: all).',
  'NUMPAT -- Return number of subscriptions to patterns.',
  'NUMSUB [channel-1 .. channel-N] -- Returns the number of subscribers for the specified channels (excluding patterns, default: none).',
];

function pubsub(c: Call): void {
  const n = c.argv.length;
  const sub = textArg(c, 1).toLowerCase();
  const ps = serverOf(c.ks);
  if (n === 2 && sub === 'help') {
    replyHelp(c, PUBSUB_HELP);
  } else if (sub === 'channels' && (n === 2 || n === 3)) {
    const pattern = n === 3 ? textArg(c, 2) : null;
    const hits = [...ps.channels.keys()].filter((ch) => pattern === null || stringMatch(pattern, ch));
    c.out.arrayHeader(hits.length);
    for (const ch of hits) c.out.bulk(latin1Bytes(ch));
  } else if (sub === 'numsub') {
    c.out.arrayHeader((n - 2) * 2);
    for (let j = 2; j < n; j++) {
      c.out.bulk(c.argv[j]!);
      c.out.integer(ps.channels.get(textArg(c, j))?.size ?? 0);
    }
  } else if (sub === 'numpat' && n === 2) {
    c.out.integer(ps.patterns.length);
  } else {
    subcommandError(c);
  }
}

export const pubsubCommands: readonly CommandSpec[] = [
  spec('subscribe', subscribe, { arity: -2, flags: 'pslt' }),
  spec('unsubscribe', unsubscribe, { arity: -1, flags: 'pslt' }),
  spec('psubscribe', psubscribe, { arity: -2, flags: 'pslt' }),
  spec('punsubscribe', punsubscribe, { arity: -1, flags: 'pslt' }),
  spec('publish', publish, { arity: 3, flags: 'pltF' }),
  spec('pubsub', pubsub, { arity: -2, flags: 'pltR' }),
];
