// Tests of the Nginx workload's responder: status paths (200, 301, 304, 400, 403, 404, 405, 500
// and the parser's errors), nginx's headers and error pages, HEAD vs GET, path decoding, mime types.

import t from 'tap';
import fc from 'fast-check';
import { HttpRequestParser, type HttpRequest } from '../../../workloads/nginx/http-parser.js';
import { DEFAULT_MIME_TYPE, mimeTypeFor } from '../../../workloads/nginx/mime.js';
import {
  ByteWriter,
  decodeTarget,
  defaultIndexHtml,
  errorResponse,
  formatHttpDate,
  parseHttpDate,
  respond,
  type FileInfo,
  type FileSource,
  type RespondOptions,
} from '../../../workloads/nginx/responder.js';

const NOW = Date.UTC(2022, 1, 28, 12, 30, 15); // Mon, 28 Feb 2022 12:30:15 GMT
const MTIME = Date.UTC(2022, 0, 10, 8, 0, 0) + 123; // sub-second part is dropped, as nginx does
const clock = { nowMs: () => NOW };
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** An in-memory document root; directories are implied by the files under them, plus `dirs`. */
function memoryFiles(files: Record<string, string | Uint8Array>, dirs: string[] = []) {
  const reads: string[] = [];
  const source: FileSource = {
    stat(path: string): FileInfo | null {
      const data = files[path];
      if (data !== undefined) return { size: typeof data === 'string' ? text(data).length : data.length, mtimeMs: MTIME, isDirectory: false };
      const prefix = path === '/' ? '/' : `${path}/`;
      if (dirs.includes(path) || Object.keys(files).some((p) => p.startsWith(prefix))) return { size: 4096, mtimeMs: MTIME, isDirectory: true };
      return null;
    },
    read(path: string): Uint8Array {
      reads.push(path);
      const data = files[path];
      if (data === undefined) throw new Error(`ENOENT ${path}`);
      return typeof data === 'string' ? text(data) : data;
    },
  };
  return { source, reads };
}

const site = memoryFiles(
  {
    '/index.html': '<h1>home</h1>',
    '/docs/index.html': '<h1>docs</h1>',
    '/docs/guide.css': 'body{}',
    '/hello world.txt': 'hi',
    '/caf\u00e9.txt': 'utf-8 name',
    '/big.bin': new Uint8Array(200_000).fill(7),
    '/img/logo.PNG': new Uint8Array([0x89, 0x50]),
  },
  ['/empty'],
);

function request(target: string, more: Partial<HttpRequest> & { extra?: [string, string][] } = {}): HttpRequest {
  const { extra = [], ...rest } = more;
  return {
    kind: 'request',
    method: 'GET',
    target,
    version: '1.1',
    headers: [['host', 'example.org'], ...extra],
    keepAlive: true,
    bodyLength: 0,
    ...rest,
  };
}

interface Parsed {
  statusLine: string;
  headers: [string, string][];
  header(name: string): string | undefined;
  body: string;
}

function parse(bytes: Uint8Array): Parsed {
  const all = Buffer.from(bytes).toString('latin1');
  const split = all.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = all.slice(0, split).split('\r\n');
  const headers = lines.map((l): [string, string] => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]);
  return {
    statusLine,
    headers,
    header: (name) => headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1],
    body: all.slice(split + 4),
  };
}

function get(target: string, more: Parameters<typeof request>[1] = {}, options: RespondOptions = {}, files = site.source) {
  const out = new ByteWriter(64);
  const result = respond(request(target, more), files, clock, out, options);
  return { result, ...parse(out.bytes()) };
}

t.test('GET of a file: 200 with nginx headers in nginx order and the file as body', async (t) => {
  const r = get('/index.html');
  t.equal(r.statusLine, 'HTTP/1.1 200 OK');
  t.same(r.headers, [
    ['Server', 'flexos-nginx'],
    ['Date', 'Mon, 28 Feb 2022 12:30:15 GMT'],
    ['Content-Type', 'text/html'],
    ['Content-Length', '13'],
    ['Last-Modified', 'Mon, 10 Jan 2022 08:00:00 GMT'],
    ['Connection', 'keep-alive'],
    ['ETag', `"${Math.floor(MTIME / 1000).toString(16)}-d"`],
  ]);
  t.equal(r.body, '<h1>home</h1>');
  t.same(r.result, { status: 200, keepAlive: true, body: null });
});

