// Incremental HTTP/1.0 and HTTP/1.1 request parser of the Nginx workload: bytes in, requests out.
// Pure logic (no sockets, no memory regions): the event loop feeds what the socket read and
// answers each request; an error is fatal, the connection is answered and closed, like nginx.

import { Buffer } from 'node:buffer';
import type { CheckedInts } from '../../kernel/abi/context.js';
import { EXACT_INTS } from '../../kernel/abi/lengths.js';

export type HttpVersion = '1.0' | '1.1';

export interface HttpRequest {
  readonly kind: 'request';
  /** As sent: uppercase letters, `_` and `-` (nginx refuses anything else with 400). */
  readonly method: string;
  /** The request target as sent (origin form `/p?q` or absolute form `http://h/p`), undecoded. */
  readonly target: string;
  /** HTTP/1.2 and later minors are served as 1.1, as nginx does. */
  readonly version: HttpVersion;
  /** In arrival order, names lowercased, values with surrounding whitespace trimmed. */
  readonly headers: [string, string][];
  /** Whether the connection may serve another request after this one (before the responder's say). */
  readonly keepAlive: boolean;
  /** Bytes of body read and discarded (decoded size for a chunked body). */
  readonly bodyLength: number;
}

export type HttpParseErrorStatus = 400 | 413 | 414 | 431 | 501 | 505;

export interface HttpParseError {
  readonly kind: 'error';
  readonly status: HttpParseErrorStatus;
  readonly reason: string;
}

export type HttpParseResult = HttpRequest | HttpParseError;

export interface HttpLimits {
  /** Longest request line (without its line ending): nginx large_client_header_buffers 8k. Over: 414. */
  readonly requestLine: number;
  /** Longest header line (without its line ending). Over: 431. */
  readonly headerLine: number;
  /** Most header fields in one request. Over: 431. */
  readonly headers: number;
  /** Most bytes of header section (lines with their endings). Over: 431. */
  readonly headerBytes: number;
  /** Largest body: nginx client_max_body_size 1m. Over: 413. */
  readonly body: number;
}

export const NGINX_LIMITS: Readonly<HttpLimits> = Object.freeze({
  requestLine: 8192,
  headerLine: 8192,
  headers: 100,
  headerBytes: 32768,
  body: 1 << 20,
});

export type HttpParserOptions = Partial<HttpLimits> & {
  /** The length arithmetic (kernel/abi/lengths.ts): UBSan-checked in a ubsan-hardened server. */
  readonly lengths?: CheckedInts;
};

/** The first value of a header (name matched case-insensitively), or undefined. */
export function getHeader(request: HttpRequest, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [n, v] of request.headers) if (n === lower) return v;
  return undefined;
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;

// Byte classes, one bit each, so every inner loop is one table lookup per byte.
const TCHAR = 1; // RFC 9110 token character (header names)
const METHOD = 2; // what nginx accepts in a method: A-Z, '_', '-'
const TARGET = 4; // visible ASCII and obs-text: no controls, no space
const VALUE = 8; // field value: HTAB, SP, visible ASCII, DEL, obs-text
const HEX = 16;
const CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  if (/[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(ch)) CLASS[c]! |= TCHAR;
  if (/[A-Z_-]/.test(ch)) CLASS[c]! |= METHOD;
  if ((c > 0x20 && c < 0x7f) || c >= 0x80) CLASS[c]! |= TARGET;
  if (c === HT || c >= 0x20) CLASS[c]! |= VALUE;
  if (/[0-9A-Fa-f]/.test(ch)) CLASS[c]! |= HEX;
}

// Parser states: where the next byte belongs.
const S_REQUEST_LINE = 0;
const S_HEADER = 1;
const S_BODY = 2;
const S_CHUNK_SIZE = 3;
const S_CHUNK_DATA = 4;
const S_CHUNK_END = 5; // the CRLF after a chunk's data
const S_TRAILER = 6;
const S_ERROR = 7;

