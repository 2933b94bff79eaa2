// Blocking pops (Redis blocked.c): a client whose BLPOP, BRPOP, BRPOPLPUSH, BZPOPMIN or BZPOPMAX finds
// every key empty is parked here and costs nothing until a write makes one of its keys ready or its
// deadline passes; the event loop (server.ts) sleeps in select() until the nearest deadline meanwhile.

import type { Keyspace } from '../keyspace.js';
import type { ReplyWriter } from '../resp.js';
import { formatDouble, latin1Bytes, parseLongLong } from '../text.js';
import type { Call, Session } from './common.js';
import { ERR } from './common.js';
import { HandleDeque } from '../structs/deque.js';
import { touchWatchedKey } from './transactions.js';

export type BlockKind = 'blpop' | 'brpop' | 'brpoplpush' | 'bzpopmin' | 'bzpopmax';

/** The nil multi-bulk a timed-out (or in-EXEC) blocking pop answers. */
export const NULL_ARRAY = new TextEncoder().encode('*-1\r\n');

interface Waiter {
  readonly session: Session;
  /** The parked client's reply buffer: its answer is written there when it is served. */
  readonly out: ReplyWriter;
  readonly db: number;
  readonly keys: readonly string[];
  readonly kind: BlockKind;
  /** BRPOPLPUSH's destination. */
  readonly target: string | null;
  /** Absolute ms; 0 waits for ever. */
  readonly deadline: number;
}

/** The clients blocked on one key of one db, longest-blocked first (Redis db->blocking_keys). */
interface Slot {
  readonly db: number;
  readonly key: string;
  readonly waiters: Waiter[];
}

const isListKind = (k: BlockKind): boolean => k === 'blpop' || k === 'brpop' || k === 'brpoplpush';

export class BlockedClients {
  #ks: Keyspace;
  #slots = new Map<string, Slot>();
  #bySession = new Map<Session, Waiter>();

  constructor(ks: Keyspace) {
    this.#ks = ks;
  }

  /** Clients blocked now. */
  get count(): number {
    return this.#bySession.size;
  }

  isBlocked(session: Session): boolean {
    return this.#bySession.has(session);
  }

