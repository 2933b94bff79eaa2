// Fuzzing the Nginx request parser: random and malformed bytes, split anywhere, only ever give
// requests, a parse error with an HTTP status, or null; never an exception or a hang.

import t from 'tap';
import fc from 'fast-check';
import { HttpRequestParser, type HttpParseResult } from '../../workloads/nginx/http-parser.js';

const encoder = new TextEncoder();
const STATUSES = new Set([400, 413, 414, 431, 501, 505]);

const fragment = fc.oneof(
  fc.constantFrom('GET ', 'POST ', 'HEAD ', 'get ', '/ ', '/a?b ', 'http://h/p ', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', 'HTTP/1.', '\r\n', '\n', '\r', '\0', ': ', ' '),
  fc.constantFrom('Host: x', 'Connection: close', 'Connection: keep-alive', 'Transfer-Encoding: chunked', 'Content-Length: '),
  fc.integer({ min: -3, max: 1 << 22 }).map((n) => `Content-Length: ${n}\r\n`),
  fc.integer({ min: 0, max: 1 << 21 }).map((n) => `${n.toString(16)}\r\n`),
  fc.string({ maxLength: 30 }),
);
const httpBytes = fc.oneof(
  fc.uint8Array({ maxLength: 512 }),
  fc.array(fragment, { maxLength: 30 }).map((parts) => encoder.encode(parts.join(''))),
);

function check(r: HttpParseResult): void {
  if (r.kind === 'request') {
    if (typeof r.method !== 'string' || typeof r.target !== 'string' || !Array.isArray(r.headers)) throw new Error('malformed request');
    if (!(r.bodyLength >= 0)) throw new Error(`negative body length ${r.bodyLength}`);
  } else if (r.kind === 'error') {
    if (!STATUSES.has(r.status) || typeof r.reason !== 'string') throw new Error(`error without a valid status: ${JSON.stringify(r)}`);
  } else {
    throw new Error(`neither a request nor an error: ${JSON.stringify(r)}`);
  }
}

function drain(input: Uint8Array, cuts: number[]): { requests: number; errors: number } {
  const parser = new HttpRequestParser({ body: 4096, headerBytes: 1024, requestLine: 256, headerLine: 256, headers: 8 });
  let requests = 0;
  const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...points, input.length]) {
    parser.feed(input.subarray(from, to));
    from = Math.max(from, to);
    for (let guard = 0; ; guard++) {
      if (guard > input.length + 1) throw new Error('next() produced more requests than there are bytes');
      const r = parser.next();
      if (r === null) break;
      check(r);
      if (r.kind === 'error') return { requests, errors: 1 }; // sticky
      requests++;
    }
  }
  return { requests, errors: 0 };
}

t.test('HttpRequestParser: random and malformed input only gives requests, errors or null', (t) => {
  fc.assert(fc.property(httpBytes, fc.array(fc.nat(), { maxLength: 6 }), (input, cuts) => void drain(input, cuts)), { numRuns: 2000 });
  t.end();
});

t.test('HttpRequestParser: the same input split differently gives the same outcome', (t) => {
  fc.assert(
    fc.property(httpBytes, fc.array(fc.nat(), { maxLength: 6 }), (input, cuts) => {
      const whole = drain(input, []);
      const split = drain(input, cuts);
      return whole.requests === split.requests && whole.errors === split.errors;
    }),
    { numRuns: 1000 },
  );
  t.end();
});

t.test('HttpRequestParser: known inputs (the property can fail)', (t) => {
  t.same(drain(encoder.encode('GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n'), [5, 30]), { requests: 2, errors: 0 }, 'two pipelined requests');
  t.same(drain(encoder.encode('GET / HTTP/9.9\r\n\r\n'), []), { requests: 0, errors: 1 }, 'an unknown major version is an error');
  t.end();
});
