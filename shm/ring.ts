// Single-producer single-consumer rings over a range of a SharedArrayBuffer: the virtqueues of the
// simulated devices. ByteRing carries a byte stream; RecordRing carries fixed two-word records.
// Each side writes one word only: the producer the tail, the consumer the head (both free-running
// u32 counters); the data is written before the tail that publishes it, read before the head that frees it.
//
//   byte offset   word    writer     meaning
//   0             MAGIC   format     RING_MAGIC_BYTES or RING_MAGIC_RECORDS
//   4             CAP     format     capacity (bytes, or records), a power of two
//   64            HEAD    consumer   count of units ever consumed (mod 2^32)
//   128           TAIL    producer   count of units ever produced (mod 2^32)
//   192..         data    producer   capacity bytes, or capacity × 8 bytes of records
// HEAD and TAIL sit on their own 64-byte lines so the two sides do not share a cache line.

export const RING_HEADER_BYTES = 192;
export const RING_MAGIC_BYTES = 0x52494e47; // 'RING'
export const RING_MAGIC_RECORDS = 0x52454353; // 'RECS'
/** Word indexes of the header, for tests and debuggers; the classes below are the only writers. */
export const RING_WORD_MAGIC = 0;
export const RING_WORD_CAPACITY = 1;
export const RING_WORD_HEAD = 16;
export const RING_WORD_TAIL = 32;
export const RING_MAX_CAPACITY = 1 << 30;
export const RECORD_WORDS = 2;

/** Below this many bytes a copy loop beats creating the subarray view that `set` needs. */
const SMALL_COPY = 64;

interface RingPlacement {
  offset: number;
  capacity: number;
}

function checkPlacement(sab: SharedArrayBuffer, offset: number, dataBytes: number): void {
  if (!(sab instanceof SharedArrayBuffer)) throw new TypeError('ring: sab must be a SharedArrayBuffer');
  if (!Number.isInteger(offset) || offset < 0 || offset % 4 !== 0) {
    throw new RangeError(`ring: offset must be a non-negative multiple of 4 (got ${offset})`);
  }
  if (offset + RING_HEADER_BYTES + dataBytes > sab.byteLength) {
    throw new RangeError(
      `ring: ${RING_HEADER_BYTES + dataBytes} bytes at offset ${offset} do not fit in a buffer of ${sab.byteLength} bytes`,
    );
  }
}

function checkCapacity(capacity: number, what: string): void {
  if (!Number.isInteger(capacity) || capacity < 2 || capacity > RING_MAX_CAPACITY || (capacity & (capacity - 1)) !== 0) {
    throw new RangeError(`ring: capacity${what} must be a power of two from 2 to 2^30 (got ${capacity})`);
  }
}

function formatHeader(sab: SharedArrayBuffer, offset: number, magic: number, capacity: number): Int32Array {
  const words = new Int32Array(sab, offset, RING_HEADER_BYTES / 4);
  Atomics.store(words, RING_WORD_HEAD, 0);
  Atomics.store(words, RING_WORD_TAIL, 0);
  Atomics.store(words, RING_WORD_CAPACITY, capacity);
  Atomics.store(words, RING_WORD_MAGIC, magic);
  return words;
}

function attachHeader(sab: SharedArrayBuffer, offset: number, magic: number, unit: number): Int32Array {
  checkPlacement(sab, offset, 0);
  const words = new Int32Array(sab, offset, RING_HEADER_BYTES / 4);
  if (Atomics.load(words, RING_WORD_MAGIC) !== magic) {
    throw new RangeError(`ring: no formatted ring at offset ${offset}`);
  }
  const capacity = Atomics.load(words, RING_WORD_CAPACITY);
  checkCapacity(capacity, ' in the ring header');
  checkPlacement(sab, offset, capacity * unit);
  return words;
}

/** A byte stream from one producer to one consumer. Methods are allocation-free below SMALL_COPY bytes. */
export class ByteRing {
  /** Bytes a ring of this capacity takes, header included. */
  static bytesFor(capacity: number): number {
    checkCapacity(capacity, '');
    return RING_HEADER_BYTES + capacity;
  }

  /** Lays out an empty ring. Only while neither side is using that range (creation, or slot reuse). */
  static format(sab: SharedArrayBuffer, placement: RingPlacement): ByteRing {
    checkCapacity(placement.capacity, '');
    checkPlacement(sab, placement.offset, placement.capacity);
    return new ByteRing(sab, formatHeader(sab, placement.offset, RING_MAGIC_BYTES, placement.capacity));
  }

  static attach(sab: SharedArrayBuffer, placement: { offset: number }): ByteRing {
    return new ByteRing(sab, attachHeader(sab, placement.offset, RING_MAGIC_BYTES, 1));
  }

  readonly capacity: number;
  readonly #words: Int32Array;
  readonly #data: Uint8Array;
  readonly #mask: number;

  private constructor(sab: SharedArrayBuffer, words: Int32Array) {
    this.#words = words;
    this.capacity = Atomics.load(words, RING_WORD_CAPACITY);
    this.#mask = this.capacity - 1;
    this.#data = new Uint8Array(sab, words.byteOffset + RING_HEADER_BYTES, this.capacity);
  }

