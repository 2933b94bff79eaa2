// The RESP parser's length arithmetic under ubsan: a bulk or multibulk length past an int (a crafted
// `$9223372036854775807`) is caught by UBSan's checked ints as the digits accumulate; without
// hardening the same request is refused with Redis's protocol error, as before.

import t from 'tap';
import { exchange } from '../../fixtures/raw-exchange.js';
import { appNamed, libraryRegistry } from '../../../workloads/registry.js';
import { expandSpace } from '../../../compartments/config/space.js';
import { launch } from '../../../workloads/launch.js';
import { RespParser, PROTO_MAX_BULK_LEN } from '../../../workloads/redis/resp.js';
import { checkedInts } from '../../../compartments/runtime/hardening/ubsan.js';

const b = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const UBSAN = { code: 'FLEXOS_ERR_HARDENING', info: { check: 'ubsan', library: 'redis' } };
const parse = (text: string, ubsan: boolean): ReturnType<RespParser['next']> => {
  const parser = ubsan ? new RespParser(undefined, checkedInts('redis', true)) : new RespParser();
  parser.feed(b(text));
  return parser.next();
};

t.test('a bulk length of 2^63 - 1: a ubsan report when hardened, "invalid bulk length" otherwise', async (t) => {
  const crafted = '*1\r\n$9223372036854775807\r\nxx\r\n';
  t.throws(() => parse(crafted, true), UBSAN);
  t.same(parse(crafted, false), { error: 'Protocol error: invalid bulk length', fatal: true });
});

t.test('a multibulk count past an int: a ubsan report when hardened, "invalid multibulk length" otherwise', async (t) => {
  t.throws(() => parse('*99999999999\r\n', true), UBSAN);
  t.same(parse('*99999999999\r\n', false), { error: 'Protocol error: invalid multibulk length', fatal: true });
});

t.test('lengths within an int parse the same under ubsan', async (t) => {
  const set = '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n';
  t.same(parse(set, true), parse(set, false));
  t.same((parse(set, true) as { argv: Uint8Array[] }).argv.map((a) => Buffer.from(a).toString()), ['SET', 'k', 'hello']);
  const tooLong = `*1\r\n$${PROTO_MAX_BULK_LEN + 1}\r\n`;
  t.same(parse(tooLong, true), { error: 'Protocol error: invalid bulk length', fatal: true }, 'past proto-max-bulk-len but an int: refused as in Redis');
});

t.test('a booted redis hardened with H stops on the crafted length with the ubsan report; unhardened it refuses it and goes on', async (t) => {
  const points = expandSpace(appNamed('redis').space(), { registry: libraryRegistry });
  // R (the app) alone hardened (kasan, ubsan, stackprotector), in one compartment with the rest.
  const hardened = points.find((p) => p.hardened.length === 1 && p.hardened[0] === 'R' && p.layout === points[0]!.layout)!;
  const image = await launch(hardened.configuration, { registry: libraryRegistry, port: 0 });
  t.teardown(() => image.stop());
  void exchange(image.port, '*1\r\n$9223372036854775807\r\n');
  await t.rejects(image.main, { code: 'FLEXOS_ERR_HARDENING', info: { check: 'ubsan', library: 'redis' } }, 'the app stops with the ubsan report');
  const plain = await launch(points[0]!.configuration, { registry: libraryRegistry, port: 0 });
  t.teardown(() => plain.stop());
  t.match(await exchange(plain.port, '*1\r\n$9223372036854775807\r\n'), /^-ERR Protocol error: invalid bulk length/);
  t.equal(await exchange(plain.port, 'PING\r\n'), '+PONG\r\n', 'the unhardened server still answers');
});
