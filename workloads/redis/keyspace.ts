// The Redis database: 16 numbered dbs mapping keys to typed values with optional expiry.
// Value bytes live in a ValueStore (the app compartment's heap region in simulated memory);
// only the structure (maps, deques, skiplists) stays in the JS heap, referencing addresses.

import { NO_WORK, type WorkMeter } from '../../kernel/abi/work.js';
import { HandleDeque } from './structs/deque.js';
import { MemberSet } from './structs/member-set.js';
import { SortedSet } from './structs/sorted-set.js';
import { Stream } from './structs/stream.js';
import { stringMatch } from './text.js';
import type { ReplyWriter } from './resp.js';
import { MemoryLimit } from './memory-limit.js';

/** Where value bytes live: the app compartment's heap region in simulated memory. */
export interface ValueStore {
  /** Stores a copy; throws ValueStoreFullError (memory-limit.ts) when there is no room, allocating nothing. */
  put(bytes: Uint8Array): number /* address */;
  read(address: number, length: number): Uint8Array /* a copy */;
  /** Appends the bytes as a bulk reply, copying them once from where they live (optional). */
  readInto?(address: number, length: number, out: ReplyWriter): void;
  free(address: number): void;
}

/** uktime's gettimeofday, in ms. */
export interface Clock {
  nowMs(): number;
}

/** The address given to empty byte strings: nothing is allocated for them. */
export const NO_ADDRESS = -1;

export interface Handle {
  readonly addr: number;
  readonly len: number;
}

export type RedisValue =
  | { readonly type: 'string'; addr: number; len: number }
  | { readonly type: 'list'; readonly list: HandleDeque }
  | { readonly type: 'set'; readonly set: MemberSet }
  | { readonly type: 'hash'; readonly hash: Map<string, Handle> }
  | { readonly type: 'zset'; readonly zset: SortedSet }
  | { readonly type: 'stream'; readonly stream: Stream };

export type RedisType = RedisValue['type'];
export type ValueOf<T extends RedisType> = Extract<RedisValue, { type: T }>;

export interface KeyEntry {
  value: RedisValue;
  /** Absolute ms, or -1 for no TTL. */
  expireAt: number;
  /** Insertion order, the SCAN cursor space. */
  readonly seq: number;
  /** Last access in ms (Redis's per-object LRU clock: OBJECT IDLETIME). */
  accessedAt: number;
}

/** The clients' buffers as INFO reports them, measured by the socket side. */
export interface ClientBufferStats {
  /** mem_clients_normal: bytes allocated now for every client's query and reply buffers. */
  normalBytes(): number;
  /** client_recent_max_input_buffer, client_recent_max_output_buffer: the biggest of the last seconds. */
  recentMaxInput(): number;
  recentMaxOutput(): number;
}

/** Server-wide figures the socket side keeps up to date (INFO). */
export interface ServerState {
  port: number;
  connectedClients: number;
  totalConnections: number;
  totalCommands: number;
  readonly startedAtMs: number;
  /** Set by the socket side; absent where there are no sockets (tests of the commands). */
  clientBuffers?: ClientBufferStats;
}

/** A store for tests: a JS Map from address to bytes, counting what is live. */
export class MapValueStore implements ValueStore {
  #values = new Map<number, Uint8Array>();
  #next = 0x1000;
  #bytes = 0;

  /** Live allocations. */
  get count(): number {
    return this.#values.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  put(bytes: Uint8Array): number {
    const address = this.#next;
    this.#next += (bytes.length + 15) & ~7; // aligned, never reused: a stale address stays detectable
    this.#values.set(address, bytes.slice());
    this.#bytes += bytes.length;
    return address;
  }

  read(address: number, length: number): Uint8Array {
    const v = this.#values.get(address);
    if (v === undefined) throw new RangeError(`read of unallocated address 0x${address.toString(16)}`);
    if (length > v.length) throw new RangeError(`read of ${length} bytes at 0x${address.toString(16)} (size ${v.length})`);
    return v.slice(0, length);
  }

  free(address: number): void {
    const v = this.#values.get(address);
    if (v === undefined) throw new RangeError(`free of unallocated address 0x${address.toString(16)}`);
    this.#values.delete(address);
    this.#bytes -= v.length;
  }
}

const EMPTY = new Uint8Array(0);

export interface KeyspaceOptions {
  databases?: number;
  /** Uniform in [0, 1): SPOP, RANDOMKEY, skiplist levels. */
  random?: () => number;
  port?: number;
  /** Where dictionary work is reported for the modelled clock (each key hashed, its chain walked, compared). */
  work?: WorkMeter;
  /** maxmemory in bytes at boot (0, the default: no limit). */
  maxmemory?: number;
}

