// HTTP/1.1 responses of the Nginx workload: a parsed request and a file source in, bytes out.
// Mirrors nginx's static and index modules, its not-modified filter and its special (error)
// responses. Pure logic: files come through FileSource, time through a clock.

import type { HttpRequest } from './http-parser.js';
import { mimeTypeFor } from './mime.js';

export interface FileInfo {
  size: number;
  mtimeMs: number;
  isDirectory: boolean;
}

/** Paths are absolute and normalised (`/`, `/docs`, `/docs/index.html`): no `..`, no trailing slash. */
export interface FileSource {
  stat(path: string): FileInfo | null;
  /** The whole file. */
  read(path: string): Uint8Array;
  /**
   * The file opened for the caller to stream and close (nginx's output chain with sendfile off:
   * buffer by buffer); absent, bodies above the inline limit are read whole. Throws when it cannot.
   */
  open?(path: string): OpenFile;
}

/** An open file whose body the caller sends after the head, then closes. */
export interface OpenFile {
  readonly size: number;
}

export interface Clock {
  nowMs(): number;
}

export const SERVER_NAME = 'flexos-nginx';

/** A growable output buffer; `bytes()` is a view that stays valid until the next write or reset. */
export class ByteWriter {
  #buf: Uint8Array;
  #length = 0;

  constructor(initialCapacity = 1024) {
    if (!Number.isSafeInteger(initialCapacity) || initialCapacity < 1) {
      throw new RangeError(`ByteWriter: initialCapacity must be a positive integer, got ${initialCapacity}`);
    }
    this.#buf = new Uint8Array(initialCapacity);
  }

  get length(): number {
    return this.#length;
  }

  /** Writes one byte per character; header text is ASCII, so anything above 0xff is refused. */
  writeAscii(text: string): void {
    this.#reserve(text.length);
    const buf = this.#buf;
    let n = this.#length;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 0xff) throw new RangeError(`ByteWriter.writeAscii: character U+${c.toString(16)} is not a byte`);
      buf[n++] = c;
    }
    this.#length = n;
  }

  writeBytes(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#length);
  }

  reset(): void {
    this.#length = 0;
  }

  #reserve(n: number): void {
    if (this.#length + n <= this.#buf.length) return;
    let capacity = this.#buf.length * 2;
    while (capacity < this.#length + n) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#buf.subarray(0, this.#length));
    this.#buf = grown;
  }
}

export interface HttpResponse {
  readonly status: number;
  /** false: close the connection once the response is sent. */
  readonly keepAlive: boolean;
  /** Body to send after what `out` now holds (large files), or null when `out` holds it all. */
  readonly body: Uint8Array | null;
  /** A body to stream from an open file after what `out` now holds (FileSource.open), instead of `body`. */
  readonly file?: OpenFile;
}

export interface RespondOptions {
  /** Prefix of every FileSource path (nginx `root`). Default: none. */
  root?: string;
  /** File served for a directory URI ending in `/` (nginx `index`). Default `index.html`. */
  index?: string;
  /**
   * File bodies up to this size are copied into `out`; larger ones come back as `file` (opened for
   * streaming) when the source has `open`, else as `body`. Default 64 KiB.
   */
  inlineBodyLimit?: number;
  /** Redirects name `http://<Host>` like nginx's `absolute_redirect on`. Default true. */
  absoluteRedirect?: boolean;
  /** nginx `if_modified_since`: `exact` (default) answers 304 only for the very date sent out. */
  ifModifiedSince?: 'exact' | 'before' | 'off';
}

const REASONS: ReadonlyMap<number, string> = new Map([
  [200, 'OK'],
  [301, 'Moved Permanently'],
  [304, 'Not Modified'],
  [400, 'Bad Request'],
  [403, 'Forbidden'],
  [404, 'Not Found'],
  [405, 'Not Allowed'], // nginx's wording
  [411, 'Length Required'],
  [413, 'Request Entity Too Large'],
  [414, 'Request-URI Too Large'],
  [431, 'Request Header Fields Too Large'],
  [500, 'Internal Server Error'],
  [501, 'Not Implemented'],
  [505, 'HTTP Version Not Supported'],
]);