t.test('HEAD sends the GET headers, no body, and does not read the file', async (t) => {
  const files = memoryFiles({ '/a.css': 'p{color:red}' });
  const getR = get('/a.css', {}, {}, files.source);
  const headR = get('/a.css', { method: 'HEAD' }, {}, files.source);
  t.same(headR.headers, getR.headers);
  t.equal(headR.header('Content-Length'), '12');
  t.equal(headR.body, '');
  t.same(files.reads, ['/a.css'], 'only the GET read the file');
});

t.test('Connection: close when the request does not keep the connection alive', async (t) => {
  const r = get('/index.html', { keepAlive: false, version: '1.0' });
  t.equal(r.header('Connection'), 'close');
  t.equal(r.result.keepAlive, false);
});

t.test('a directory URI with a slash serves its index.html; "/" serves the root index', async (t) => {
  t.equal(get('/docs/').body, '<h1>docs</h1>');
  t.equal(get('/').body, '<h1>home</h1>');
  t.equal(get('/docs/').header('Content-Type'), 'text/html');
  t.equal(get('/docs/', {}, { index: 'guide.css' }).body, 'body{}', 'index is an option');
});

t.test('a directory without trailing slash is 301 to the slash form, keeping the query', async (t) => {
  const r = get('/docs?lang=en');
  t.equal(r.statusLine, 'HTTP/1.1 301 Moved Permanently');
  t.equal(r.header('Location'), 'http://example.org/docs/?lang=en');
  t.match(r.body, '<title>301 Moved Permanently</title>');
  t.equal(r.result.keepAlive, true);
  t.equal(get('/docs', { headers: [] }).header('Location'), '/docs/', 'relative without a Host');
  t.equal(get('/docs', {}, { absoluteRedirect: false }).header('Location'), '/docs/');
  const spaced = memoryFiles({ '/a b/index.html': 'x' });
  t.equal(get('/a%20b', {}, {}, spaced.source).header('Location'), 'http://example.org/a%20b/', 'Location is re-encoded');
});

t.test('404 for a missing file or directory, with nginx-style HTML body', async (t) => {
  const r = get('/nope.html');
  t.equal(r.statusLine, 'HTTP/1.1 404 Not Found');
  t.equal(r.header('Content-Type'), 'text/html');
  t.equal(
    r.body,
    '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n' +
      '<hr><center>flexos-nginx</center>\r\n</body>\r\n</html>\r\n',
  );
  t.equal(r.header('Content-Length'), String(r.body.length));
  t.equal(r.result.keepAlive, true, '404 keeps the connection');
  t.equal(get('/nowhere/').result.status, 404);
  t.equal(get('/index.html/').result.status, 404, 'a file named as a directory');
});

t.test('a directory without an index is 403 Forbidden, as nginx with autoindex off', async (t) => {
  const r = get('/empty/');
  t.equal(r.statusLine, 'HTTP/1.1 403 Forbidden');
  t.match(r.body, '<title>403 Forbidden</title>');
});

t.test('methods other than GET and HEAD are 405 with Allow', async (t) => {
  for (const method of ['POST', 'PUT', 'DELETE', 'M-SEARCH']) {
    const r = get('/index.html', { method });
    t.equal(r.statusLine, 'HTTP/1.1 405 Not Allowed', method);
    t.equal(r.header('Allow'), 'GET, HEAD');
    t.match(r.body, '<title>405 Not Allowed</title>');
  }
});

