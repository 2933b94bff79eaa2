// lwip's netif input alone, over a fake netdev and the shared heap: connection events (accepted into
// the listener's backlog, held before anyone listens, refused past the backlog), peer close and
// reset, received bytes queued in MSS pbufs on their sockets, and where a pass stops pulling.

import t from 'tap';
import { Netif } from '../../../kernel/lwip/netif.js';
import { PbufPool, TCP_MSS } from '../../../kernel/lwip/pbuf.js';
import { SocketTable } from '../../../kernel/lwip/sockets.js';
import { CallLog, FakeClock, FakeNetdev, fakeMemcpy, memoryRig } from './fakes.js';

/** A device that never has anything, and a clock at 0. */
const NO_DEVICE = { netdevPoll: () => 0, netdevRx: () => 0, netdevClose: () => 0, now: () => 0 };

function setup(options: { limit?: number } = {}) {
  const rig = memoryRig();
  const log = new CallLog();
  const netdev = new FakeNetdev(rig.memory);
  const clock = new FakeClock();
  const table = new SocketTable();
  const pbufs = new PbufPool({ heap: rig.sharedHeap, memcpy: fakeMemcpy(rig.memory) }, options.limit);
  const idles: number[] = [];
  const core = { idle: (ms: number) => void idles.push(ms), between: (body: () => number) => void body() };
  const segments: number[] = [];
  const sys = { segment: (s: { conn: number }) => void segments.push(s.conn) };
  const imports = { ...netdev.imports(log), ...clock.imports(log) };
  const netif = new Netif({ memory: rig.memory, table, pbufs, core, sys, ...imports });
  if (!netif.init()) throw new RangeError('no scratch buffer');
  /** A listening socket with room for `backlog` connections. */
  const listen = (backlog: number) => {
    const s = table.get(table.open(false)!)!;
    s.listening = true;
    s.backlogLimit = backlog;
    return s;
  };
  /** The bytes queued on s, as text. */
  const queued = (s: { rx: { pbuf: number; length: number; offset: number }[] }): string =>
    s.rx.map((p) => rig.memory.readString(p.pbuf + p.offset, p.length - p.offset)).join('');
  return { rig, log, netdev, clock, table, pbufs, netif, idles, segments, listen, queued };
}

t.test('init takes 16 bytes of the shared heap for the driver; false when the heap is full', async (t) => {
  const rig = memoryRig();
  const before = rig.sharedHeap.stats().used;
  const pbufs = new PbufPool({ heap: rig.sharedHeap, memcpy: fakeMemcpy(rig.memory) });
  const netif = new Netif({ memory: rig.memory, table: new SocketTable(), pbufs, core: { idle: () => {}, between: () => {} }, sys: { segment: () => {} }, ...NO_DEVICE });
  t.ok(netif.init());
  t.ok(rig.sharedHeap.stats().used > before, 'allocated from the shared heap, where netdev can write');
  const full = new Netif({ memory: rig.memory, table: new SocketTable(), pbufs: new PbufPool({ heap: { malloc: () => 0, free: () => {} }, memcpy: () => 0 }), core: { idle: () => {}, between: () => {} }, sys: { segment: () => {} }, ...NO_DEVICE });
  t.notOk(full.init());
});

t.test('an idle pass: the clock once, one poll, one rx burst, in that order', async (t) => {
  const { log, netif, clock } = setup();
  t.equal(netif.input(), clock.us, 'returns sys_now() as the pass began');
  t.same(log.names(), ['ukplat_monotonic_us', 'netdev_poll', 'netdev_rx_burst']);
  t.equal(log.calls[2]!.args[1], TCP_MSS, 'one MSS asked of the device');
});

t.test('connections go to the listener’s backlog; past its limit the device closes them', async (t) => {
  const { log, netdev, table, netif, listen } = setup();
  const l = listen(2);
  for (const conn of [11, 12, 13]) netdev.open(conn);
  netif.input();
  t.same(l.backlog.map((s) => s.conn), [11, 12]);
  t.equal(table.byConn(12), l.backlog[1], 'a backlog connection is known by its id');
  t.ok(netdev.closed(13), 'the third was refused');
  t.equal(table.byConn(13), undefined);
  t.same(log.names().filter((n) => n === 'netdev_close'), ['netdev_close']);
});

t.test('a listener with backlog 0 still takes one connection', async (t) => {
  const { netdev, netif, listen } = setup();
  const l = listen(0);
  netdev.open(1);
  netdev.open(2);
  netif.input();
  t.same(l.backlog.map((s) => s.conn), [1]);
  t.ok(netdev.closed(2));
});

t.test('before anyone listens, connections wait unclaimed, at most 128', async (t) => {
  const { netdev, table, netif } = setup();
  for (let conn = 1; conn <= 130; conn++) netdev.open(conn);
  netif.input();
  t.equal(table.unclaimed.length, 128);
  t.notOk(netdev.closed(128));
  t.ok(netdev.closed(129) && netdev.closed(130), 'the rest are refused');
});

