// Pub/sub over two real loopback clients (Redis pubsub.c): subscription confirmations, messages and
// pattern messages pushed to the subscriber, PUBSUB introspection, the subscribed client's restricted
// command set and PING form, and subscriptions dropped with the connection. The same script runs
// against Debian's redis-server when it is installed, so the expected bytes are checked on both.

import t from 'tap';
import type { Test } from 'tap';
import { RespSocket } from '../resp-socket.js';
import { bootImage, hasRedisServer, startRealRedis } from '../servers.js';

const bulk = (s: string): string => `$${s.length}\r\n${s}\r\n`;
const arr = (...items: string[]): string => `*${items.length}\r\n${items.join('')}`;
const int = (n: number): string => `:${n}\r\n`;

async function script(t: Test, port: number, redis5: boolean): Promise<void> {
  const sub = await RespSocket.connect(port);
  const pub = await RespSocket.connect(port);
  t.teardown(() => {
    sub.close();
    pub.close();
  });

  t.equal(await sub.call('SUBSCRIBE', 'news', 'sport'), arr(bulk('subscribe'), bulk('news'), int(1)), 'one confirmation per channel');
  t.equal((await sub.next()).raw, arr(bulk('subscribe'), bulk('sport'), int(2)));
  t.equal(await sub.call('PSUBSCRIBE', 'n?ws', 'w*'), arr(bulk('psubscribe'), bulk('n?ws'), int(3)));
  t.equal((await sub.next()).raw, arr(bulk('psubscribe'), bulk('w*'), int(4)));

  t.equal(await pub.call('PUBLISH', 'news', 'hello'), int(2), 'the channel and the matching pattern receive it');
  t.equal((await sub.next()).raw, arr(bulk('message'), bulk('news'), bulk('hello')));
  t.equal((await sub.next()).raw, arr(bulk('pmessage'), bulk('n?ws'), bulk('news'), bulk('hello')));
  t.equal(await pub.call('PUBLISH', 'weather', 'rain'), int(1));
  t.equal((await sub.next()).raw, arr(bulk('pmessage'), bulk('w*'), bulk('weather'), bulk('rain')));
  t.equal(await pub.call('PUBLISH', 'nobody', 'x'), int(0));
  t.ok(await sub.quietFor(100), 'nothing is pushed for a channel nobody listens to');

  t.equal(await pub.call('PUBSUB', 'NUMSUB', 'news', 'nobody'), arr(bulk('news'), int(1), bulk('nobody'), int(0)));
  t.equal(await pub.call('PUBSUB', 'NUMPAT'), int(2));
  t.equal(await pub.call('PUBSUB', 'CHANNELS', 'n*'), arr(bulk('news')));
  // Redis 7 words the subcommand error differently (README: Redis 7 differences).
  if (redis5) t.equal(await pub.call('PUBSUB', 'NOSUCH'), "-ERR Unknown subcommand or wrong number of arguments for 'NOSUCH'. Try PUBSUB HELP.\r\n");

  if (redis5) t.equal(await sub.call('GET', 'k'), '-ERR only (P)SUBSCRIBE / (P)UNSUBSCRIBE / PING / QUIT allowed in this context\r\n');
  t.equal(await sub.call('PING'), arr(bulk('pong'), bulk('')), 'PING answers its pub/sub form');
  t.equal(await sub.call('PING', 'hi'), arr(bulk('pong'), bulk('hi')));

  t.equal(await sub.call('UNSUBSCRIBE', 'news'), arr(bulk('unsubscribe'), bulk('news'), int(3)));
  t.equal(await sub.call('PUNSUBSCRIBE'), arr(bulk('punsubscribe'), bulk('n?ws'), int(2)), 'every pattern, in order');
  t.equal((await sub.next()).raw, arr(bulk('punsubscribe'), bulk('w*'), int(1)));
  t.equal(await sub.call('UNSUBSCRIBE'), arr(bulk('unsubscribe'), bulk('sport'), int(0)));
  t.equal(await sub.call('UNSUBSCRIBE'), arr(bulk('unsubscribe'), '$-1\r\n', int(0)), 'nothing left: a null channel');
  t.equal(await sub.call('PING'), '+PONG\r\n', 'out of the pub/sub context again');

  await sub.call('SUBSCRIBE', 'news');
  t.equal(await pub.call('PUBSUB', 'NUMSUB', 'news'), arr(bulk('news'), int(1)));
  sub.close();
  await sub.whenClosed();
  const deadline = Date.now() + 5000;
  let numsub = '';
  while (Date.now() < deadline && (numsub = await pub.call('PUBSUB', 'NUMSUB', 'news')) !== arr(bulk('news'), int(0))) {
    await new Promise((r) => setTimeout(r, 20));
  }
  t.equal(numsub, arr(bulk('news'), int(0)), 'a closed connection leaves its channels');
}

t.test('pub/sub on the image (redis-none)', async (t) => {
  const image = await bootImage();
  t.teardown(() => image.stop());
  await script(t, image.port, true);
});

t.test('the same script on Debian\'s redis-server', { skip: hasRedisServer ? false : 'redis-server is not installed' }, async (t) => {
  const real = await startRealRedis();
  t.teardown(() => real.stop());
  await script(t, real.port, false);
});