const NEED_MORE = -1;
const TOO_LONG = -2;
const INITIAL_CAPACITY = 4096;
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]/;

function latin1(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
}

function fail(status: HttpParseErrorStatus, reason: string): HttpParseError {
  return { kind: 'error', status, reason };
}

function checkLimits(options: HttpParserOptions): HttpLimits {
  const limits = { ...NGINX_LIMITS };
  for (const key of Object.keys(NGINX_LIMITS) as (keyof HttpLimits)[]) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`HttpRequestParser: option ${key} must be a positive integer, got ${String(value)}`);
    }
    limits[key] = value;
  }
  return limits;
}

/**
 * Feed bytes as they arrive (split anywhere, several requests at once), then call next() until
 * it returns null. A request is returned once its body has been read and discarded. An error
 * is sticky: next() keeps returning it and further input is ignored. Buffering is amortised
 * O(n): each line is scanned once, and body bytes are skipped without being kept.
 */
export class HttpRequestParser {
  readonly #limits: HttpLimits;
  #buf = new Uint8Array(INITIAL_CAPACITY);
  #start = 0; // first unconsumed byte
  #end = 0; // one past the last byte fed
  #scanned = 0; // bytes from #start known to hold no LF (so a line is scanned once)
  #state = S_REQUEST_LINE;
  #error: HttpParseError | null = null;
  // The request being assembled.
  #method = '';
  #target = '';
  #version: HttpVersion = '1.1';
  #headers: [string, string][] = [];
  #headerBytes = 0;
  #keepAlive = false;
  #remaining = 0; // body or chunk bytes still to skip
  #bodyLength = 0;
  readonly #lengths: CheckedInts;

  constructor(options: HttpParserOptions = {}) {
    this.#limits = checkLimits(options);
    this.#lengths = options.lengths ?? EXACT_INTS;
  }