export class Keyspace {
  readonly store: ValueStore;
  readonly clock: Clock;
  readonly random: () => number;
  readonly dbs: readonly RedisDb[];
  readonly server: ServerState;
  readonly work: WorkMeter;
  /** maxmemory: CONFIG SET and the boot settings write it, processCommand's check reads it. */
  readonly memoryLimit: MemoryLimit;
  #storedBytes = 0;
  #expireDb = 0;

  constructor(store: ValueStore, clock: Clock, options: KeyspaceOptions = {}) {
    const n = options.databases ?? 16;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`options.databases must be a positive integer (got ${n})`);
    this.store = store;
    this.clock = clock;
    this.random = options.random ?? Math.random;
    this.work = options.work ?? NO_WORK;
    this.memoryLimit = new MemoryLimit(options.maxmemory ?? 0);
    this.dbs = Array.from({ length: n }, (_, i) => new RedisDb(this, i));
    this.server = { port: options.port ?? 6379, connectedClients: 0, totalConnections: 0, totalCommands: 0, startedAtMs: this.now() };
  }

  now(): number {
    return Math.floor(this.clock.nowMs());
  }

  db(index: number): RedisDb {
    const db = this.dbs[index];
    if (db === undefined) throw new RangeError(`db index ${index} is outside 0..${this.dbs.length - 1}`);
    return db;
  }

  /** Bytes held in the value store by this keyspace: Redis's used_memory here, which maxmemory bounds. */
  get storedBytes(): number {
    return this.#storedBytes;
  }

  putBytes(bytes: Uint8Array): number {
    if (bytes.length === 0) return NO_ADDRESS;
    const address = this.store.put(bytes); // counted once stored: a full store throws first
    this.#storedBytes += bytes.length;
    return address;
  }

  readBytes(addr: number, len: number): Uint8Array {
    return len === 0 ? EMPTY : this.store.read(addr, len);
  }

  /** Replies the bytes (addr, len) names as a bulk. */
  replyBulk(addr: number, len: number, out: ReplyWriter): void {
    if (len === 0) out.bulk(EMPTY);
    else if (this.store.readInto !== undefined) this.store.readInto(addr, len, out);
    else out.bulk(this.store.read(addr, len));
  }

  freeBytes(addr: number, len: number): void {
    if (len === 0) return;
    this.#storedBytes -= len;
    this.store.free(addr);
  }

  /** Free every byte string a value references (DEL, overwrite, expiry, FLUSH*). */
  release(value: RedisValue): void {
    switch (value.type) {
      case 'string':
        this.freeBytes(value.addr, value.len);
        break;
      case 'list':
        for (let i = 0; i < value.list.length; i++) this.freeBytes(value.list.addrAt(i), value.list.lenAt(i));
        break;
      case 'set':
        for (const m of value.set) this.freeBytes(m.addr, m.len);
        break;
      case 'hash':
        for (const h of value.hash.values()) this.freeBytes(h.addr, h.len);
        break;
      case 'zset':
        for (const n of value.zset) this.freeBytes(n.addr, n.len);
        break;
      case 'stream':
        for (const e of value.stream) this.releaseFields(e.fields);
        break;
    }
  }

  releaseFields(fields: readonly number[]): void {
    for (let i = 0; i < fields.length; i += 2) this.freeBytes(fields[i]!, fields[i + 1]!);
  }

  flushAll(): void {
    for (const db of this.dbs) db.flush();
  }

  /** Reap expired keys, looking at no more than `budget` keys with a TTL; returns how many were reaped. */
  activeExpireCycle(budget: number): number {
    let left = budget;
    let reaped = 0;
    for (let tries = 0; tries < this.dbs.length && left > 0; tries++) {
      const db = this.dbs[this.#expireDb]!;
      const r = db.activeExpire(left);
      left -= r.checked;
      reaped += r.reaped;
      if (r.checked === 0 || left > 0) this.#expireDb = (this.#expireDb + 1) % this.dbs.length;
    }
    return reaped;
  }
}

interface ScanPosition {
  iter: Iterator<[string, KeyEntry]>;
  key: string;
  entry: KeyEntry;
}

const SCAN_CACHE = 32;

export class RedisDb {
  readonly index: number;
  #ks: Keyspace;
  #keys = new Map<string, KeyEntry>();
  #volatile = new Map<string, KeyEntry>();
  #seq = 1;
  #scans = new Map<number, ScanPosition>();
  #expireIter: Iterator<[string, KeyEntry]> | null = null;