  /** Bytes the consumer can read now. */
  readable(): number {
    return (Atomics.load(this.#words, RING_WORD_TAIL) - Atomics.load(this.#words, RING_WORD_HEAD)) >>> 0;
  }

  /** Bytes the producer can write now. */
  writable(): number {
    return this.capacity - this.readable();
  }

  /** Producer: copies src[start, end) in, as much as fits; returns the bytes accepted. */
  write(src: Uint8Array, start = 0, end = src.length): number {
    const words = this.#words;
    // Only the producer writes TAIL, so it reads its own word plainly; the peer's word needs Atomics.
    const tail = words[RING_WORD_TAIL]!;
    const used = (tail - Atomics.load(words, RING_WORD_HEAD)) >>> 0;
    let n = end - start;
    if (n > this.capacity - used) n = this.capacity - used;
    if (n <= 0) return 0;
    const pos = tail & this.#mask;
    const first = Math.min(n, this.capacity - pos);
    this.#copyIn(src, start, first, pos);
    if (first < n) this.#copyIn(src, start + first, n - first, 0);
    Atomics.store(words, RING_WORD_TAIL, (tail + n) | 0);
    return n;
  }

  /** Consumer: copies up to dst[start, end) out and frees it; returns the bytes read. */
  read(dst: Uint8Array, start = 0, end = dst.length): number {
    const head = this.#words[RING_WORD_HEAD]!; // only the consumer writes HEAD
    const n = this.#copyFrom(head, dst, start, end);
    if (n > 0) Atomics.store(this.#words, RING_WORD_HEAD, (head + n) | 0);
    return n;
  }

  /** Consumer: copies like read() but frees nothing, so a later consume() decides how much was taken. */
  peek(dst: Uint8Array, start = 0, end = dst.length): number {
    return this.#copyFrom(this.#words[RING_WORD_HEAD]!, dst, start, end);
  }

  /** Consumer: frees up to n readable bytes without copying them; returns the bytes freed. */
  consume(n: number): number {
    const words = this.#words;
    const head = words[RING_WORD_HEAD]!;
    const available = (Atomics.load(words, RING_WORD_TAIL) - head) >>> 0;
    if (n > available) n = available;
    if (!(n > 0)) return 0;
    Atomics.store(words, RING_WORD_HEAD, (head + n) | 0);
    return n;
  }

  #copyFrom(head: number, dst: Uint8Array, start: number, end: number): number {
    let n = (Atomics.load(this.#words, RING_WORD_TAIL) - head) >>> 0;
    if (n > end - start) n = end - start;
    if (n <= 0) return 0;
    const pos = head & this.#mask;
    const first = Math.min(n, this.capacity - pos);
    this.#copyOut(pos, first, dst, start);
    if (first < n) this.#copyOut(0, n - first, dst, start + first);
    return n;
  }

  #copyIn(src: Uint8Array, from: number, length: number, pos: number): void {
    const data = this.#data;
    if (length < SMALL_COPY) {
      for (let i = 0; i < length; i++) data[pos + i] = src[from + i]!;
    } else if (from === 0 && length === src.length) {
      data.set(src, pos);
    } else {
      data.set(src.subarray(from, from + length), pos);
    }
  }

  #copyOut(pos: number, length: number, dst: Uint8Array, to: number): void {
    const data = this.#data;
    if (length < SMALL_COPY) {
      for (let i = 0; i < length; i++) dst[to + i] = data[pos + i]!;
    } else {
      dst.set(data.subarray(pos, pos + length), to);
    }
  }
}

/** Fixed records of two int32 words (a kind and a value) from one producer to one consumer. */
export class RecordRing {
  static bytesFor(records: number): number {
    checkCapacity(records, ' (records)');
    return RING_HEADER_BYTES + records * RECORD_WORDS * 4;
  }

  static format(sab: SharedArrayBuffer, placement: RingPlacement): RecordRing {
    checkCapacity(placement.capacity, ' (records)');
    checkPlacement(sab, placement.offset, placement.capacity * RECORD_WORDS * 4);
    return new RecordRing(sab, formatHeader(sab, placement.offset, RING_MAGIC_RECORDS, placement.capacity));
  }

  static attach(sab: SharedArrayBuffer, placement: { offset: number }): RecordRing {
    return new RecordRing(sab, attachHeader(sab, placement.offset, RING_MAGIC_RECORDS, RECORD_WORDS * 4));
  }

  readonly capacity: number;
  readonly #words: Int32Array;
  readonly #records: Int32Array;
  readonly #mask: number;

  private constructor(sab: SharedArrayBuffer, words: Int32Array) {
    this.#words = words;
    this.capacity = Atomics.load(words, RING_WORD_CAPACITY);
    this.#mask = this.capacity - 1;
    this.#records = new Int32Array(sab, words.byteOffset + RING_HEADER_BYTES, this.capacity * RECORD_WORDS);
  }

  /** Records the consumer can pop now. */
  readable(): number {
    return (Atomics.load(this.#words, RING_WORD_TAIL) - Atomics.load(this.#words, RING_WORD_HEAD)) >>> 0;
  }

  /** Producer: appends (kind, value); false when the ring is full. */
  push(kind: number, value: number): boolean {
    const words = this.#words;
    const tail = Atomics.load(words, RING_WORD_TAIL);
    if ((tail - Atomics.load(words, RING_WORD_HEAD)) >>> 0 >= this.capacity) return false;
    const at = (tail & this.#mask) * RECORD_WORDS;
    this.#records[at] = kind;
    this.#records[at + 1] = value;
    Atomics.store(words, RING_WORD_TAIL, (tail + 1) | 0);
    return true;
  }

  /** Consumer: moves the oldest record into out[0] (kind) and out[1] (value); false when empty. */
  pop(out: Int32Array): boolean {
    const words = this.#words;
    const head = Atomics.load(words, RING_WORD_HEAD);
    if (Atomics.load(words, RING_WORD_TAIL) === head) return false;
    const at = (head & this.#mask) * RECORD_WORDS;
    out[0] = this.#records[at]!;
    out[1] = this.#records[at + 1]!;
    Atomics.store(words, RING_WORD_HEAD, (head + 1) | 0);
    return true;
  }
}