t.test('path decoding: %xx, query and fragment stripped, dot segments, absolute form', async (t) => {
  t.equal(get('/hello%20world.txt').body, 'hi');
  t.equal(get('/caf%C3%A9.txt').body, 'utf-8 name');
  t.equal(get('/index.html?x=1&y=2').body, '<h1>home</h1>');
  t.equal(get('/docs/./../index.html').body, '<h1>home</h1>');
  t.equal(get('//docs//guide.css').body, 'body{}', 'merged slashes');
  t.equal(get('/docs%2Fguide.css').body, 'body{}', 'encoded slash');
  t.equal(get('http://example.org/docs/guide.css?q').body, 'body{}');
  t.equal(get('http://example.org').body, '<h1>home</h1>');
  t.same(decodeTarget('/a/b/..?q=1'), { path: '/a/', query: 'q=1' });
  t.same(decodeTarget('/a/.'), { path: '/a/', query: '' });
});

t.test('paths that escape the root or are malformed are 400 and close the connection', async (t) => {
  for (const target of ['/../etc/passwd', '/docs/../../x', '/%2e%2e/x', '/a/%2E%2E/%2e%2e/b', '/bad%zz', '/trunc%4', '/nul%00.txt']) {
    const r = get(target);
    t.equal(r.statusLine, 'HTTP/1.1 400 Bad Request', target);
    t.equal(r.header('Connection'), 'close');
    t.equal(r.result.keepAlive, false);
  }
});

t.test('If-Modified-Since equal to Last-Modified gives 304 without body or entity headers', async (t) => {
  const lastModified = get('/index.html').header('Last-Modified')!;
  const r = get('/index.html', { extra: [['if-modified-since', lastModified]] });
  t.equal(r.statusLine, 'HTTP/1.1 304 Not Modified');
  t.same(r.headers.map(([n]) => n), ['Server', 'Date', 'Last-Modified', 'Connection', 'ETag']);
  t.equal(r.body, '');
  t.same(r.result, { status: 304, keepAlive: true, body: null });
  t.equal(get('/index.html', { method: 'HEAD', extra: [['if-modified-since', lastModified]] }).result.status, 304);
});

t.test('If-Modified-Since: exact match by default, "before" and "off" as nginx options', async (t) => {
  const later = 'Tue, 11 Jan 2022 00:00:00 GMT';
  const earlier = 'Sun, 09 Jan 2022 00:00:00 GMT';
  const status = (ims: string, options: RespondOptions = {}): number =>
    get('/index.html', { extra: [['if-modified-since', ims]] }, options).result.status;
  t.equal(status(later), 200, 'exact: a later date is not a match');
  t.equal(status(earlier), 200);
  t.equal(status('garbage'), 200);
  t.equal(status(later, { ifModifiedSince: 'before' }), 304);
  t.equal(status(earlier, { ifModifiedSince: 'before' }), 200);
  t.equal(status('Monday, 10-Jan-22 08:00:00 GMT'), 304, 'RFC 850 date');
  t.equal(status('Mon Jan 10 08:00:00 2022'), 304, 'asctime date');
  t.equal(status('Monday, 10-Jan-22 08:00:00 GMT', { ifModifiedSince: 'off' }), 200);
});

t.test('If-None-Match with the ETag gives 304; both conditions must hold when both are sent', async (t) => {
  const etag = get('/index.html').header('ETag')!;
  const status = (extra: [string, string][]): number => get('/index.html', { extra }).result.status;
  t.equal(status([['if-none-match', etag]]), 304);
  t.equal(status([['if-none-match', `"x", W/${etag}`]]), 304, 'weak comparison in a list');
  t.equal(status([['if-none-match', '*']]), 304);
  t.equal(status([['if-none-match', '"other"']]), 200);
  t.equal(status([['if-none-match', etag], ['if-modified-since', 'Sun, 09 Jan 2022 00:00:00 GMT']]), 200);
});

