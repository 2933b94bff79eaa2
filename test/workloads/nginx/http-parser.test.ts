// Tests of the incremental HTTP/1.x request parser: split and pipelined input, keep-alive rules,
// every error status with nginx's limits, bodies read and dropped, and fast-check properties.

import assert from 'node:assert/strict';
import t from 'tap';
import fc from 'fast-check';
import {
  HttpRequestParser,
  NGINX_LIMITS,
  getHeader,
  type HttpParseResult,
  type HttpParserOptions,
  type HttpRequest,
} from '../../../workloads/nginx/http-parser.js';

const bytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** Feeds `pieces` one at a time, draining after each; stops at the first error. */
function parseAll(pieces: Uint8Array[], options: HttpParserOptions = {}): HttpParseResult[] {
  const parser = new HttpRequestParser(options);
  const results: HttpParseResult[] = [];
  for (const piece of pieces) {
    parser.feed(piece);
    for (let r = parser.next(); r !== null; r = parser.next()) {
      results.push(r);
      if (r.kind === 'error') return results;
    }
  }
  return results;
}

const parseText = (text: string, options?: HttpParserOptions): HttpParseResult[] => parseAll([bytes(text)], options);

function only(text: string, options?: HttpParserOptions): HttpParseResult {
  const results = parseText(text, options);
  if (results.length !== 1) throw new Error(`expected one result, got ${JSON.stringify(results)}`);
  return results[0]!;
}

const status = (text: string, options?: HttpParserOptions): number | 'ok' | 'incomplete' => {
  const results = parseText(text, options);
  const last = results[results.length - 1];
  return last === undefined ? 'incomplete' : last.kind === 'error' ? last.status : 'ok';
};

t.test('a GET request parses into method, target, version, lowercased headers and keep-alive', async (t) => {
  const r = only('GET /a/b.html?x=1 HTTP/1.1\r\nHost: example.org\r\nUser-Agent:  wrk \r\nX-Empty:\r\n\r\n');
  t.same(r, {
    kind: 'request',
    method: 'GET',
    target: '/a/b.html?x=1',
    version: '1.1',
    headers: [
      ['host', 'example.org'],
      ['user-agent', 'wrk'],
      ['x-empty', ''],
    ],
    keepAlive: true,
    bodyLength: 0,
  });
  t.equal(getHeader(r as HttpRequest, 'User-Agent'), 'wrk');
  t.equal(getHeader(r as HttpRequest, 'accept'), undefined);
});

t.test('bare LF line endings are tolerated, as nginx does', async (t) => {
  const r = only('HEAD / HTTP/1.0\nAccept: */*\n\n');
  t.match(r, { kind: 'request', method: 'HEAD', version: '1.0', headers: [['accept', '*/*']] });
});

t.test('empty lines before a request line are skipped', async (t) => {
  t.match(only('\r\n\n\r\nGET / HTTP/1.0\r\n\r\n'), { kind: 'request', target: '/' });
});

t.test('input fed one byte at a time parses like input fed at once', async (t) => {
  const text = 'GET /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloGET /y HTTP/1.0\r\n\r\n';
  const whole = parseText(text);
  const split = parseAll([...bytes(text)].map((b) => Uint8Array.of(b)));
  t.equal(whole.length, 2);
  t.same(split, whole);
});

t.test('pipelined requests in one chunk come out in order, bodies skipped between them', async (t) => {
  const text =
    'POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 20\r\n\r\nGET /fake HTTP/1.1\r\n' +
    'PUT /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: t\r\n\r\n' +
    'GET /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n';
  const results = parseText(text) as HttpRequest[];
  t.same(
    results.map((r) => [r.method, r.target, r.bodyLength, r.keepAlive]),
    [
      ['POST', '/a', 20, true],
      ['PUT', '/b', 19, true],
      ['GET', '/c', 0, false],
    ],
  );
});