  /** Bytes held and not yet parsed. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  feed(chunk: Uint8Array): void {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('HttpRequestParser.feed: chunk must be a Uint8Array');
    if (this.#state === S_ERROR || chunk.length === 0) return;
    let from = 0;
    if (this.#state === S_BODY && this.#start === this.#end) {
      // Skip body bytes straight from the chunk: a 1 MiB upload never lands in the buffer.
      from = Math.min(this.#remaining, chunk.length);
      this.#remaining -= from;
      if (from === chunk.length) return;
    }
    const n = chunk.length - from;
    this.#reserve(n);
    this.#buf.set(from === 0 ? chunk : chunk.subarray(from), this.#end);
    this.#end += n;
  }

  next(): HttpParseResult | null {
    for (;;) {
      if (this.#start === this.#end) this.#rewind();
      let step: HttpParseResult | null | undefined;
      switch (this.#state) {
        case S_ERROR:
          return this.#error;
        case S_REQUEST_LINE:
          step = this.#requestLineStep();
          break;
        case S_HEADER:
          step = this.#headerStep();
          break;
        case S_BODY:
        case S_CHUNK_DATA:
          step = this.#skipBody();
          break;
        case S_CHUNK_SIZE:
          step = this.#chunkSizeStep();
          break;
        case S_CHUNK_END:
          step = this.#chunkEndStep();
          break;
        case S_TRAILER:
          step = this.#trailerStep();
          break;
      }
      // undefined: progress was made, go on; null: need more input.
      if (step === undefined) continue;
      if (step !== null && step.kind === 'error') {
        this.#state = S_ERROR;
        this.#error = step;
        this.#start = this.#end = 0;
        this.#buf = new Uint8Array(0);
      }
      return step;
    }
  }

  /** The index of the LF ending the current line, NEED_MORE, or TOO_LONG (content over `limit`). */
  #findLine(limit: number): number {
    const from = this.#start + this.#scanned;
    const at = this.#buf.subarray(from, this.#end).indexOf(LF);
    if (at === -1) {
      this.#scanned = this.#end - this.#start;
      // A trailing CR may still turn out to be part of the line ending.
      return this.#scanned > limit + 1 ? TOO_LONG : NEED_MORE;
    }
    const lf = from + at;
    const contentEnd = lf > this.#start && this.#buf[lf - 1] === CR ? lf - 1 : lf;
    return contentEnd - this.#start > limit ? TOO_LONG : lf;
  }

  /** Consumes the line ending at `lf`; returns the end of its content (before CR LF or bare LF). */
  #takeLine(lf: number): number {
    const contentEnd = lf > this.#start && this.#buf[lf - 1] === CR ? lf - 1 : lf;
    this.#start = lf + 1;
    this.#scanned = 0;
    return contentEnd;
  }

  #requestLineStep(): HttpParseResult | null | undefined {
    const lf = this.#findLine(this.#limits.requestLine);
    if (lf === NEED_MORE) return null;
    if (lf === TOO_LONG) return fail(414, 'request line too long');
    const s = this.#start;
    const e = this.#takeLine(lf);
    if (e === s) return undefined; // empty lines before a request are skipped, as nginx does
    return this.#parseRequestLine(s, e) ?? undefined;
  }

  #parseRequestLine(s: number, e: number): HttpParseError | null {
    const b = this.#buf;
    let i = s;
    while (i < e && CLASS[b[i]!]! & METHOD) i++;
    if (i === s || i === e || b[i] !== SP) return fail(400, 'invalid method');
    const method = latin1(b, s, i);
    while (i < e && b[i] === SP) i++;
    const ts = i;
    while (i < e && CLASS[b[i]!]! & TARGET) i++;
    if (i === ts || (i < e && b[i] !== SP)) return fail(400, 'invalid request target');
    const te = i;
    while (i < e && b[i] === SP) i++;
    if (i === e) return fail(400, 'missing HTTP version (HTTP/0.9 is not supported)');
    if (e - i < 8 || latin1(b, i, i + 5) !== 'HTTP/') return fail(400, 'invalid HTTP version');
    i += 5;
    const major = this.#digits(i, e);
    if (major === null || b[major.end] !== 0x2e) return fail(400, 'invalid HTTP version');
    const minor = this.#digits(major.end + 1, e);
    if (minor === null) return fail(400, 'invalid HTTP version');
    for (i = minor.end; i < e; i++) if (b[i] !== SP) return fail(400, 'invalid HTTP version');
    if (major.value !== 1) return fail(505, `HTTP/${major.value}.${minor.value} is not supported`);
    const target = latin1(b, ts, te);
    if (target[0] !== '/' && !ABSOLUTE_FORM.test(target)) return fail(400, 'invalid request target');
    this.#method = method;
    this.#target = target;
    this.#version = minor.value === 0 ? '1.0' : '1.1';
    this.#state = S_HEADER;
    return null;
  }

  /** One to three decimal digits from `i` (nginx caps versions at 999). */
  #digits(i: number, e: number): { value: number; end: number } | null {
    let value = 0;
    const s = i;
    while (i < e && i - s < 4 && this.#buf[i]! >= 0x30 && this.#buf[i]! <= 0x39) value = value * 10 + this.#buf[i++]! - 0x30;
    return i === s || i - s > 3 ? null : { value, end: i };
  }

  #headerStep(): HttpParseResult | null | undefined {
    const lf = this.#findLine(this.#limits.headerLine);
    if (lf === TOO_LONG) return fail(431, 'header line too long');
    const pending = lf === NEED_MORE ? this.#scanned : lf + 1 - this.#start;
    if (this.#headerBytes + pending > this.#limits.headerBytes) return fail(431, 'header section too large');
    if (lf === NEED_MORE) return null;
    this.#headerBytes += pending;
    const s = this.#start;
    const e = this.#takeLine(lf);
    if (e === s) return this.#endOfHeaders();
    if (this.#headers.length >= this.#limits.headers) return fail(431, 'too many header fields');
    const field = this.#parseField(s, e);
    if (!Array.isArray(field)) return field;
    this.#headers.push(field);
    return undefined;
  }

  #parseField(s: number, e: number): [string, string] | HttpParseError {
    const b = this.#buf;
    if (b[s] === SP || b[s] === HT) return fail(400, 'obsolete line folding is not allowed');
    let i = s;
    while (i < e && CLASS[b[i]!]! & TCHAR) i++;
    if (i === s || i === e || b[i] !== 0x3a) return fail(400, 'invalid header line');
    const name = latin1(b, s, i).toLowerCase();
    i++;
    while (i < e && (b[i] === SP || b[i] === HT)) i++;
    let ve = e;
    while (ve > i && (b[ve - 1] === SP || b[ve - 1] === HT)) ve--;
    for (let j = i; j < ve; j++) if (!(CLASS[b[j]!]! & VALUE)) return fail(400, `invalid character in header ${name}`);
    return [name, latin1(b, i, ve)];
  }

  /** The checks nginx makes once the header section is complete (ngx_http_process_request_header). */
  #endOfHeaders(): HttpParseResult | undefined {
    let host: string | null = null;
    let contentLength: string | null = null;
    let transferEncoding: string | null = null;
    let close = false;
    let keepAlive = false;
    for (const [name, value] of this.#headers) {
      if (name === 'host') {
        if (host !== null) return fail(400, 'duplicate Host header');
        host = value;
      } else if (name === 'content-length') {
        if (contentLength !== null) return fail(400, 'duplicate Content-Length header');
        contentLength = value;
      } else if (name === 'transfer-encoding') {
        if (transferEncoding !== null) return fail(400, 'duplicate Transfer-Encoding header');
        transferEncoding = value;
      } else if (name === 'connection') {
        for (const token of value.toLowerCase().split(',')) {
          const t = token.trim();
          if (t === 'close') close = true;
          else if (t === 'keep-alive') keepAlive = true;
        }
      }
    }
    if (host === null && this.#version === '1.1') return fail(400, 'HTTP/1.1 request without Host header');
    if (host !== null && (host === '' || /[/\\\s]|\.\./.test(host))) return fail(400, 'invalid Host header');
    this.#keepAlive = !close && (this.#version === '1.1' || keepAlive);
    this.#bodyLength = 0;
    if (transferEncoding !== null) {
      if (this.#version === '1.0') return fail(400, 'HTTP/1.0 request with Transfer-Encoding');
      if (contentLength !== null) return fail(400, 'both Content-Length and Transfer-Encoding');
      if (transferEncoding.toLowerCase() !== 'chunked') return fail(501, `Transfer-Encoding ${transferEncoding} is not implemented`);
      this.#state = S_CHUNK_SIZE;
      return undefined;
    }
    if (contentLength !== null) {
      if (!/^[0-9]+$/.test(contentLength)) return fail(400, 'invalid Content-Length');
      // ngx_atoof's accumulation, digit by digit: an int overflow under ubsan; exact otherwise, and too large for the limit.
      const L = this.#lengths;
      let length = 0;
      for (let i = 0; i < contentLength.length; i++) length = L.add(L.mul(length, 10), contentLength.charCodeAt(i) - 0x30);
      if (length > this.#limits.body) return fail(413, 'request body too large');
      this.#bodyLength = this.#remaining = length;
      this.#state = S_BODY;
      return undefined;
    }
    return this.#emit();
  }

  #skipBody(): HttpParseResult | null | undefined {
    const n = Math.min(this.#remaining, this.#end - this.#start);
    this.#start += n;
    this.#remaining -= n;
    if (this.#remaining > 0) return null;
    if (this.#state === S_CHUNK_DATA) {
      this.#state = S_CHUNK_END;
      return undefined;
    }
    return this.#emit();
  }

  #chunkSizeStep(): HttpParseResult | null | undefined {
    const lf = this.#findLine(this.#limits.headerLine);
    if (lf === NEED_MORE) return null;
    if (lf === TOO_LONG) return fail(400, 'chunk size line too long');
    const b = this.#buf;
    const s = this.#start;
    const e = this.#takeLine(lf);
    let i = s;
    let size = 0;
    while (i < e && CLASS[b[i]!]! & HEX) {
      const c = b[i++]!;
      size = size * 16 + (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57);
      if (this.#bodyLength + size > this.#limits.body) return fail(413, 'request body too large');
    }
    if (i === s) return fail(400, 'invalid chunk size');
    while (i < e && (b[i] === SP || b[i] === HT)) i++;
    if (i < e && b[i] !== 0x3b) return fail(400, 'invalid chunk size');
    for (; i < e; i++) if (!(CLASS[b[i]!]! & VALUE)) return fail(400, 'invalid chunk extension');
    this.#bodyLength += size;
    this.#remaining = size;
    if (size === 0) {
      this.#headerBytes = 0; // trailers get a header section's budget of their own
      this.#state = S_TRAILER;
    } else {
      this.#state = S_CHUNK_DATA;
    }
    return undefined;
  }

  #chunkEndStep(): HttpParseResult | null | undefined {
    const available = this.#end - this.#start;
    if (available === 0) return null;
    const first = this.#buf[this.#start];
    if (first === CR) {
      if (available < 2) return null;
      if (this.#buf[this.#start + 1] !== LF) return fail(400, 'chunk data not followed by CRLF');
      this.#start += 2;
    } else if (first === LF) {
      this.#start += 1;
    } else {
      return fail(400, 'chunk data not followed by CRLF');
    }
    this.#state = S_CHUNK_SIZE;
    return undefined;
  }

  #trailerStep(): HttpParseResult | null | undefined {
    const lf = this.#findLine(this.#limits.headerLine);
    if (lf === TOO_LONG) return fail(400, 'trailer line too long');
    const pending = lf === NEED_MORE ? this.#scanned : lf + 1 - this.#start;
    if (this.#headerBytes + pending > this.#limits.headerBytes) return fail(400, 'trailer section too large');
    if (lf === NEED_MORE) return null;
    this.#headerBytes += pending;
    const s = this.#start;
    const e = this.#takeLine(lf);
    if (e === s) return this.#emit();
    const field = this.#parseField(s, e);
    return Array.isArray(field) ? undefined : field; // trailers are read and dropped
  }

  #emit(): HttpRequest {
    const request: HttpRequest = {
      kind: 'request',
      method: this.#method,
      target: this.#target,
      version: this.#version,
      headers: this.#headers,
      keepAlive: this.#keepAlive,
      bodyLength: this.#bodyLength,
    };
    this.#headers = [];
    this.#headerBytes = 0;
    this.#remaining = 0;
    this.#state = S_REQUEST_LINE;
    return request;
  }

  /** Everything fed has been consumed: start over at offset 0, and give back a buffer grown by a burst. */
  #rewind(): void {
    this.#start = this.#end = 0;
    this.#scanned = 0;
    if (this.#buf.length > 16 * INITIAL_CAPACITY) this.#buf = new Uint8Array(INITIAL_CAPACITY);
  }

  /**
   * Room for `n` more bytes. Live bytes move to the front only when the buffer is full, and the
   * buffer doubles until at least half of it is free afterwards, so each byte is copied O(1)
   * times on average.
   */
  #reserve(n: number): void {
    if (this.#end + n <= this.#buf.length) return;
    const live = this.#end - this.#start;
    let capacity = Math.max(this.#buf.length, INITIAL_CAPACITY);
    while (live + n > capacity / 2) capacity *= 2;
    if (capacity === this.#buf.length) {
      this.#buf.copyWithin(0, this.#start, this.#end);
    } else {
      const grown = new Uint8Array(capacity);
      grown.set(this.#buf.subarray(this.#start, this.#end));
      this.#buf = grown;
    }
    this.#start = 0;
    this.#end = live;
  }
}