t.test('Content-Type follows the extension, case-insensitively, defaulting to octet-stream', async (t) => {
  t.equal(get('/docs/guide.css').header('Content-Type'), 'text/css');
  t.equal(get('/img/logo.PNG').header('Content-Type'), 'image/png');
  t.equal(get('/big.bin').header('Content-Type'), DEFAULT_MIME_TYPE);
  const table: [string, string][] = [
    ['a.html', 'text/html'], ['a.htm', 'text/html'], ['a.css', 'text/css'], ['a.js', 'application/javascript'],
    ['a.json', 'application/json'], ['a.txt', 'text/plain'], ['a.png', 'image/png'], ['a.jpg', 'image/jpeg'],
    ['a.jpeg', 'image/jpeg'], ['a.gif', 'image/gif'], ['a.svg', 'image/svg+xml'], ['a.ico', 'image/x-icon'],
    ['a.wasm', 'application/wasm'], ['a.pdf', 'application/pdf'], ['a.xml', 'text/xml'], ['a.woff2', 'font/woff2'],
    ['/d.x/README', DEFAULT_MIME_TYPE], ['/.hidden', DEFAULT_MIME_TYPE], ['a.', DEFAULT_MIME_TYPE],
    ['a.toString', DEFAULT_MIME_TYPE], ['/x/a.tar.GZ', DEFAULT_MIME_TYPE], ['A.JSON', 'application/json'],
  ];
  for (const [path, type] of table) t.equal(mimeTypeFor(path), type, path);
});

t.test('a body above inlineBodyLimit comes back separately, after the head in out', async (t) => {
  const r = get('/big.bin');
  t.equal(r.header('Content-Length'), '200000');
  t.equal(r.body, '', 'out holds the head only');
  t.equal(r.result.body?.length, 200_000);
  const inline = get('/big.bin', {}, { inlineBodyLimit: Infinity });
  t.equal(inline.body.length, 200_000);
  t.equal(inline.result.body, null);
  t.equal(get('/index.html', {}, { inlineBodyLimit: 0 }).result.body?.length, 13);
});

t.test('a source that opens files streams bodies above inlineBodyLimit: the head in out, the open file for the caller', async (t) => {
  const opened: string[] = [];
  const streaming: FileSource = { ...site.source, open: (path) => (opened.push(path), { size: 200_000 }) };
  const r = get('/big.bin', {}, { inlineBodyLimit: 32 * 1024 }, streaming);
  t.equal(r.header('Content-Length'), '200000');
  t.equal(r.body, '', 'out holds the head only');
  t.same(r.result.file, { size: 200_000 });
  t.equal(r.result.body, null, 'nothing read whole');
  t.same(opened, ['/big.bin']);
  t.equal(get('/index.html', {}, { inlineBodyLimit: 32 * 1024 }, streaming).body, '<h1>home</h1>', 'small files stay inline');
  t.equal(get('/big.bin', { method: 'HEAD' }, { inlineBodyLimit: 32 * 1024 }, streaming).result.file, undefined, 'HEAD opens nothing');
  t.same(opened, ['/big.bin']);
  const failing: FileSource = { ...site.source, open: () => { throw new Error('EMFILE'); } };
  t.equal(get('/big.bin', {}, { inlineBodyLimit: 0 }, failing).statusLine, 'HTTP/1.1 500 Internal Server Error', 'a file that cannot be opened gives 500');
});

t.test('a file source that fails between stat and read gives 500 and closes', async (t) => {
  const broken: FileSource = { stat: () => ({ size: 3, mtimeMs: 0, isDirectory: false }), read: () => { throw new Error('EIO'); } };
  const r = get('/x.txt', {}, {}, broken);
  t.equal(r.statusLine, 'HTTP/1.1 500 Internal Server Error');
  t.equal(r.header('Connection'), 'close');
});

t.test('root option prefixes every file source path', async (t) => {
  const files = memoryFiles({ '/srv/www/index.html': 'rooted' });
  t.equal(get('/', {}, { root: '/srv/www' }, files.source).body, 'rooted');
  t.equal(get('/index.html', {}, { root: '/srv/www' }, files.source).body, 'rooted');
});

