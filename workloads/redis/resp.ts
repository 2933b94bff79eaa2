// The Redis wire format (RESP2), alone and declarative: an incremental request parser that
// mirrors Redis 5's processMultibulkBuffer/processInlineBuffer (same limits, same error texts),
// and a growable writer for replies. No sockets here; the event loop feeds bytes in and out.

import type { CheckedInts } from '../../kernel/abi/context.js';
import { EXACT_INTS } from '../../kernel/abi/lengths.js';

/** Redis 5 limits (server.h): PROTO_INLINE_MAX_SIZE, the multibulk count cap, proto-max-bulk-len. */
export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
export const PROTO_MAX_MULTIBULK = 1024 * 1024;
export const PROTO_MAX_BULK_LEN = 512 * 1024 * 1024;

export type ParseResult = { argv: Uint8Array[] } | { error: string; fatal: true };

const CR = 13;
const LF = 10;
/** A per-connection buffer grown past this by one big request or reply goes back to its initial size once empty. */
export const SHRINK_ABOVE = 64 * 1024;

/**
 * Feed it what the socket read, take commands out with next(). Bytes are buffered in one
 * array that is compacted or doubled only when full, so buffering stays O(n); a line that is
 * still incomplete is not rescanned from its start on the next feed.
 */
export class RespParser {
  #buf: Uint8Array;
  #start = 0; // first unread byte
  #end = 0; // one past the last buffered byte
  #scanFrom = 0; // where the search for the current line's terminator resumes
  #multibulk = 0; // arguments still expected by the current multibulk request
  #bulkLen = -1; // length of the bulk being read, -1 while its "$len" line is pending
  #argv: Uint8Array[] = [];
  #fatal: { error: string; fatal: true } | null = null;
  #stalled = false; // a NUL precedes the pending line's terminator (see #find)
  readonly #lengths: CheckedInts; // the length arithmetic: UBSan-checked in a ubsan-hardened server
  readonly #initial: number;

  constructor(initialCapacity = 16 * 1024, lengths: CheckedInts = EXACT_INTS) {
    this.#initial = Math.max(16, initialCapacity);
    this.#buf = new Uint8Array(this.#initial);
    this.#lengths = lengths;
  }

  /** Bytes buffered and not yet returned as commands. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** Bytes allocated for the buffer (Redis: sdsAllocSize of the querybuf). */
  get capacity(): number {
    return this.#buf.length;
  }

  /** A copy of the first `max` buffered bytes (what a log line quotes). */
  head(max: number): Uint8Array {
    return this.#buf.slice(this.#start, Math.min(this.#end, this.#start + max));
  }