t.test('keep-alive: HTTP/1.1 unless close, HTTP/1.0 only with keep-alive', async (t) => {
  const keep = (text: string): boolean => (only(text) as HttpRequest).keepAlive;
  t.equal(keep('GET / HTTP/1.1\r\nHost: h\r\n\r\n'), true);
  t.equal(keep('GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, Close\r\n\r\n'), false);
  t.equal(keep('GET / HTTP/1.0\r\n\r\n'), false);
  t.equal(keep('GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n'), true);
  t.equal(keep('GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n'), false);
});

t.test('HTTP/1.x minors above 1 are served as 1.1; absolute-form targets are kept as sent', async (t) => {
  t.match(only('GET http://h:8080/p?q HTTP/1.2\r\nHost: h\r\n\r\n'), { version: '1.1', target: 'http://h:8080/p?q' });
});

t.test('an unknown but well-formed method is parsed (the responder answers 405)', async (t) => {
  t.match(only('M-SEARCH / HTTP/1.1\r\nHost: h\r\n\r\n'), { kind: 'request', method: 'M-SEARCH' });
});

t.test('malformed requests are refused with 400', async (t) => {
  const cases: [string, string][] = [
    ['lowercase method', 'get / HTTP/1.1\r\nHost: h\r\n\r\n'],
    ['no version (HTTP/0.9)', 'GET /\r\n\r\n'],
    ['truncated version', 'GET / HTTP/1\r\nHost: h\r\n\r\n'],
    ['lowercase protocol', 'GET / http/1.1\r\nHost: h\r\n\r\n'],
    ['junk after version', 'GET / HTTP/1.1x\r\nHost: h\r\n\r\n'],
    ['asterisk target', 'GET * HTTP/1.1\r\nHost: h\r\n\r\n'],
    ['relative target', 'GET index.html HTTP/1.1\r\nHost: h\r\n\r\n'],
    ['control byte in target', 'GET /a\x01b HTTP/1.1\r\nHost: h\r\n\r\n'],
    ['bare CR in request line', 'GET /\r HTTP/1.1\r\nHost: h\r\n\r\n'],
    ['missing Host in HTTP/1.1', 'GET / HTTP/1.1\r\nAccept: */*\r\n\r\n'],
    ['duplicate Host', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
    ['empty Host', 'GET / HTTP/1.1\r\nHost:\r\n\r\n'],
    ['Host with a slash', 'GET / HTTP/1.1\r\nHost: a/b\r\n\r\n'],
    ['obsolete line folding', 'GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n  two\r\n\r\n'],
    ['whitespace before the first header', 'GET / HTTP/1.1\r\n Host: h\r\n\r\n'],
    ['header without colon', 'GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n'],
    ['space before colon', 'GET / HTTP/1.1\r\nHost : h\r\n\r\n'],
    ['NUL in a header value', 'GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x00b\r\n\r\n'],
    ['non-numeric Content-Length', 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n'],
    ['negative Content-Length', 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n'],
    ['duplicate Content-Length', 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx'],
    ['Content-Length and Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n'],
    ['Transfer-Encoding in HTTP/1.0', 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['bad chunk size', 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['chunk data overrun', 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n'],
  ];
  for (const [name, text] of cases) t.equal(status(text), 400, name);
});

t.test('version other than 1.x is refused with 505', async (t) => {
  t.equal(status('GET / HTTP/2.0\r\nHost: h\r\n\r\n'), 505);
  t.equal(status('GET / HTTP/0.9\r\n\r\n'), 505);
  t.equal(status('GET / HTTP/11.1\r\n\r\n'), 505);
});

t.test('a Transfer-Encoding other than chunked is refused with 501', async (t) => {
  t.equal(status('POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'), 501);
  t.equal(status('POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n'), 'ok');
});

t.test('request line limit: 8 KiB passes, one byte more is 414, even before the line ends', async (t) => {
  const line = (n: number): string => `GET /${'a'.repeat(n - 'GET / HTTP/1.1'.length)} HTTP/1.1`;
  t.equal(line(8192).length, 8192);
  t.equal(status(`${line(8192)}\r\nHost: h\r\n\r\n`), 'ok');
  t.equal(status(`${line(8193)}\r\nHost: h\r\n\r\n`), 414);
  t.equal(status(`GET /${'a'.repeat(9000)}`), 414, 'refused without waiting for the end of the line');
});

t.test('header limits: line over 8 KiB, more than 100 fields, section over 32 KiB are 431', async (t) => {
  const head = 'GET / HTTP/1.1\r\nHost: h\r\n';
  const field = (n: number): string => `X-Long: ${'v'.repeat(n - 'X-Long: '.length)}\r\n`;
  t.equal(status(`${head}${field(8192)}\r\n`), 'ok');
  t.equal(status(`${head}${field(8193)}\r\n`), 431);
  t.equal(status(`${head}${'X-A: 1\r\n'.repeat(99)}\r\n`), 'ok', '100 fields with Host');
  t.equal(status(`${head}${'X-A: 1\r\n'.repeat(100)}\r\n`), 431, '101 fields');
  t.equal(status(`${head}${field(8000).repeat(4)}\r\n`), 'ok');
  t.equal(status(`${head}${field(8000).repeat(5)}\r\n`), 431);
  t.equal(status(`${head}${'X-A: 1\r\n'.repeat(10)}`, { headers: 5 }), 431, 'limits are options');
});

t.test('a body over 1 MiB is refused with 413, by Content-Length or chunked total', async (t) => {
  const post = 'POST / HTTP/1.1\r\nHost: h\r\n';
  t.equal(status(`${post}Content-Length: ${NGINX_LIMITS.body + 1}\r\n\r\n`), 413, 'answered before the body');
  t.equal(status(`${post}Content-Length: 99999999999999999999999\r\n\r\n`), 413);
  t.equal(status(`${post}Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n`), 413);
  t.equal(status(`${post}Transfer-Encoding: chunked\r\n\r\n80000\r\n`, {}), 'incomplete', '512 KiB chunk is fine');
  const half = 'x'.repeat(0x80000);
  t.equal(status(`${post}Transfer-Encoding: chunked\r\n\r\n80000\r\n${half}\r\n80000\r\n${half}\r\n1\r\n`), 413);
  t.equal(status(`${post}Content-Length: ${NGINX_LIMITS.body}\r\n\r\n${'y'.repeat(NGINX_LIMITS.body)}`), 'ok');
});

t.test('an error is sticky: next() repeats it and further input is ignored', async (t) => {
  const parser = new HttpRequestParser();
  parser.feed(bytes('GET / HTTP/2.0\r\n\r\n'));
  const first = parser.next();
  t.match(first, { kind: 'error', status: 505 });
  parser.feed(bytes('GET / HTTP/1.1\r\nHost: h\r\n\r\n'));
  t.equal(parser.next(), first);
  t.equal(parser.buffered, 0);
});

t.test('a request is returned only once its body has arrived, and body bytes are not buffered', async (t) => {
  const parser = new HttpRequestParser();
  parser.feed(bytes('POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 1048576\r\n\r\n'));
  t.equal(parser.next(), null);
  const piece = new Uint8Array(4096).fill(0x47); // 'G', to look like a request if misparsed
  let early = 0;
  let maxBuffered = 0;
  for (let sent = 0; sent < 1 << 20; sent += piece.length) {
    if (parser.next() !== null) early++;
    parser.feed(piece);
    maxBuffered = Math.max(maxBuffered, parser.buffered);
  }
  t.equal(early, 0, 'nothing returned before the body is complete');
  t.equal(maxBuffered, 0, 'body bytes are skipped, not kept');
  t.match(parser.next(), { kind: 'request', target: '/up', bodyLength: 1 << 20 });
  t.equal(parser.next(), null);
});

t.test('buffering is linear: a 2 MiB header line fed in 64-byte pieces is scanned and copied once', async (t) => {
  const big = 2 << 20;
  const text = bytes(`GET / HTTP/1.1\r\nHost: h\r\nX-Long: ${'v'.repeat(big)}\r\n\r\n`);
  const parser = new HttpRequestParser({ headerLine: 2 * big, headerBytes: 2 * big });
  const started = performance.now();
  let result: HttpParseResult | null = null;
  for (let i = 0; i < text.length; i += 64) {
    parser.feed(text.subarray(i, i + 64));
    result = parser.next() ?? result;
  }
  const elapsed = performance.now() - started;
  t.equal(result?.kind, 'request');
  t.equal((result as HttpRequest).headers[1]?.[1].length, big, 'the whole value came through');
  // Rescanning or recopying the line on each piece would visit ~32768 x 1 MiB = 34 G bytes.
  t.ok(elapsed < 1500, `took ${elapsed.toFixed(0)} ms`);
});

t.test('options are validated', async (t) => {
  t.throws(() => new HttpRequestParser({ body: -1 }), RangeError);
  t.throws(() => new HttpRequestParser({ headers: 1.5 }), /headers/);
  t.throws(() => new HttpRequestParser().feed('GET' as unknown as Uint8Array), TypeError);
});

// --- properties ---

interface Model {
  method: string;
  target: string;
  version: '1.0' | '1.1';
  host: string | null;
  connection: string | null;
  fields: [string, string][];
  body: { kind: 'none' } | { kind: 'length'; data: Uint8Array } | { kind: 'chunked'; chunks: Uint8Array[] };
  eol: string;
  ows: string;
}

const SPECIAL = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);
const tokenArb = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/).filter((n) => !SPECIAL.has(n.toLowerCase()));
const valueArb = fc.stringMatching(/^([\x21-\x7e]([\x20-\x7e]{0,20}[\x21-\x7e])?)?$/);
const modelArb: fc.Arbitrary<Model> = fc
  .record({
    method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'M-SEARCH'),
    target: fc.stringMatching(/^\/[A-Za-z0-9._~%!$&'()*+,;=:@/?-]{0,40}$/),
    version: fc.constantFrom('1.0' as const, '1.1' as const),
    host: fc.option(fc.stringMatching(/^[a-z0-9-]{1,10}(:[0-9]{1,5})?$/), { nil: null }),
    connection: fc.constantFrom(null, 'close', 'keep-alive', 'Keep-Alive, Upgrade', 'upgrade'),
    fields: fc.array(fc.tuple(tokenArb, valueArb), { maxLength: 6 }),
    body: fc.oneof(
      fc.constant({ kind: 'none' as const }),
      fc.uint8Array({ maxLength: 40 }).map((data) => ({ kind: 'length' as const, data })),
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 20 }), { maxLength: 4 }).map((chunks) => ({ kind: 'chunked' as const, chunks })),
    ),
    eol: fc.constantFrom('\r\n', '\n'),
    ows: fc.constantFrom('', ' ', '\t', ' \t '),
  })
  .map((m) => ({
    ...m,
    host: m.version === '1.1' && m.host === null ? 'localhost' : m.host,
    body: m.version === '1.0' && m.body.kind === 'chunked' ? { kind: 'none' as const } : m.body,
  }));

function serialize(m: Model): Uint8Array {
  const lines = [`${m.method} ${m.target} HTTP/${m.version}`];
  const field = (name: string, value: string): number => lines.push(`${name}:${m.ows}${value}${m.ows}`);
  if (m.host !== null) field('Host', m.host);
  for (const [name, value] of m.fields) field(name, value);
  if (m.connection !== null) field('Connection', m.connection);
  const body: Uint8Array[] = [];
  if (m.body.kind === 'length') {
    field('Content-Length', String(m.body.data.length));
    body.push(m.body.data);
  } else if (m.body.kind === 'chunked') {
    field('Transfer-Encoding', 'chunked');
    for (const chunk of m.body.chunks) body.push(bytes(`${chunk.length.toString(16)}${m.eol}`), chunk, bytes(m.eol));
    body.push(bytes(`0${m.eol}${m.eol}`));
  }
  return Buffer.concat([bytes(lines.join(m.eol) + m.eol + m.eol), ...body]);
}

function expected(m: Model): HttpRequest {
  const headers: [string, string][] = [];
  if (m.host !== null) headers.push(['host', m.host]);
  for (const [name, value] of m.fields) headers.push([name.toLowerCase(), value]);
  const tokens = (m.connection ?? '').toLowerCase().split(',').map((s) => s.trim());
  if (m.connection !== null) headers.push(['connection', m.connection]);
  let bodyLength = 0;
  if (m.body.kind === 'length') {
    headers.push(['content-length', String(m.body.data.length)]);
    bodyLength = m.body.data.length;
  } else if (m.body.kind === 'chunked') {
    headers.push(['transfer-encoding', 'chunked']);
    bodyLength = m.body.chunks.reduce((n, c) => n + c.length, 0);
  }
  const keepAlive = !tokens.includes('close') && (m.version === '1.1' || tokens.includes('keep-alive'));
  return { kind: 'request', method: m.method, target: m.target, version: m.version, headers, keepAlive, bodyLength };
}

function splitAt(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, data.length]) {
    pieces.push(data.subarray(prev, p));
    prev = p;
  }
  return pieces;
}

t.test('property: any sequence of valid requests, split anywhere, parses back identically', async (t) => {
  fc.assert(
    fc.property(fc.array(modelArb, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 12 }), (models, cuts) => {
      const stream = Buffer.concat(models.map(serialize));
      assert.deepStrictEqual(parseAll(splitAt(stream, cuts)), models.map(expected));
    }),
    { numRuns: 300 },
  );
  t.pass('300 random request streams round-tripped');
});

