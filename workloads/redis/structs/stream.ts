// A Redis stream's structure: entries in ID order, each a flat list of (address, length) pairs
// for its fields and values in the value store. IDs are two unsigned 64-bit parts (ms-seq).

export interface StreamId {
  readonly ms: bigint;
  readonly seq: bigint;
}

export interface StreamEntry {
  readonly id: StreamId;
  /** addr0, len0, addr1, len1, ...: field, value, field, value. */
  readonly fields: readonly number[];
}

/** Redis's stream-node-max-entries default: the unit MAXLEN ~ trims by. */
export const NODE_ENTRIES = 100;

export const UINT64_MAX = (1n << 64n) - 1n;

export const compareIds = (a: StreamId, b: StreamId): number =>
  a.ms < b.ms ? -1 : a.ms > b.ms ? 1 : a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;

export const formatId = (id: StreamId): string => `${id.ms}-${id.seq}`;

export class Stream {
  #entries: StreamEntry[] = [];
  #head = 0;
  /** The last ID ever added (stays when entries are trimmed away), Redis's stream.last_id. */
  lastId: StreamId = { ms: 0n, seq: 0n };

  get length(): number {
    return this.#entries.length - this.#head;
  }

  at(i: number): StreamEntry {
    const e = this.#entries[this.#head + i];
    if (e === undefined || i < 0) throw new RangeError(`stream index ${i} out of range`);
    return e;
  }

  /** Redis streamNextID: now if the clock moved on, else last + 1 (carrying into ms). null when exhausted. */
  nextId(nowMs: bigint): StreamId | null {
    const last = this.lastId;
    if (nowMs > last.ms) return { ms: nowMs, seq: 0n };
    if (last.seq < UINT64_MAX) return { ms: last.ms, seq: last.seq + 1n };
    if (last.ms < UINT64_MAX) return { ms: last.ms + 1n, seq: 0n };
    return null;
  }

  /** Append with an ID greater than lastId (the caller checked). */
  append(entry: StreamEntry): void {
    this.#entries.push(entry);
    this.lastId = entry.id;
  }

  /**
   * Drop the oldest entries beyond maxlen; returns them so the caller frees their bytes.
   * `approx` (MAXLEN ~) removes only whole nodes of NODE_ENTRIES, as Redis frees radix-tree nodes.
   */
  trimTo(maxlen: number, options: { approx?: boolean } = {}): StreamEntry[] {
    let excess = this.length - maxlen;
    if (options.approx === true) excess -= excess % NODE_ENTRIES;
    if (excess <= 0) return [];
    const removed = this.#entries.slice(this.#head, this.#head + excess);
    this.#head += excess;
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    return removed;
  }

  [Symbol.iterator](): IterableIterator<StreamEntry> {
    return this.#entries.slice(this.#head)[Symbol.iterator]();
  }
}
