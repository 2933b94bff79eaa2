// lwip's pbufs alone, over a real TLSF heap in a SharedArrayBuffer region: allocation from the
// shared heap, bytes queued on a socket and counted against the windows, copies out with one
// memcpy per pbuf (freeing each pbuf read whole), MSG_PEEK, and a closing socket's pbufs freed.

import t from 'tap';
import { PbufPool, RX_QUEUE_LIMIT, TCP_MSS } from '../../../kernel/lwip/pbuf.js';
import { Socket } from '../../../kernel/lwip/sockets.js';
import { CallLog, fakeMemcpy, memoryRig } from './fakes.js';

function setup(limit?: number) {
  const rig = memoryRig();
  const log = new CallLog();
  const memcpy = log.wrap('newlib', 'memcpy', fakeMemcpy(rig.memory));
  const pool = new PbufPool({ heap: rig.sharedHeap, memcpy }, limit);
  const used = (): number => rig.sharedHeap.stats().used;
  /** A pbuf holding `text`, queued on s as if input had received it. */
  const receive = (s: Socket, text: string): number => {
    const pbuf = pool.alloc(TCP_MSS);
    rig.memory.writeString(pbuf, text);
    pool.enqueue(s, pbuf, text.length);
    return pbuf;
  };
  return { rig, log, pool, used, receive };
}

t.test('constants: one MSS per pbuf, 8 MiB of windows', async (t) => {
  t.equal(TCP_MSS, 1460);
  t.equal(RX_QUEUE_LIMIT, 8 * 1024 * 1024);
});

t.test('alloc/free come from the shared heap and give it back', async (t) => {
  const { rig, pool, used } = setup();
  const before = used();
  const pbuf = pool.alloc(TCP_MSS);
  t.ok(rig.sharedHeap.owns(pbuf), 'the pbuf lies in the shared heap');
  t.ok(used() > before, 'the heap counts it');
  pool.free(pbuf);
  t.equal(used(), before, 'freed');
  t.equal(pool.alloc(64 * 1024 * 1024), 0, 'more than the heap holds: 0, not a throw');
});

t.test('enqueue counts bytes on the socket and in the windows until the limit', async (t) => {
  const { pool, receive } = setup(10);
  const s = new Socket(false);
  t.ok(pool.hasRoom);
  receive(s, 'hello');
  t.equal(s.rxBytes, 5);
  t.equal(pool.queued, 5);
  t.ok(pool.hasRoom, '5 of 10 bytes');
  receive(s, 'world');
  t.equal(pool.queued, 10);
  t.notOk(pool.hasRoom, '10 of 10: input must stop pulling');
});

t.test('copyOut reads across pbufs in order, one memcpy each, freeing each pbuf read whole', async (t) => {
  const { rig, log, pool, used, receive } = setup();
  const s = new Socket(false);
  const before = used();
  receive(s, 'abc');
  receive(s, 'defgh');
  const buf = rig.appHeap.malloc(64);
  t.equal(pool.copyOut(s, buf, 5, false), 5);
  t.equal(rig.memory.readString(buf, 5), 'abcde');
  t.same(log.names(), ['memcpy', 'memcpy'], 'one memcpy per pbuf touched');
  t.equal(s.rx.length, 1, 'the first pbuf is gone, the second is partly read');
  t.equal(s.rx[0]!.offset, 2);
  t.equal(s.rxBytes, 3);
  t.equal(pool.queued, 3);
  t.equal(pool.copyOut(s, buf, 64, false), 3, 'the rest, though more was asked');
  t.equal(rig.memory.readString(buf, 3), 'fgh');
  t.equal(s.rx.length, 0);
  t.equal(pool.queued, 0);
  t.equal(used(), before, 'every pbuf went back to the heap');
  t.equal(pool.copyOut(s, buf, 64, false), 0, 'nothing queued: 0, no memcpy');
  t.equal(log.calls.length, 3);
});

t.test('a peek copies from the first pbuf and consumes nothing', async (t) => {
  const { rig, pool, receive } = setup();
  const s = new Socket(false);
  receive(s, 'abc');
  receive(s, 'def');
  const buf = rig.appHeap.malloc(64);
  t.equal(pool.copyOut(s, buf, 6, true), 3, 'stops at the end of the first pbuf');
  t.equal(rig.memory.readString(buf, 3), 'abc');
  t.equal(s.rxBytes, 6);
  t.equal(pool.queued, 6);
  t.equal(pool.copyOut(s, buf, 6, false), 6, 'a read after the peek gets the same bytes');
  t.equal(rig.memory.readString(buf, 6), 'abcdef');
});

t.test('drain frees a closing socket’s pbufs and takes its bytes out of the windows', async (t) => {
  const { pool, used, receive } = setup();
  const s = new Socket(false);
  const other = new Socket(false);
  const before = used();
  receive(s, 'abc');
  receive(s, 'def');
  receive(other, 'xyz');
  pool.drain(s);
  t.equal(pool.queued, 3, "only the other socket's bytes remain");
  pool.drain(other);
  t.equal(used(), before, 'every pbuf freed');
});

t.test('take copies the app’s bytes into a pbuf with memcpy', async (t) => {
  const { rig, log, pool } = setup();
  const src = rig.appHeap.malloc(16);
  rig.memory.writeString(src, 'payload');
  const pbuf = pool.alloc(16);
  pool.take(pbuf, src, 7);
  t.equal(rig.memory.readString(pbuf, 7), 'payload');
  t.same(log.calls.map((c) => [c.fn, c.args]), [['memcpy', [pbuf, src, 7]]]);
});