// nginx drops keep-alive after these (ngx_http_special_response_handler); 431 and 505 come from
// the parser, which cannot go on either.
const CLOSING = new Set([400, 413, 414, 431, 500, 501, 505]);

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`. */
export function formatHttpDate(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  return (
    `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCFullYear()).padStart(4, '0')} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT`
  );
}

// The Date header changes once a second: format it once a second, as nginx caches its time strings.
let cachedSecond = NaN;
let cachedDate = '';
function dateHeader(nowMs: number): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== cachedSecond) {
    cachedDate = formatHttpDate(nowMs);
    cachedSecond = second;
  }
  return cachedDate;
}

// The three date forms HTTP allows (RFC 9110 5.6.7); `fields` gives the capture group of day,
// month, year, hour, minute, second.
const DATE_FORMS: readonly { re: RegExp; fields: readonly number[] }[] = [
  { re: /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/, fields: [1, 2, 3, 4, 5, 6] },
  { re: /^[A-Za-z]{6,9}, (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/, fields: [1, 2, 3, 4, 5, 6] },
  { re: /^[A-Za-z]{3} ([A-Za-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/, fields: [2, 1, 6, 3, 4, 5] },
];

/** An HTTP date in any of its three forms, as ms since the epoch; null if malformed. */
export function parseHttpDate(text: string): number | null {
  for (const form of DATE_FORMS) {
    const match = form.re.exec(text);
    if (match === null) continue;
    const field = (k: number): string => (match[form.fields[k] ?? 0] ?? '').trim();
    const month = field(1);
    const mon = MONTHS.indexOf(month.charAt(0).toUpperCase() + month.slice(1).toLowerCase());
    let year = Number(field(2));
    if (field(2).length === 2) year += year < 70 ? 2000 : 1900; // RFC 850 years, as ngx_parse_http_time
    const [day, h, m, s] = [Number(field(0)), Number(field(3)), Number(field(4)), Number(field(5))];
    if (mon < 0 || day < 1 || day > 31 || h > 23 || m > 59 || s > 60) return null;
    return Date.UTC(year, mon, day, h, m, s);
  }
  return null;
}

interface Head {
  contentType?: string;
  contentLength?: number;
  lastModified?: string;
  location?: string;
  etag?: string;
  allow?: string;
}

// Header order as nginx's header filter writes them.
function writeHead(out: ByteWriter, status: number, nowMs: number, keepAlive: boolean, head: Head): void {
  out.writeAscii(`HTTP/1.1 ${status} ${REASONS.get(status)}\r\nServer: ${SERVER_NAME}\r\nDate: ${dateHeader(nowMs)}\r\n`);
  if (head.contentType !== undefined) out.writeAscii(`Content-Type: ${head.contentType}\r\n`);
  if (head.contentLength !== undefined) out.writeAscii(`Content-Length: ${head.contentLength}\r\n`);
  if (head.lastModified !== undefined) out.writeAscii(`Last-Modified: ${head.lastModified}\r\n`);
  if (head.location !== undefined) out.writeAscii(`Location: ${head.location}\r\n`);
  out.writeAscii(keepAlive ? 'Connection: keep-alive\r\n' : 'Connection: close\r\n');
  if (head.etag !== undefined) out.writeAscii(`ETag: ${head.etag}\r\n`);
  if (head.allow !== undefined) out.writeAscii(`Allow: ${head.allow}\r\n`);
  out.writeAscii('\r\n');
}

const pages = new Map<number, string>();

/** The small HTML body nginx sends with a special response (ngx_http_error_pages). */
export function errorPageHtml(status: number): string {
  let page = pages.get(status);
  if (page === undefined) {
    const reason = REASONS.get(status);
    if (reason === undefined || status < 300 || status === 304) throw new RangeError(`errorPageHtml: no page for status ${status}`);
    const title = `${status} ${reason}`;
    page =
      `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n` +
      `<hr><center>${SERVER_NAME}</center>\r\n</body>\r\n</html>\r\n`;
    pages.set(status, page);
  }
  return page;
}

function special(
  status: number,
  out: ByteWriter,
  now: number,
  options: { keepAlive: boolean; headOnly: boolean; location?: string; allow?: string },
): HttpResponse {
  const page = errorPageHtml(status);
  const keepAlive = options.keepAlive && !CLOSING.has(status);
  const head: Head = { contentType: 'text/html', contentLength: page.length };
  if (options.location !== undefined) head.location = options.location;
  if (options.allow !== undefined) head.allow = options.allow;
  writeHead(out, status, now, keepAlive, head);
  if (!options.headOnly) out.writeAscii(page);
  return { status, keepAlive, body: null };
}

/**
 * The answer to a request the parser refused (or any special status): a small HTML page and
 * `Connection: close`. Without a clock the Date header comes from Date.now().
 */
export function errorResponse(
  status: number,
  out: ByteWriter,
  options: { clock?: Clock; headOnly?: boolean } = {},
): HttpResponse {
  if (!REASONS.has(status) || status < 300 || status === 304) throw new RangeError(`errorResponse: ${status} is not an error status`);
  const now = options.clock ? options.clock.nowMs() : Date.now();
  return special(status, out, now, { keepAlive: false, headOnly: options.headOnly ?? false });
}

/**
 * The path a request target names, percent-decoded and with dot segments resolved (nginx's
 * ngx_http_parse_complex_uri), or null when it is malformed or climbs above the root (400).
 */
export function decodeTarget(target: string): { path: string; query: string } | null {
  let t = target;
  if (t[0] !== '/') {
    const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(t);
    if (authority === null) return null;
    t = '/' + t.slice(authority[0].length).replace(/^\//, '');
  }
  const hash = t.indexOf('#');
  if (hash >= 0) t = t.slice(0, hash);
  const q = t.indexOf('?');
  const raw = q >= 0 ? t.slice(0, q) : t;
  const query = q >= 0 ? t.slice(q + 1) : '';
  const bytes = new Uint8Array(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    let c = raw.charCodeAt(i);
    if (c === 0x25) {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
      c = Number.parseInt(hex, 16);
      i += 2;
    }
    if (c === 0 || c > 0xff) return null;
    bytes[n++] = c;
  }
  const decoded = new TextDecoder().decode(bytes.subarray(0, n));
  const segments: string[] = [];
  const parts = decoded.split('/');
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (segments.length === 0) return null;
      segments.pop();
    } else {
      segments.push(part);
    }
  }
  // "/a/", "/a/." and "/a/b/.." all name the directory /a/.
  const last = parts[parts.length - 1];
  const dirForm = last === '' || last === '.' || last === '..';
  const path = segments.length === 0 ? '/' : `/${segments.join('/')}${dirForm ? '/' : ''}`;
  return { path, query };
}

function fsPath(root: string, path: string): string {
  const joined = (root + path).replace(/\/+$/, '');
  return joined === '' ? '/' : joined;
}

function notModified(request: HttpRequest, lastModifiedSec: number, etag: string, mode: 'exact' | 'before' | 'off'): boolean {
  let ims: string | undefined;
  let inm: string | undefined;
  for (const [name, value] of request.headers) {
    if (name === 'if-modified-since') ims ??= value;
    else if (name === 'if-none-match') inm ??= value;
  }
  if (ims === undefined && inm === undefined) return false;
  if (ims !== undefined) {
    if (mode === 'off') return false;
    const ms = parseHttpDate(ims);
    if (ms === null) return false;
    const sec = Math.floor(ms / 1000);
    if (sec !== lastModifiedSec && (mode === 'exact' || sec < lastModifiedSec)) return false;
  }
  if (inm !== undefined) {
    // Weak comparison (RFC 9110 13.1.2), as nginx does for If-None-Match.
    const strip = (tag: string): string => tag.trim().replace(/^W\//, '');
    if (inm.trim() !== '*' && !inm.split(',').some((tag) => strip(tag) === etag)) return false;
  }
  return true;
}

/**
 * Answers one request from `files` into `out` (appending, so pipelined answers can share one
 * buffer). GET and HEAD only; HEAD gets the GET headers without the body.
 */
export function respond(
  request: HttpRequest,
  files: FileSource,
  clock: Clock,
  out: ByteWriter,
  options: RespondOptions = {},
): HttpResponse {
  const now = clock.nowMs();
  const headOnly = request.method === 'HEAD';
  const base = { keepAlive: request.keepAlive, headOnly };
  if (request.method !== 'GET' && !headOnly) return special(405, out, now, { ...base, allow: 'GET, HEAD' });
  const resolved = decodeTarget(request.target);
  if (resolved === null) return special(400, out, now, base);
  const root = options.root ?? '';
  const { path, query } = resolved;
  try {
    if (path.endsWith('/')) {
      const indexPath = fsPath(root, path + (options.index ?? 'index.html'));
      const info = files.stat(indexPath);
      if (info !== null && !info.isDirectory) return serveFile(request, files, indexPath, info, { out, now, headOnly, options });
      // nginx: a directory without an index is forbidden (autoindex off); a missing one is not found.
      const dir = files.stat(fsPath(root, path));
      return special(dir?.isDirectory ? 403 : 404, out, now, base);
    }
    const info = files.stat(fsPath(root, path));
    if (info === null) return special(404, out, now, base);
    if (info.isDirectory) {
      const encoded = path.split('/').map(encodeURIComponent).join('/');
      const host = request.headers.find(([name]) => name === 'host')?.[1];
      const prefix = (options.absoluteRedirect ?? true) && host ? `http://${host}` : '';
      const location = `${prefix}${encoded}/${query === '' ? '' : `?${query}`}`;
      return special(301, out, now, { ...base, location });
    }
    return serveFile(request, files, fsPath(root, path), info, { out, now, headOnly, options });
  } catch {
    // The file source failed under us (a file vanished between stat and read).
    return special(500, out, now, base);
  }
}

