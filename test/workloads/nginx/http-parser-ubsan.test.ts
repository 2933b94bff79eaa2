// The HTTP parser's length arithmetic under ubsan: a Content-Length past an int (one near 2^53) is
// caught by UBSan's checked ints as its digits accumulate; without hardening the same request is
// refused with 413 as before, and ordinary lengths parse the same either way.

import t from 'tap';
import { HttpRequestParser, type HttpParseResult } from '../../../workloads/nginx/http-parser.js';
import { checkedInts } from '../../../compartments/runtime/hardening/ubsan.js';

const UBSAN = { code: 'FLEXOS_ERR_HARDENING', info: { check: 'ubsan', library: 'nginx' } };
const parse = (text: string, ubsan: boolean): HttpParseResult | null => {
  const parser = new HttpRequestParser(ubsan ? { lengths: checkedInts('nginx', true) } : {});
  parser.feed(Buffer.from(text, 'latin1'));
  return parser.next();
};
const post = (length: string, body = ''): string => `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n${body}`;

t.test('a Content-Length near 2^53: a ubsan report when hardened, 413 otherwise', async (t) => {
  for (const length of [String(2 ** 53 + 1), '9223372036854775807', '2147483648']) {
    t.throws(() => parse(post(length), true), UBSAN, `${length}, hardened`);
    t.match(parse(post(length), false), { kind: 'error', status: 413, reason: 'request body too large' }, `${length}, unhardened`);
  }
  t.match(parse(post('1'.repeat(400)), false), { kind: 'error', status: 413 }, 'hundreds of digits: still 413');
});

t.test('ordinary lengths parse the same under ubsan', async (t) => {
  for (const [length, body] of [['5', 'hello'], ['0005', 'hello'], ['0', '']] as const) {
    const hardened = parse(post(length, body), true);
    t.same(hardened, parse(post(length, body), false), `Content-Length: ${length}`);
    t.match(hardened, { kind: 'request', bodyLength: body.length });
  }
  t.match(parse(post('2000000'), true), { kind: 'error', status: 413 }, 'over the body limit, within an int: 413 as before');
});
