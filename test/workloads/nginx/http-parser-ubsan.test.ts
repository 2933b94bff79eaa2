// The HTTP parser's length arithmetic under ubsan: a Content-Length past an int (one near 2^53) is
// caught by UBSan's checked ints as its digits accumulate; without hardening the same request is
// refused with 413 as before, and ordinary lengths parse the same either way.

import t from 'tap';
import { exchange } from '../../fixtures/raw-exchange.js';
import { appNamed, libraryRegistry } from '../../../workloads/registry.js';
import { expandSpace } from '../../../compartments/config/space.js';
import { launch } from '../../../workloads/launch.js';
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

t.test('a booted nginx hardened with H stops on the crafted length with the ubsan report; unhardened it refuses it and goes on', async (t) => {
  const points = expandSpace(appNamed('nginx').space(), { registry: libraryRegistry });
  // R (the app) alone hardened (kasan, ubsan, stackprotector), in one compartment with the rest.
  const hardened = points.find((p) => p.hardened.length === 1 && p.hardened[0] === 'R' && p.layout === points[0]!.layout)!;
  const image = await launch(hardened.configuration, { registry: libraryRegistry, port: 0 });
  t.teardown(() => image.stop());
  void exchange(image.port, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${2 ** 53 + 1}\r\n\r\n`);
  await t.rejects(image.main, { code: 'FLEXOS_ERR_HARDENING', info: { check: 'ubsan', library: 'nginx' } }, 'the app stops with the ubsan report');
  const plain = await launch(points[0]!.configuration, { registry: libraryRegistry, port: 0 });
  t.teardown(() => plain.stop());
  t.match(await exchange(plain.port, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${2 ** 53 + 1}\r\n\r\n`), /^HTTP\/1\.1 413/);
  t.match(await exchange(plain.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 200/, 'the unhardened server still answers');
});
