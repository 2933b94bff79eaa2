// The blocking pops (blocked.c): BLPOP/BRPOP/BRPOPLPUSH/BZPOPMIN/BZPOPMAX answer at once from a non-empty
// key, else park the client until a write serves it (longest-blocked first) or its timeout answers *-1;
// inside EXEC they answer as timed out; a client that goes away waits no more.

import t from 'tap';
import { blockedClients } from '../../../../workloads/redis/commands/blocking.js';
import { markTransaction } from '../../../../workloads/redis/commands/transactions.js';
import { WRONGTYPE, bulks, check, harness } from './harness.js';

t.test('a non-empty key answers at once, from the first such key in argument order', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['rpush', 'b', '1', '2'], ':2\r\n'],
    [['blpop', 'a', 'b', '0'], bulks('b', '1')],
    [['brpop', 'a', 'b', '0'], bulks('b', '2')],
    [['exists', 'b'], ':0\r\n'],
    [['set', 's', 'v'], '+OK\r\n'],
    [['blpop', 'a', 's', '0'], WRONGTYPE],
    [['blpop', 'a', '1.5'], '-ERR timeout is not an integer or out of range\r\n'],
    [['blpop', 'a', '-1'], '-ERR timeout is negative\r\n'],
    [['blpop', 'a'], "-ERR wrong number of arguments for 'blpop' command\r\n"],
    [['rpush', 'src', 'x'], ':1\r\n'],
    [['brpoplpush', 'src', 'dst', '0'], '$1\r\nx\r\n'],
    [['lrange', 'dst', '0', '-1'], bulks('x')],
    [['zadd', 'z', '1', 'a', '2', 'b'], ':2\r\n'],
    [['bzpopmin', 'none', 'z', '0'], bulks('z', 'a', '1')],
    [['bzpopmax', 'z', '0'], bulks('z', 'b', '2')],
    [['bzpopmax', 's', '0'], WRONGTYPE],
  ]);
  t.equal(blockedClients(harness().ks).count, 0, 'nobody blocked');
});

t.test('a push serves the longest-blocked client first, one element each', async (t) => {
  const h = harness();
  const blocked = blockedClients(h.ks);
  const [a, b, pusher] = [h.client(), h.client(), h.client()];
  t.equal(a.run('blpop', 'q', 'other', '0'), '', 'A blocks: no reply yet');
  t.equal(b.run('brpop', 'q', '0'), '', 'B blocks after A');
  t.equal(blocked.count, 2);
  t.ok(blocked.isBlocked(a.session));
  t.equal(pusher.run('rpush', 'q', 'one'), ':1\r\n');
  t.same(blocked.serveReady(), [a.session], 'only A is served');
  t.equal(a.take(), bulks('q', 'one'));
  t.equal(b.take(), '', 'B still waits');
  t.equal(pusher.run('exists', 'q'), ':0\r\n', 'the list emptied by serving is deleted');
  pusher.run('rpush', 'q', 'two', 'three');
  t.same(blocked.serveReady(), [b.session]);
  t.equal(b.take(), bulks('q', 'three'), 'BRPOP takes the tail');
  t.equal(pusher.run('lrange', 'q', '0', '-1'), bulks('two'));
  t.equal(blocked.count, 0);
  t.equal(blocked.serveReady().length, 0, 'nothing to serve');
});

t.test('the key a client is served from is any of its keys, and it leaves every queue it was in', async (t) => {
  const h = harness();
  const blocked = blockedClients(h.ks);
  const [a, b, p] = [h.client(), h.client(), h.client()];
  a.run('blpop', 'k1', 'k2', '0');
  b.run('blpop', 'k1', '0');
  p.run('rpush', 'k2', 'x');
  blocked.serveReady();
  t.equal(a.take(), bulks('k2', 'x'));
  p.run('rpush', 'k1', 'y');
  blocked.serveReady();
  t.equal(b.take(), bulks('k1', 'y'), 'B is first on k1 now that A left it');
  t.equal(a.take(), '');
});