  /** blockForKeys: park the calling client on its keys (each key once) until served, timed out or gone. */
  block(c: Call, keys: readonly string[], kind: BlockKind, deadline: number, target: string | null = null): void {
    if (this.#bySession.has(c.session)) throw new RangeError(`client ${c.session.id} is already blocked`);
    const w: Waiter = { session: c.session, out: c.out, db: c.db.index, keys: [...new Set(keys)], kind, target, deadline };
    this.#bySession.set(c.session, w);
    for (const key of w.keys) {
      const id = `${w.db}:${key}`;
      let slot = this.#slots.get(id);
      if (slot === undefined) {
        slot = { db: w.db, key, waiters: [] };
        this.#slots.set(id, slot);
      }
      slot.waiters.push(w);
    }
  }

  /** The client disconnected: it waits no more (unblockClient from freeClient). */
  forget(session: Session): void {
    const w = this.#bySession.get(session);
    if (w !== undefined) this.#unblock(w);
  }

  /** The nearest deadline of a blocked client, or null if every one waits for ever. */
  nextDeadline(): number | null {
    let next: number | null = null;
    for (const w of this.#bySession.values()) if (w.deadline > 0 && (next === null || w.deadline < next)) next = w.deadline;
    return next;
  }

  /** Answer `*-1` to the clients whose deadline is past (replyToBlockedClientTimedOut); returns them. */
  expire(nowMs: number): Session[] {
    const done: Session[] = [];
    for (const w of [...this.#bySession.values()]) {
      if (w.deadline === 0 || w.deadline >= nowMs) continue;
      this.#unblock(w);
      w.out.raw(NULL_ARRAY);
      done.push(w.session);
    }
    return done;
  }

  /**
   * handleClientsBlockedOnKeys: every blocked key that now holds a non-empty list or sorted set serves
   * its waiters in the order they blocked, one element each, until it runs out. Repeats while a
   * BRPOPLPUSH's push makes another key ready. Returns the clients served.
   * Keys are found ready by looking, not signalled by the write (the keyspace has no dbAdd hook), so when
   * one command readies several keys (a transaction) they are served in the order they were first blocked
   * on rather than Redis's order of signalling; a single write serves exactly as Redis does.
   */
  serveReady(): Session[] {
    const served: Session[] = [];
    if (this.#bySession.size === 0) return served;
    for (let progress = true; progress; ) {
      progress = false;
      for (const slot of [...this.#slots.values()]) {
        const n = this.#serveSlot(slot, served);
        if (n > 0) progress = true;
      }
    }
    return served;
  }

  #serveSlot(slot: Slot, served: Session[]): number {
    const db = this.#ks.db(slot.db);
    const v = db.get(slot.key);
    if (v === undefined || (v.type !== 'list' && v.type !== 'zset')) return 0;
    let n = 0;
    for (const w of [...slot.waiters]) {
      if (v.type === 'list') {
        if (v.list.length === 0) break;
        if (!isListKind(w.kind)) continue;
        this.#unblock(w);
        this.#serveList(w, slot.key, v.list);
      } else {
        if (v.zset.size === 0) break;
        if (isListKind(w.kind)) continue;
        this.#unblock(w);
        const node = w.kind === 'bzpopmin' ? v.zset.first()! : v.zset.last()!;
        v.zset.delete(node.member);
        w.out.arrayHeader(3);
        w.out.bulk(latin1Bytes(slot.key));
        this.#ks.replyBulk(node.addr, node.len, w.out);
        w.out.bulkString(formatDouble(node.score));
        this.#ks.freeBytes(node.addr, node.len);
      }
      served.push(w.session);
      n++;
    }
    if ((v.type === 'list' && v.list.length === 0) || (v.type === 'zset' && v.zset.size === 0)) db.delete(slot.key);
    return n;
  }

  /** serveClientBlockedOnList: pop one element for the waiter, or fail BRPOPLPUSH on a wrong-type target. */
  #serveList(w: Waiter, key: string, list: HandleDeque): void {
    const db = this.#ks.db(w.db);
    let dest: HandleDeque | null = null;
    if (w.target !== null) {
      const d = db.get(w.target);
      if (d !== undefined && d.type !== 'list') {
        w.out.error(ERR.wrongType); // Redis pops, fails the push and pushes the element back
        return;
      }
      dest = d?.list ?? null;
    }
    const front = w.kind === 'blpop';
    const i = front ? 0 : list.length - 1;
    const addr = list.addrAt(i);
    const len = list.lenAt(i);
    if (front) list.dropFront();
    else list.dropBack();
    if (w.target === null) {
      w.out.arrayHeader(2);
      w.out.bulk(latin1Bytes(key));
      this.#ks.replyBulk(addr, len, w.out);
      this.#ks.freeBytes(addr, len);
      return;
    }
    if (dest === null) {
      dest = new HandleDeque();
      db.set(w.target, { type: 'list', list: dest });
    }
    dest.pushFront(addr, len); // the element's bytes move with it
    touchWatchedKey(this.#ks, w.db, w.target); // rpoplpushHandlePush's signalModifiedKey (the source was signalled by its push)
    this.#ks.replyBulk(addr, len, w.out);
  }

  #unblock(w: Waiter): void {
    this.#bySession.delete(w.session);
    for (const key of w.keys) {
      const id = `${w.db}:${key}`;
      const slot = this.#slots.get(id);
      if (slot === undefined) continue;
      const at = slot.waiters.indexOf(w);
      if (at >= 0) slot.waiters.splice(at, 1);
      if (slot.waiters.length === 0) this.#slots.delete(id);
    }
  }
}

const registries = new WeakMap<Keyspace, BlockedClients>();

/** The keyspace's blocked clients (one registry per server). */
export function blockedClients(ks: Keyspace): BlockedClients {
  let r = registries.get(ks);
  if (r === undefined) {
    r = new BlockedClients(ks);
    registries.set(ks, r);
  }
  return r;
}

/**
 * getTimeoutFromObjectOrReply in seconds (Redis 5 takes integers only): the absolute deadline in ms,
 * 0 for none, or null after replying the error.
 */
export function timeoutArg(c: Call, i: number): number | null {
  const t = parseLongLong(c.argv[i]!);
  if (t === null) {
    c.out.error('ERR timeout is not an integer or out of range');
    return null;
  }
  if (t < 0n) {
    c.out.error('ERR timeout is negative');
    return null;
  }
  return t === 0n ? 0 : Number(t) * 1000 + c.ks.now();
}