function serveFile(
  request: HttpRequest,
  files: FileSource,
  path: string,
  info: FileInfo,
  ctx: { out: ByteWriter; now: number; headOnly: boolean; options: RespondOptions },
): HttpResponse {
  const { out, now, options } = ctx;
  const lastModifiedSec = Math.floor(info.mtimeMs / 1000);
  const etag = `"${lastModifiedSec.toString(16)}-${info.size.toString(16)}"`; // nginx: "%xT-%xO"
  const lastModified = formatHttpDate(lastModifiedSec * 1000);
  if (notModified(request, lastModifiedSec, etag, options.ifModifiedSince ?? 'exact')) {
    writeHead(out, 304, now, request.keepAlive, { lastModified, etag });
    return { status: 304, keepAlive: request.keepAlive, body: null };
  }
  const inlineLimit = options.inlineBodyLimit ?? 65536;
  if (!ctx.headOnly && files.open && info.size > inlineLimit) {
    const file = files.open(path);
    writeHead(out, 200, now, request.keepAlive, { contentType: mimeTypeFor(path), contentLength: file.size, lastModified, etag });
    return { status: 200, keepAlive: request.keepAlive, body: null, file };
  }
  const body = ctx.headOnly ? null : files.read(path);
  const head: Head = { contentType: mimeTypeFor(path), contentLength: body?.length ?? info.size, lastModified, etag };
  writeHead(out, 200, now, request.keepAlive, head);
  if (body === null) return { status: 200, keepAlive: request.keepAlive, body: null };
  if (body.length <= inlineLimit) {
    out.writeBytes(body);
    return { status: 200, keepAlive: request.keepAlive, body: null };
  }
  return { status: 200, keepAlive: request.keepAlive, body };
}

/** The page served at `/` when the document root has none: the "Welcome to nginx!" page, renamed. */
export function defaultIndexHtml(): string {
  return `<!DOCTYPE html>
<html>
<head>
<title>Welcome to ${SERVER_NAME}!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to ${SERVER_NAME}!</h1>
<p>If you see this page, the ${SERVER_NAME} web server is running inside a
simulated FlexOS unikernel. Its libraries live in the compartments your
configuration chose.</p>

<p>For the system this simulates, see the FlexOS paper (ASPLOS 2022).
Requests are served by the nginx workload of flexos-sim.</p>

<p><em>Thank you for using ${SERVER_NAME}.</em></p>
</body>
</html>
`;
}