t.test('BRPOPLPUSH parks on its source and moves the element when served; a wrong-type target fails it', async (t) => {
  const h = harness();
  const blocked = blockedClients(h.ks);
  const [a, b, p] = [h.client(), h.client(), h.client()];
  t.equal(a.run('brpoplpush', 'src', 'dst', '0'), '');
  t.equal(b.run('blpop', 'dst', '0'), '', 'B waits on the destination');
  p.run('lpush', 'src', 'v');
  blocked.serveReady();
  t.equal(a.take(), '$1\r\nv\r\n');
  t.equal(b.take(), bulks('dst', 'v'), "A's push onto dst serves B in the same round");
  t.equal(p.run('exists', 'src', 'dst'), ':0\r\n');
  a.run('brpoplpush', 'src', 'str', '0');
  p.run('set', 'str', 'x');
  p.run('rpush', 'src', 'w');
  blocked.serveReady();
  t.equal(a.take(), WRONGTYPE);
  t.equal(p.run('lrange', 'src', '0', '-1'), bulks('w'), 'the element stays in the source');
  t.equal(blocked.count, 0);
});

t.test('BZPOPMIN/BZPOPMAX are served by ZADD; list waiters are not served by a sorted set', async (t) => {
  const h = harness();
  const blocked = blockedClients(h.ks);
  const [a, b, c, p] = [h.client(), h.client(), h.client(), h.client()];
  a.run('blpop', 'z', '0');
  b.run('bzpopmax', 'z', '0');
  c.run('bzpopmin', 'z', '0');
  p.run('zadd', 'z', '1', 'low', '2.5', 'high', '3', 'top');
  blocked.serveReady();
  t.equal(a.take(), '', 'BLPOP waits on');
  t.equal(b.take(), bulks('z', 'top', '3'));
  t.equal(c.take(), bulks('z', 'low', '1'));
  t.equal(p.run('zrange', 'z', '0', '-1'), bulks('high'));
  t.equal(blocked.count, 1);
});

t.test('the timeout answers *-1 after it passes (0 never times out); a client that leaves is forgotten', async (t) => {
  const h = harness();
  const blocked = blockedClients(h.ks);
  const [a, b, c] = [h.client(), h.client(), h.client()];
  a.run('blpop', 'q', '2');
  b.run('bzpopmin', 'q', '0');
  c.run('brpoplpush', 'q', 'd', '1');
  t.equal(blocked.nextDeadline(), h.now() + 1000);
  h.advance(1000);
  t.same(blocked.expire(h.now()), [], 'not before the deadline has passed');
  h.advance(1);
  t.same(blocked.expire(h.now()), [c.session]);
  t.equal(c.take(), '*-1\r\n', 'BRPOPLPUSH times out with a nil multi-bulk too');
  h.advance(1000);
  t.same(blocked.expire(h.now()), [a.session]);
  t.equal(a.take(), '*-1\r\n');
  h.advance(3_600_000);
  t.same(blocked.expire(h.now()), [], 'timeout 0 waits for ever');
  t.equal(blocked.nextDeadline(), null);
  blocked.forget(b.session);
  t.equal(blocked.count, 0);
  h.run('zadd', 'q', '1', 'm');
  t.same(blocked.serveReady(), []);
  t.equal(h.run('zcard', 'q'), ':1\r\n', 'nothing was popped for the client that left');
});

t.test('inside EXEC an empty key answers as a timeout instead of blocking', async (t) => {
  const h = harness();
  const a = h.client();
  markTransaction(a.session, true);
  t.equal(a.run('blpop', 'q', '0'), '*-1\r\n');
  t.equal(a.run('bzpopmax', 'q', '0'), '*-1\r\n');
  t.equal(a.run('brpoplpush', 'q', 'd', '0'), '$-1\r\n');
  markTransaction(a.session, false);
  t.equal(a.run('blpop', 'q', '0'), '');
  t.ok(blockedClients(h.ks).isBlocked(a.session));
});

t.test("serving BRPOPLPUSH modifies its destination for WATCH, as rpoplpushHandlePush's signal does", async (t) => {
  const h = harness();
  const [watcher, b, pusher] = [h.client(), h.client(), h.client()];
  t.equal(watcher.run('watch', 'dst'), '+OK\r\n');
  t.equal(b.run('brpoplpush', 'src', 'dst', '0'), '', 'B blocks');
  pusher.run('lpush', 'src', 'x');
  t.same(blockedClients(h.ks).serveReady(), [b.session]);
  t.equal(b.take(), '$1\r\nx\r\n');
  watcher.run('multi');
  watcher.run('get', 'dst');
  t.equal(watcher.run('exec'), '*-1\r\n', 'the transaction watching dst is aborted');
});
