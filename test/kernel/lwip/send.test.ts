// lwip_send and lwip_sendmsg alone, over a fake netdev and the shared heap: bytes leave one MSS
// pbuf at a time (memcpy, netdev_tx, free), a full tx ring blocks or returns short, a dead
// connection is ECONNRESET, no pbuf is ENOMEM, and sendmsg walks its iovecs.

import t from 'tap';
import * as abi from '../../../kernel/lwip/abi.js';
import { PbufPool, TCP_MSS } from '../../../kernel/lwip/pbuf.js';
import { createSend } from '../../../kernel/lwip/send.js';
import { SocketTable } from '../../../kernel/lwip/sockets.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { CallLog, FakeNetdev, fakeMemcpy, memoryRig } from './fakes.js';

const E = ERRNO;
const CONN = 9;

function setup(room = Number.POSITIVE_INFINITY) {
  const rig = memoryRig();
  const log = new CallLog();
  const netdev = new FakeNetdev(rig.memory);
  netdev.open(CONN, room);
  const table = new SocketTable();
  const memcpy = log.wrap('newlib', 'memcpy', fakeMemcpy(rig.memory));
  const pbufs = new PbufPool({ heap: rig.sharedHeap, memcpy });
  let blocks = 0;
  /** What happens while a send waits for room (the client reads). */
  let onBlock = (): void => {};
  const netif = {
    block: () => {
      log.calls.push({ library: 'lwip', fn: 'block', args: [], result: 0 });
      if (++blocks > 50) throw new Error('send waits forever');
      onBlock();
    },
  };
  const { send, sendmsg } = createSend({ memory: rig.memory, table, pbufs, netif, netdevTx: netdev.imports(log).netdevTx });
  const fd = table.install(table.adopt(CONN))!;
  const s = table.get(fd)!;
  const buf = rig.appHeap.malloc(64 * 1024);
  /** `n` bytes of a pattern at buf, as text. */
  const fill = (n: number): string => {
    const text = Array.from({ length: n }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    rig.memory.writeString(buf, text);
    return text;
  };
  return { rig, log, netdev, table, pbufs, send, sendmsg, fd, s, buf, fill, whileBlocked: (f: () => void) => (onBlock = f) };
}

t.test('bytes go out one MSS at a time: memcpy into a pbuf, netdev_tx, pbuf freed', async (t) => {
  const { rig, log, netdev, send, fd, buf, fill } = setup();
  const text = fill(2 * TCP_MSS + 100);
  const before = rig.sharedHeap.stats();
  t.equal(send(fd, buf, 0, 0), 0, 'zero bytes: 0');
  t.same(log.names(), [], 'and no call at all');
  t.equal(send(fd, buf, text.length, 0), text.length);
  t.equal(netdev.sent(CONN), text);
  t.same(log.names(), ['memcpy', 'netdev_tx', 'memcpy', 'netdev_tx', 'memcpy', 'netdev_tx']);
  t.same(log.calls.filter((c) => c.fn === 'netdev_tx').map((c) => c.args[2]), [TCP_MSS, TCP_MSS, 100], 'chunks of one MSS, then the rest');
  const after = rig.sharedHeap.stats();
  t.equal(after.allocations - before.allocations, 3);
  t.equal(after.frees - before.frees, 3, 'every pbuf freed right after netdev_tx');
});

t.test('a full tx ring: a blocking send waits for room and sends everything', async (t) => {
  const { log, netdev, send, fd, buf, fill, whileBlocked } = setup(1000);
  const text = fill(3000);
  whileBlocked(() => netdev.setRoom(CONN, 1000));
  t.equal(send(fd, buf, text.length, 0), 3000);
  t.equal(netdev.sent(CONN), text, 'in order, nothing lost or repeated');
  // 1460 asked, 1000 taken; 1460 asked, 1000 taken; the last 1000 fit.
  t.same(log.names(), ['memcpy', 'netdev_tx', 'block', 'memcpy', 'netdev_tx', 'block', 'memcpy', 'netdev_tx']);
});

t.test('a full tx ring: a non-blocking send returns what it sent, EAGAIN if nothing', async (t) => {
  const { log, netdev, s, send, fd, buf, fill } = setup(1000);
  fill(3000);
  t.equal(send(fd, buf, 3000, abi.MSG_DONTWAIT), 1000, 'MSG_DONTWAIT: short');
  t.equal(send(fd, buf, 3000, abi.MSG_DONTWAIT), -E.EAGAIN, 'the ring is full: EAGAIN');
  s.nonblocking = true;
  netdev.setRoom(CONN, 10);
  t.equal(send(fd, buf, 3000, 0), 10, 'O_NONBLOCK: short');
  t.notOk(log.names().includes('block'), 'never blocked');
});

t.test('a connection gone under a send is ECONNRESET, or what was sent before', async (t) => {
  const { netdev, s, send, fd, buf, fill, whileBlocked } = setup(1000);
  fill(3000);
  whileBlocked(() => netdev.reset(CONN));
  t.equal(send(fd, buf, 3000, 0), 1000, 'a reset while blocked: the bytes sent before it');
  t.ok(s.reset);
  t.equal(send(fd, buf, 10, 0), -E.ECONNRESET, 'then ECONNRESET');

  const second = setup();
  second.fill(10);
  second.netdev.reset(CONN);
  t.equal(second.send(second.fd, second.buf, 10, 0), -E.ECONNRESET, 'netdev_tx < 0: ECONNRESET');
  t.ok(second.s.reset, 'the socket is marked reset');
});

t.test('no pbuf in the shared heap: ENOMEM, or what was sent before', async (t) => {
  const { rig, send, fd, buf, fill } = setup();
  fill(10);
  const hog: number[] = [];
  for (let p = rig.sharedHeap.malloc(TCP_MSS); p !== 0; p = rig.sharedHeap.malloc(TCP_MSS)) hog.push(p);
  for (let p = rig.sharedHeap.malloc(16); p !== 0; p = rig.sharedHeap.malloc(16)) hog.push(p);
  t.equal(send(fd, buf, 10, 0), -E.ENOMEM);
  rig.sharedHeap.free(hog.pop()!);
  rig.sharedHeap.free(hog.pop()!);
  t.equal(send(fd, buf, 10, 0), 10, 'sends again once a pbuf fits');
});

t.test('refusals: EBADF, ENOTCONN, ECONNRESET, EPIPE after SHUT_WR, EINVAL, a faulting buffer', async (t) => {
  const { rig, log, table, s, send, fd, buf } = setup();
  t.equal(send(99, buf, 1, 0), -E.EBADF);
  t.equal(send(table.open(false)!, buf, 1, 0), -E.ENOTCONN);
  for (const len of [-1, Number.NaN]) t.equal(send(fd, buf, len, 0), -E.EINVAL, `len ${len}`);
  t.throws(() => send(fd, rig.forbidden, 16, 0), { code: 'FLEXOS_ERR_PROTECTION_FAULT' }, 'a buffer lwip may not read faults before anything is sent');
  s.shutWr = true;
  t.equal(send(fd, buf, 1, 0), -E.EPIPE);
  s.reset = true;
  t.equal(send(fd, buf, 1, 0), -E.ECONNRESET, 'a reset wins over EPIPE');
  t.same(log.names(), [], 'no refusal reached the device');
});

t.test('sendmsg sends its iovecs in order and stops at the first short one', async (t) => {
  const { rig, netdev, sendmsg, table, fd, buf, fill } = setup();
  const text = fill(300);
  const msg = rig.appHeap.malloc(abi.MSGHDR_BYTES);
  const iov = rig.appHeap.malloc(3 * abi.IOVEC_BYTES);
  const iovecs = (parts: [number, number][]): void => {
    parts.forEach(([offset, len], i) => {
      rig.memory.write64(iov + i * abi.IOVEC_BYTES, buf + offset);
      rig.memory.write64(iov + i * abi.IOVEC_BYTES + 8, len);
    });
    rig.memory.write64(msg + 16, iov);
    rig.memory.write64(msg + 24, parts.length);
  };
  iovecs([
    [200, 100],
    [0, 0],
    [0, 200],
  ]);
  t.equal(sendmsg(fd, msg, 0), 300);
  t.equal(netdev.sent(CONN), text.slice(200) + text.slice(0, 200), 'iovec order, an empty one skipped');

  netdev.setRoom(CONN, 150);
  iovecs([
    [0, 100],
    [100, 100],
    [200, 100],
  ]);
  t.equal(sendmsg(fd, msg, abi.MSG_DONTWAIT), 150, 'the second iovec went out short: stop there');
  t.equal(sendmsg(fd, msg, abi.MSG_DONTWAIT), -E.EAGAIN, 'nothing sent: the first error');
  iovecs([]);
  t.equal(sendmsg(fd, msg, 0), 0, 'no iovec: 0');
  t.equal(sendmsg(99, msg, 0), -E.EBADF);
  const unconnected = table.open(false)!;
  t.equal(sendmsg(unconnected, msg, 0), 0, 'an unconnected socket with no iovec: 0 (only the fd is checked up front)');
  iovecs([[0, 10]]);
  t.equal(sendmsg(unconnected, msg, 0), -E.ENOTCONN, 'with one: ENOTCONN from the first send');
});