  constructor(ks: Keyspace, index: number) {
    this.#ks = ks;
    this.index = index;
  }

  /** Keys stored, counting expired keys not yet reaped (see dbsize()). */
  get size(): number {
    return this.#keys.size;
  }

  get volatileCount(): number {
    return this.#volatile.size;
  }

  /** Redis 5's dictFind: SipHash of the key, one bucket entry walked, the key compared when it is there. */
  #dictFind(key: string, found: boolean): void {
    const work = this.#ks.work;
    work.add('hash', key.length);
    work.add('walk', 1);
    if (found) work.add('compare', key.length);
  }

  #expired(e: KeyEntry): boolean {
    return e.expireAt >= 0 && this.#ks.now() > e.expireAt;
  }

  /** The live entry for a key; an expired key is deleted on the way (Redis expireIfNeeded). */
  lookup(key: string): KeyEntry | undefined {
    const e = this.#keys.get(key);
    this.#dictFind(key, e !== undefined);
    if (e === undefined) return undefined;
    if (e.expireAt >= 0 && this.#expired(e)) {
      this.delete(key);
      return undefined;
    }
    e.accessedAt = this.#ks.now();
    return e;
  }

  /** lookup without touching the access time (Redis LOOKUP_NOTOUCH: OBJECT, TTL-free inspection). */
  peek(key: string): KeyEntry | undefined {
    const e = this.#keys.get(key);
    if (e !== undefined && e.expireAt >= 0 && this.#expired(e)) {
      this.delete(key);
      return undefined;
    }
    return e;
  }

  /** Remove a key without freeing its value, which the caller moves elsewhere (RENAME, MOVE). */
  take(key: string): KeyEntry | undefined {
    const e = this.lookup(key);
    if (e === undefined) return undefined;
    this.#keys.delete(key);
    if (e.expireAt >= 0) this.#volatile.delete(key);
    return e;
  }

  /** Add a value under a key that is absent, with an absolute expiry or -1 (dbAdd + setExpire). */
  add(key: string, value: RedisValue, expireAt: number): void {
    if (this.lookup(key) !== undefined) throw new RangeError('add() of a key that exists');
    const e: KeyEntry = { value, expireAt, seq: this.#seq++, accessedAt: this.#ks.now() };
    this.#keys.set(key, e);
    if (expireAt >= 0) this.#volatile.set(key, e);
  }

  /** Exchange the whole contents of two dbs (SWAPDB: clients keep their index and see the other data). */
  swapWith(other: RedisDb): void {
    [this.#keys, other.#keys] = [other.#keys, this.#keys];
    [this.#volatile, other.#volatile] = [other.#volatile, this.#volatile];
    [this.#seq, other.#seq] = [other.#seq, this.#seq];
    this.#scans.clear();
    other.#scans.clear();
    this.#expireIter = null;
    other.#expireIter = null;
  }

  get(key: string): RedisValue | undefined {
    return this.lookup(key)?.value;
  }

  /** Store a value under a key, freeing what it replaces; the TTL is cleared unless keepTtl. */
  set(key: string, value: RedisValue, options: { keepTtl?: boolean } = {}): void {
    const e = this.lookup(key);
    if (e === undefined) {
      this.#ks.work.add('alloc', 2); // dictAdd: the entry and the key's sds
      this.#keys.set(key, { value, expireAt: -1, seq: this.#seq++, accessedAt: this.#ks.now() });
      return;
    }
    if (e.value !== value) this.#ks.release(e.value);
    e.value = value;
    if (options.keepTtl !== true && e.expireAt >= 0) {
      e.expireAt = -1;
      this.#volatile.delete(key);
    }
  }

  delete(key: string): boolean {
    const e = this.#keys.get(key);
    this.#dictFind(key, e !== undefined);
    if (e === undefined) return false;
    this.#ks.work.add('alloc', 2); // dictDelete frees the entry and the key's sds
    this.#keys.delete(key);
    if (e.expireAt >= 0) this.#volatile.delete(key);
    this.#ks.release(e.value);
    return true;
  }

  /** Set an absolute expiry on an existing live key. */
  setExpire(key: string, atMs: number): boolean {
    const e = this.lookup(key);
    if (e === undefined) return false;
    e.expireAt = atMs;
    this.#volatile.set(key, e);
    return true;
  }

  persist(key: string): boolean {
    const e = this.lookup(key);
    if (e === undefined || e.expireAt < 0) return false;
    e.expireAt = -1;
    this.#volatile.delete(key);
    return true;
  }

  /** DBSIZE without the expired keys: reaps every expired key first (cost: keys with a TTL). */
  dbsize(): number {
    for (const [key, e] of this.#volatile) if (this.#expired(e)) this.delete(key);
    return this.#keys.size;
  }

  keys(pattern: string): string[] {
    const all = pattern === '*';
    const out: string[] = [];
    for (const [key, e] of this.#keys) {
      if (!all && !stringMatch(pattern, key)) continue;
      if (e.expireAt >= 0 && this.#expired(e)) this.delete(key);
      else out.push(key);
    }
    return out;
  }

  /**
   * One SCAN step: visit up to `count` keys after `cursor`. Cursors are insertion sequence
   * numbers and the Map iterates in insertion order, so a key present for the whole scan is
   * returned exactly once. Live iterators are cached per returned cursor to keep steps O(count).
   */
  scan(cursor: number, options: { count: number; filter?: (key: string, value: RedisValue) => boolean }): { cursor: number; keys: string[] } {
    let pos = cursor === 0 ? undefined : this.#scans.get(cursor);
    this.#scans.delete(cursor);
    let iter: Iterator<[string, KeyEntry]>;
    let pending: [string, KeyEntry] | null = null;
    if (pos !== undefined) {
      iter = pos.iter;
      if (this.#keys.get(pos.key) === pos.entry) pending = [pos.key, pos.entry];
    } else {
      iter = this.#keys.entries();
      if (cursor !== 0) {
        for (let r = iter.next(); ; r = iter.next()) {
          if (r.done === true) return { cursor: 0, keys: [] };
          if (r.value[1].seq >= cursor) {
            pending = r.value;
            break;
          }
        }
      }
    }
    const keys: string[] = [];
    for (let visited = 0; visited < options.count; visited++) {
      let item: [string, KeyEntry];
      if (pending !== null) {
        item = pending;
        pending = null;
      } else {
        const r = iter.next();
        if (r.done === true) return { cursor: 0, keys };
        item = r.value;
      }
      const [key, e] = item;
      if (e.expireAt >= 0 && this.#expired(e)) this.delete(key);
      else if (options.filter === undefined || options.filter(key, e.value)) keys.push(key);
    }
    const r = iter.next();
    if (r.done === true) return { cursor: 0, keys };
    pos = { iter, key: r.value[0], entry: r.value[1] };
    const next = pos.entry.seq;
    this.#scans.set(next, pos);
    if (this.#scans.size > SCAN_CACHE) this.#scans.delete(this.#scans.keys().next().value!);
    return { cursor: next, keys };
  }

  /** A uniformly random live key, or null. O(keys): RANDOMKEY is rare. */
  randomKey(): string | null {
    for (let tries = 0; tries < 100 && this.#keys.size > 0; tries++) {
      let skip = Math.floor(this.#ks.random() * this.#keys.size);
      for (const [key, e] of this.#keys) {
        if (skip-- > 0) continue;
        if (e.expireAt >= 0 && this.#expired(e)) {
          this.delete(key);
          break;
        }
        return key;
      }
    }
    return null;
  }

  flush(): void {
    for (const e of this.#keys.values()) this.#ks.release(e.value);
    this.#keys.clear();
    this.#volatile.clear();
    this.#scans.clear();
    this.#expireIter = null;
  }

  /** Average remaining TTL of keys with one (INFO keyspace avg_ttl). */
  averageTtl(): number {
    if (this.#volatile.size === 0) return 0;
    const now = this.#ks.now();
    let sum = 0;
    for (const e of this.#volatile.values()) sum += Math.max(0, e.expireAt - now);
    return Math.floor(sum / this.#volatile.size);
  }

  /** Look at up to `budget` keys with a TTL, round-robin across calls, deleting the expired ones. */
  activeExpire(budget: number): { checked: number; reaped: number } {
    let checked = 0;
    let reaped = 0;
    let wrapped = false;
    while (checked < budget && this.#volatile.size > 0) {
      this.#expireIter ??= this.#volatile.entries();
      const r = this.#expireIter.next();
      if (r.done === true) {
        this.#expireIter = null;
        if (wrapped) break;
        wrapped = true;
        continue;
      }
      checked++;
      const [key, e] = r.value;
      if (this.#expired(e) && this.#keys.get(key) === e) {
        this.delete(key);
        reaped++;
      }
    }
    return { checked, reaped };
  }
}