t.test('peer close and reset mark their socket; events of unknown connections are dropped', async (t) => {
  const { netdev, netif, listen } = setup();
  const l = listen(4);
  netdev.open(1);
  netdev.open(2);
  netif.input();
  netdev.peerClose(1);
  netdev.reset(2);
  netdev.open(3);
  netdev.peerClose(3);
  netif.input();
  const [a, b, c] = l.backlog;
  t.ok(a!.peerClosed && !a!.reset, 'peer closed');
  t.ok(b!.reset && !b!.peerClosed, 'reset');
  t.ok(c!.peerClosed, 'an event right after its open');
});

t.test('received bytes are queued on their socket, one pbuf per MSS or less', async (t) => {
  const { netdev, pbufs, netif, listen, queued } = setup();
  const l = listen(4);
  netdev.open(1);
  netdev.open(2);
  netif.input();
  const [a, b] = l.backlog;
  const long = 'x'.repeat(TCP_MSS) + 'tail';
  netdev.deliver(1, long);
  netdev.deliver(2, 'hello');
  netif.input();
  t.same(a!.rx.map((p) => p.length), [TCP_MSS, 4], 'a full pbuf, then the rest');
  t.equal(queued(a!), long);
  t.equal(queued(b!), 'hello');
  t.equal(pbufs.queued, long.length + 5, 'the windows count both sockets');
});

t.test('bytes of a connection without a socket are dropped and their pbuf freed', async (t) => {
  const { rig, netdev, table, netif, listen } = setup();
  const l = listen(4);
  netdev.open(1);
  netdev.open(2);
  netif.input();
  table.forget(l.backlog[1]!); // its socket is gone, the device still delivers
  netdev.deliver(2, 'lost');
  netdev.deliver(1, 'kept');
  const before = rig.sharedHeap.stats();
  netif.input();
  t.same(l.backlog[0]!.rx.map((p) => p.length), [4], "the other connection's bytes still arrive");
  const after = rig.sharedHeap.stats();
  t.equal(after.allocations - after.frees - (before.allocations - before.frees), 1, 'only the kept pbuf stays allocated');
});

t.test('a pass stops pulling once the windows are full', async (t) => {
  const { log, netdev, netif, listen } = setup({ limit: 2 * TCP_MSS });
  const l = listen(1);
  netdev.open(1);
  netif.input();
  netdev.deliver(1, 'y'.repeat(5 * TCP_MSS));
  const mark = log.mark;
  netif.input();
  t.equal(l.backlog[0]!.rxBytes, 2 * TCP_MSS, 'two MSS queued, the rest left in the device');
  t.equal(log.names(mark).filter((n) => n === 'netdev_rx_burst').length, 2, 'no burst asked past the limit');
  const again = log.mark;
  netif.input();
  t.same(log.names(again), ['ukplat_monotonic_us', 'netdev_poll'], 'with the windows full, not one burst');
});

t.test('a pass stops pulling when the shared heap has no pbuf left', async (t) => {
  const { rig, log, netdev, netif, listen } = setup();
  const l = listen(1);
  netdev.open(1);
  netif.input();
  netdev.deliver(1, 'z'.repeat(10));
  const hog: number[] = [];
  for (let p = rig.sharedHeap.malloc(TCP_MSS); p !== 0; p = rig.sharedHeap.malloc(TCP_MSS)) hog.push(p);
  const mark = log.mark;
  netif.input();
  t.same(log.names(mark), ['ukplat_monotonic_us', 'netdev_poll'], 'no pbuf, no burst');
  t.equal(l.backlog[0]!.rxBytes, 0);
  for (const p of hog) rig.sharedHeap.free(p);
  netif.input();
  t.equal(l.backlog[0]!.rxBytes, 10, 'pulled once the heap has room');
});

t.test('block() idles with the lock dropped, then runs an input pass', async (t) => {
  const { log, netdev, netif, idles, listen } = setup();
  const l = listen(1);
  netdev.open(1);
  const mark = log.mark;
  netif.block();
  netif.block(30);
  t.same(idles, [-1, 30], 'no limit by default, then 30 ms');
  t.equal(l.backlog.length, 1, 'the pass after the wait took the connection');
  t.equal(log.names(mark).filter((n) => n === 'ukplat_monotonic_us').length, 2, 'one pass per block');
});

t.test('each segment queued on a socket makes its mailbox posts and fetch once; one for nobody makes none', async (t) => {
  const { netdev, table, netif, segments, listen } = setup();
  listen(8);
  netdev.open(9);
  netdev.open(10);
  netif.input();
  netdev.deliver(9, 'x'.repeat(TCP_MSS + 1));
  netdev.deliver(10, 'y');
  netif.input();
  t.same(segments.sort(), [10, 9, 9].sort(), 'two segments for conn 9 (an MSS and 1 byte), one for conn 10');
  t.ok(table.byConn(9), 'conn 9 has its socket');
});