const fragmentArb = fc.oneof(
  fc.constantFrom(
    'GET / HTTP/1.1\r\n', 'POST /x HTTP/1.0\n', 'Host: h\r\n', '\r\n', '\n', '\r', ' ', ':', 'HTTP/2.0',
    'Content-Length: 3\r\n', 'Transfer-Encoding: chunked\r\n', '0\r\n', '5;a=b\r\n', 'abc', 'Connection: close\r\n',
  ),
  fc.string({ maxLength: 12 }),
);
// Valid streams with a few bytes set, inserted or deleted reach the deeper states (bodies, chunks, trailers).
const editArb = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete'));
const mutatedArb = fc
  .tuple(fc.array(modelArb, { minLength: 1, maxLength: 3 }), fc.array(editArb, { maxLength: 4 }))
  .map(([models, edits]) => {
    const data = [...Buffer.concat(models.map(serialize))];
    for (const [pos, byte, op] of edits) {
      const i = pos % (data.length + 1);
      if (op === 'insert') data.splice(i, 0, byte);
      else if (i < data.length) op === 'set' ? (data[i] = byte) : data.splice(i, 1);
    }
    return Uint8Array.from(data);
  });
const garbageArb = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.array(fragmentArb, { maxLength: 30 }).map((parts) => bytes(parts.join(''))),
  mutatedArb,
);
const small: HttpParserOptions = { requestLine: 40, headerLine: 30, headers: 4, headerBytes: 80, body: 20 };
const outcome = (results: HttpParseResult[]): unknown[] => results.map((r) => (r.kind === 'error' ? r.status : r));

t.test('property: random bytes never throw, and splitting never changes the outcome', async (t) => {
  fc.assert(
    fc.property(garbageArb, fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), (data, cuts, tight) => {
      const options = tight ? small : {};
      const whole = parseAll([data], options);
      for (const r of whole) if (r.kind === 'error') assert.ok([400, 413, 414, 431, 501, 505].includes(r.status));
      assert.deepStrictEqual(outcome(parseAll(splitAt(data, cuts), options)), outcome(whole));
    }),
    { numRuns: 500 },
  );
  t.pass('500 random inputs');
});