  feed(chunk: Uint8Array): void {
    if (this.#fatal !== null || chunk.length === 0) return;
    if (this.#end + chunk.length > this.#buf.length) this.#makeRoom(chunk.length);
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /** The next complete command, a fatal protocol error (sticky), or null when more bytes are needed. */
  next(): ParseResult | null {
    if (this.#fatal !== null) return this.#fatal;
    for (;;) {
      if (this.#multibulk === 0) {
        if (this.#start === this.#end) return null;
        const r = this.#buf[this.#start] === 0x2a /* '*' */ ? this.#multibulkHeader() : this.#inline();
        if (r === 'more') return null;
        if (r === 'empty') continue; // "*0", "*-1" or an empty inline line: Redis runs nothing
        if (r !== 'ok') return r;
        if (this.#multibulk === 0) return this.#take(); // only inline commands finish here
      }
      const r = this.#bulks();
      if (r === 'more') return null;
      if (r !== 'ok') return r;
      return this.#take();
    }
  }

  #take(): { argv: Uint8Array[] } {
    const argv = this.#argv;
    this.#argv = [];
    if (this.#start === this.#end) {
      this.#start = this.#end = this.#scanFrom = 0;
      // A big request grew the buffer; do not keep it for the life of the connection.
      if (this.#buf.length > SHRINK_ABOVE) this.#buf = new Uint8Array(this.#initial);
    }
    return { argv };
  }

  #fail(error: string): { error: string; fatal: true } {
    this.#fatal = { error, fatal: true };
    return this.#fatal;
  }

  #makeRoom(extra: number): void {
    const live = this.#end - this.#start;
    let target = this.#buf;
    if (live + extra > this.#buf.length || this.#start < this.#buf.length / 2) {
      let cap = this.#buf.length;
      while (cap < live + extra) cap *= 2;
      if (cap === this.#buf.length) cap *= 2;
      target = new Uint8Array(cap);
    }
    target.set(this.#buf.subarray(this.#start, this.#end), 0);
    this.#buf = target;
    this.#scanFrom -= this.#start;
    this.#end = live;
    this.#start = 0;
  }

  /**
   * Index of the next `byte` at or after the scan point, remembering progress when absent.
   * Redis finds line ends with strchr, which stops at a NUL: a NUL before the terminator means
   * the line is never found (the request stalls until a size limit rejects it), and so here.
   */
  #find(byte: number): number {
    if (this.#stalled) return -1;
    const buf = this.#buf;
    const end = this.#end;
    // One pass looking for both the terminator and a NUL before it, so pipelined input is scanned once.
    for (let i = this.#scanFrom > this.#start ? this.#scanFrom : this.#start; i < end; i++) {
      const c = buf[i]!;
      if (c === byte) {
        this.#scanFrom = this.#start;
        return i;
      }
      if (c === 0) {
        this.#stalled = true;
        return -1;
      }
    }
    this.#scanFrom = end;
    return -1;
  }

  #multibulkHeader(): 'ok' | 'more' | 'empty' | { error: string; fatal: true } {
    const cr = this.#find(CR);
    if (cr < 0) {
      if (this.#end - this.#start > PROTO_INLINE_MAX_SIZE) return this.#fail('Protocol error: too big mbulk count string');
      return 'more';
    }
    if (cr + 1 >= this.#end) {
      this.#scanFrom = cr; // the "\n" has not arrived yet
      return 'more';
    }
    const n = parseLineInteger(this.#buf, this.#start + 1, cr, this.#lengths);
    if (n === null || n > PROTO_MAX_MULTIBULK) return this.#fail('Protocol error: invalid multibulk length');
    this.#start = this.#scanFrom = cr + 2;
    if (n <= 0) return 'empty';
    this.#multibulk = n;
    this.#bulkLen = -1;
    return 'ok';
  }

  #bulks(): 'ok' | 'more' | { error: string; fatal: true } {
    while (this.#multibulk > 0) {
      if (this.#bulkLen < 0) {
        const cr = this.#find(CR);
        if (cr < 0) {
          if (this.#end - this.#start > PROTO_INLINE_MAX_SIZE) return this.#fail('Protocol error: too big bulk count string');
          return 'more';
        }
        if (cr + 1 >= this.#end) {
          this.#scanFrom = cr;
          return 'more';
        }
        const lead = this.#buf[this.#start]!;
        if (lead !== 0x24 /* '$' */) {
          return this.#fail(`Protocol error: expected '$', got '${String.fromCharCode(lead)}'`);
        }
        const n = parseLineInteger(this.#buf, this.#start + 1, cr, this.#lengths);
        if (n === null || n < 0 || n > PROTO_MAX_BULK_LEN) return this.#fail('Protocol error: invalid bulk length');
        this.#start = this.#scanFrom = cr + 2;
        this.#bulkLen = n;
      }
      // Like Redis, the two bytes after the payload are skipped, not checked.
      const L = this.#lengths;
      if (this.#end - this.#start < L.add(this.#bulkLen, 2)) return 'more';
      this.#argv.push(this.#buf.slice(this.#start, L.add(this.#start, this.#bulkLen)));
      this.#start = this.#scanFrom = L.add(L.add(this.#start, this.#bulkLen), 2);
      this.#bulkLen = -1;
      this.#multibulk--;
    }
    return 'ok';
  }

  #inline(): 'ok' | 'more' | 'empty' | { error: string; fatal: true } {
    const lf = this.#find(LF);
    if (lf < 0) {
      if (this.#end - this.#start > PROTO_INLINE_MAX_SIZE) return this.#fail('Protocol error: too big inline request');
      return 'more';
    }
    let lineEnd = lf;
    if (lf > this.#start && this.#buf[lf - 1] === CR) lineEnd--;
    const argv = splitInlineArgs(this.#buf.subarray(this.#start, lineEnd));
    this.#start = this.#scanFrom = lf + 1;
    if (argv === null) return this.#fail('Protocol error: unbalanced quotes in request');
    if (argv.length === 0) return 'empty';
    this.#argv = argv;
    return 'ok';
  }
}

/** Redis string2ll over buf[from, to): optional '-', no '+', no leading zeros, no spaces. */
function parseLineInteger(buf: Uint8Array, from: number, to: number, L: CheckedInts): number | null {
  if (from >= to || to - from > 20) return null;
  let i = from;
  const negative = buf[i] === 0x2d;
  if (negative) i++;
  if (i >= to) return null;
  if (buf[i] === 0x30) return to - from === 1 ? 0 : null; // "0" alone; "-0" and "01" are refused
  let v = 0;
  for (; i < to; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return null;
    v = L.add(L.mul(v, 10), d); // string2ll's accumulation: an int overflow under ubsan
  }
  return negative ? -v : v; // only compared against limits, so precision past 2^53 does not matter
}

const isSpace = (c: number | undefined): boolean => c === 0x20 || (c !== undefined && c >= 0x09 && c <= 0x0d);
const hexValue = (c: number | undefined): number => {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
};

/**
 * Redis sdssplitargs: blanks separate arguments; "..." takes \xHH, \n \r \t \b \a and \<c>;
 * '...' takes only \'; a closing quote must be followed by a blank or the end. null means
 * unbalanced quotes. The line ends at a NUL byte, as the C string it is in Redis does.
 */
export function splitInlineArgs(line: Uint8Array): Uint8Array[] | null {
  const nul = line.indexOf(0);
  const len = nul < 0 ? line.length : nul;
  const at = (i: number): number | undefined => (i < len ? line[i] : undefined);
  const argv: Uint8Array[] = [];
  let p = 0;
  for (;;) {
    while (p < len && isSpace(line[p])) p++;
    if (p >= len) return argv;
    const cur: number[] = [];
    let inDouble = false;
    let inSingle = false;
    for (let done = false; !done; ) {
      const c = at(p);
      if (inDouble) {
        if (c === 0x5c && at(p + 1) === 0x78 && hexValue(at(p + 2)) >= 0 && hexValue(at(p + 3)) >= 0) {
          cur.push(hexValue(at(p + 2)) * 16 + hexValue(at(p + 3)));
          p += 3;
        } else if (c === 0x5c && at(p + 1) !== undefined) {
          p++;
          const e = at(p)!;
          cur.push(e === 0x6e ? 10 : e === 0x72 ? 13 : e === 0x74 ? 9 : e === 0x62 ? 8 : e === 0x61 ? 7 : e);
        } else if (c === 0x22) {
          if (at(p + 1) !== undefined && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === undefined) {
          return null;
        } else {
          cur.push(c);
        }
      } else if (inSingle) {
        if (c === 0x5c && at(p + 1) === 0x27) {
          p++;
          cur.push(0x27);
        } else if (c === 0x27) {
          if (at(p + 1) !== undefined && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === undefined) {
          return null;
        } else {
          cur.push(c);
        }
      } else if (c === undefined || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        done = true;
      } else if (c === 0x22) {
        inDouble = true;
      } else if (c === 0x27) {
        inSingle = true;
      } else {
        cur.push(c);
      }
      if (c !== undefined) p++;
    }
    argv.push(Uint8Array.from(cur));
  }
}

const EMPTY = new Uint8Array(0);

/**
 * Replies in RESP2, appended to one growable buffer; bytes() is a view valid until the next write or
 * reset(). reset() gives a buffer a big reply grew back, so one large GET is not kept for the life
 * of the connection.
 */
export class ReplyWriter {
  #buf: Uint8Array;
  #len = 0;
  readonly #initial: number;

  constructor(initialCapacity = 16 * 1024) {
    this.#initial = Math.max(64, initialCapacity);
    this.#buf = new Uint8Array(this.#initial);
  }

  get length(): number {
    return this.#len;
  }

  /** Bytes allocated for the buffer. */
  get capacity(): number {
    return this.#buf.length;
  }

  bytes(): Uint8Array {
    return this.#len === 0 ? EMPTY : this.#buf.subarray(0, this.#len);
  }

  reset(): void {
    this.#len = 0;
    if (this.#buf.length > SHRINK_ABOVE && this.#buf.length > this.#initial) this.#buf = new Uint8Array(this.#initial);
  }

  /** Drop everything written after `length` (undoes a half-written reply). */
  truncate(length: number): void {
    if (length < 0 || length > this.#len) throw new RangeError(`truncate: ${length} is outside 0..${this.#len}`);
    this.#len = length;
  }

  /** `+text` (text must not contain CR or LF). */
  simple(text: string): void {
    this.#ascii('+', text);
  }

  /** `-text`; CR and LF become spaces, as Redis's addReplyErrorLength does. */
  error(text: string): void {
    this.#ascii('-', text.replace(/[\r\n]/g, ' '));
  }

  integer(n: number | bigint): void {
    this.#ascii(':', typeof n === 'bigint' ? n.toString() : String(Math.trunc(n)));
  }

  /** `$len\r\n<bytes>\r\n`, or the null bulk `$-1` for null. */
  bulk(bytes: Uint8Array | null): void {
    if (bytes === null) return this.#ascii('$', '-1');
    this.#ascii('$', String(bytes.length));
    this.#reserve(bytes.length + 2);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
    this.#buf[this.#len++] = CR;
    this.#buf[this.#len++] = LF;
  }

  /** The bulk of src[start, start + length). */
  bulkFrom(src: Uint8Array, start: number, length: number): void {
    this.#ascii('$', String(length));
    this.#reserve(length + 2);
    const buf = this.#buf;
    let at = this.#len;
    if (length <= 32) for (let i = 0; i < length; i++) buf[at++] = src[start + i]!;
    else {
      buf.set(src.subarray(start, start + length), at);
      at += length;
    }
    buf[at++] = CR;
    buf[at++] = LF;
    this.#len = at;
  }

  /** A bulk whose content is a latin1 (binary-safe) JS string. */
  bulkString(text: string): void {
    this.#ascii('$', String(text.length));
    this.#latin1(text);
    this.#crlf();
  }

  nullBulk(): void {
    this.#ascii('$', '-1');
  }

  /** `*n`: the caller then writes n elements (which may be arrays themselves). */
  arrayHeader(n: number): void {
    this.#ascii('*', String(n));
  }

  nullArray(): void {
    this.#ascii('*', '-1');
  }

  /** Already-encoded RESP bytes (shared constant replies). */
  raw(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
  }

  #ascii(type: string, text: string): void {
    this.#reserve(text.length + 3);
    this.#buf[this.#len++] = type.charCodeAt(0);
    this.#latin1(text);
    this.#crlf();
  }

  #latin1(text: string): void {
    this.#reserve(text.length + 2);
    const buf = this.#buf;
    let at = this.#len;
    for (let i = 0; i < text.length; i++) buf[at++] = text.charCodeAt(i) & 0xff;
    this.#len = at;
  }

  #crlf(): void {
    this.#reserve(2);
    this.#buf[this.#len++] = CR;
    this.#buf[this.#len++] = LF;
  }

  #reserve(extra: number): void {
    if (this.#len + extra <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < this.#len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }
}

/** Encode one request as a RESP multibulk (what clients send); for tests and load generators. */
export function encodeCommand(argv: readonly (Uint8Array | string)[]): Uint8Array {
  const parts = argv.map((a) => (typeof a === 'string' ? Buffer.from(a, 'latin1') : a));
  const w = new ReplyWriter(64 + parts.reduce((n, p) => n + p.length + 16, 0));
  w.arrayHeader(parts.length);
  for (const p of parts) w.bulk(p);
  return w.bytes().slice();
}