t.test('errorResponse answers each parser error with its page and Connection: close', async (t) => {
  const expected: [number, string][] = [
    [400, 'Bad Request'], [413, 'Request Entity Too Large'], [414, 'Request-URI Too Large'],
    [431, 'Request Header Fields Too Large'], [501, 'Not Implemented'], [505, 'HTTP Version Not Supported'],
  ];
  for (const [status, reason] of expected) {
    const out = new ByteWriter();
    t.same(errorResponse(status, out, { clock }), { status, keepAlive: false, body: null });
    const r = parse(out.bytes());
    t.equal(r.statusLine, `HTTP/1.1 ${status} ${reason}`);
    t.equal(r.header('Connection'), 'close');
    t.equal(r.header('Date'), 'Mon, 28 Feb 2022 12:30:15 GMT');
    t.equal(r.body, `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>flexos-nginx</center>\r\n</body>\r\n</html>\r\n`);
    t.equal(Number(r.header('Content-Length')), r.body.length);
  }
  const out = new ByteWriter();
  errorResponse(400, out, { headOnly: true });
  t.equal(parse(out.bytes()).body, '', 'head only');
  t.match(parse(out.bytes()).header('Date'), /GMT$/, 'Date from the wall clock without a clock');
  t.throws(() => errorResponse(200, new ByteWriter()), RangeError);
  t.throws(() => errorResponse(999, new ByteWriter()), RangeError);
});

t.test('pipelined answers append to one writer: parser and responder end to end', async (t) => {
  const parser = new HttpRequestParser();
  parser.feed(text('GET / HTTP/1.1\r\nHost: h\r\n\r\nHEAD /docs/guide.css HTTP/1.1\r\nHost: h\r\n\r\nGET /missing HTTP/1.0\r\n\r\nGET / HTTP/9.9\r\n\r\n'));
  const out = new ByteWriter(16);
  const statuses: number[] = [];
  for (let r = parser.next(); r !== null; r = parser.next()) {
    if (r.kind === 'error') {
      statuses.push(errorResponse(r.status, out, { clock }).status);
      break;
    }
    statuses.push(respond(r, site.source, clock, out).status);
  }
  t.same(statuses, [200, 200, 404, 505]);
  const wire = Buffer.from(out.bytes()).toString('latin1');
  t.equal(wire.match(/HTTP\/1\.1 \d{3} /g)?.length, 4);
  t.match(wire, /Content-Length: 6\r\nLast-Modified: [^\r]+\r\nConnection: keep-alive\r\nETag: "[0-9a-f]+-6"\r\n\r\nHTTP\/1\.1 404/);
});

t.test('HTTP dates: IMF-fixdate out, three forms in', async (t) => {
  t.equal(formatHttpDate(0), 'Thu, 01 Jan 1970 00:00:00 GMT');
  t.equal(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'), Date.UTC(1994, 10, 6, 8, 49, 37));
  t.equal(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT'), Date.UTC(1994, 10, 6, 8, 49, 37));
  t.equal(parseHttpDate('Sun Nov  6 08:49:37 1994'), Date.UTC(1994, 10, 6, 8, 49, 37));
  t.equal(parseHttpDate('Sun, 06 Foo 1994 08:49:37 GMT'), null);
  t.equal(parseHttpDate('Sun, 06 Nov 1994 25:49:37 GMT'), null);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 253402300799999 }), (ms) => {
      const s = formatHttpDate(ms);
      return s === new Date(ms).toUTCString() && parseHttpDate(s) === Math.floor(ms / 1000) * 1000;
    }),
  );
  t.pass('formatHttpDate matches toUTCString and parses back, years 1970-9999');
});

t.test('ByteWriter grows, exposes written bytes, resets, and refuses non-byte characters', async (t) => {
  const w = new ByteWriter(2);
  w.writeAscii('abc');
  w.writeBytes(Uint8Array.of(0x64, 0x65));
  w.writeAscii('\u00ff');
  t.same([...w.bytes()], [0x61, 0x62, 0x63, 0x64, 0x65, 0xff]);
  t.equal(w.length, 6);
  w.reset();
  t.equal(w.bytes().length, 0);
  w.writeAscii('z'.repeat(5000));
  t.equal(w.length, 5000);
  t.throws(() => w.writeAscii('\u20ac'), RangeError);
  t.throws(() => new ByteWriter(0), RangeError);
});

t.test('the default index page welcomes to flexos-nginx', async (t) => {
  const html = defaultIndexHtml();
  t.match(html, /^<!DOCTYPE html>/);
  t.match(html, '<title>Welcome to flexos-nginx!</title>');
  t.match(html, '<h1>Welcome to flexos-nginx!</h1>');
  const files = memoryFiles({ '/index.html': html });
  t.equal(get('/', {}, {}, files.source).body, html);
});
