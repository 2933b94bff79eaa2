// lwip_recv alone, with a fake netif: queued bytes are read without touching the device, an empty
// socket gets one input pass and then (blocking) waits until bytes, end of stream or a reset; the
// errno of each refusal, EFAULT before anything is consumed, MSG_PEEK and MSG_DONTWAIT.

import t from 'tap';
import * as abi from '../../../kernel/lwip/abi.js';
import { PbufPool } from '../../../kernel/lwip/pbuf.js';
import { createRecv } from '../../../kernel/lwip/recv.js';
import { SocketTable, type Socket } from '../../../kernel/lwip/sockets.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { fakeMemcpy, memoryRig } from './fakes.js';

const E = ERRNO;

function setup() {
  const rig = memoryRig();
  const table = new SocketTable();
  const pbufs = new PbufPool({ heap: rig.sharedHeap, memcpy: fakeMemcpy(rig.memory) });
  const fd = table.install(table.adopt(9))!;
  const s = table.get(fd)!;
  const events: string[] = [];
  /** What each input pass brings to the socket, in order (bytes, or nothing). */
  let arriving: ((s: Socket) => void)[] = [];
  const netif = {
    input: () => {
      events.push('input');
      arriving.shift()?.(s);
      return 0;
    },
    block: () => {
      events.push('block');
      if (events.length > 50) throw new Error('recv waits forever');
      netif.input();
    },
  };
  let fetches = 0;
  const recv = createRecv({ memory: rig.memory, table, pbufs, netif, sys: { fetch: () => (fetches++, true) } });
  const buf = rig.appHeap.malloc(4096);
  const bytes = (text: string) => (s: Socket) => {
    const pbuf = pbufs.alloc(text.length);
    rig.memory.writeString(pbuf, text);
    pbufs.enqueue(s, pbuf, text.length);
  };
  const then = (...steps: ((s: Socket) => void)[]) => (arriving = steps);
  return { rig, table, pbufs, recv, fd, s, buf, events, bytes, then, fetches: () => fetches };
}

t.test('queued bytes are read with no input pass', async (t) => {
  const { rig, recv, fd, s, buf, events, bytes } = setup();
  bytes('hello')(s);
  t.equal(recv(fd, buf, 4096, 0), 5);
  t.equal(rig.memory.readString(buf, 5), 'hello');
  t.same(events, [], 'the device was not polled');
});

t.test('an empty socket gets one input pass, which may bring the bytes', async (t) => {
  const { rig, recv, fd, buf, events, bytes, then } = setup();
  then(bytes('late'));
  t.equal(recv(fd, buf, 4096, 0), 4);
  t.equal(rig.memory.readString(buf, 4), 'late');
  t.same(events, ['input']);
});

t.test('a blocking socket waits until bytes arrive', async (t) => {
  const { recv, fd, buf, events, bytes, then } = setup();
  then(
    () => {},
    () => {},
    bytes('at last'),
  );
  t.equal(recv(fd, buf, 4096, 0), 7);
  t.same(events, ['input', 'block', 'input', 'block', 'input']);
});

t.test('without bytes: EAGAIN when it may not block, 0 at end of stream, ECONNRESET after a reset', async (t) => {
  const { recv, table, fd, s, buf, events } = setup();
  t.equal(recv(fd, buf, 16, abi.MSG_DONTWAIT), -E.EAGAIN, 'MSG_DONTWAIT');
  s.nonblocking = true;
  t.equal(recv(fd, buf, 16, 0), -E.EAGAIN, 'O_NONBLOCK');
  t.notOk(events.includes('block'), 'neither blocked');
  s.shutRd = true;
  t.equal(recv(fd, buf, 16, 0), 0, 'after SHUT_RD: end of stream');
  s.shutRd = false;
  s.peerClosed = true;
  t.equal(recv(fd, buf, 16, 0), 0, 'the peer closed: end of stream');
  s.reset = true;
  t.equal(recv(fd, buf, 16, 0), -E.ECONNRESET, 'a reset wins over end of stream');
  s.reset = false;
  t.equal(recv(fd, buf, 0, 0), 0, 'a zero-length read at end of stream: 0');
  t.same(events, ['input', 'input', 'input', 'input', 'input', 'input'], 'one input pass per call, never a wait');
});

t.test('bytes queued before the peer closed or reset are still read first', async (t) => {
  const { recv, fd, s, buf, bytes } = setup();
  bytes('last words')(s);
  s.peerClosed = true;
  s.reset = true;
  t.equal(recv(fd, buf, 4096, 0), 10);
  t.equal(recv(fd, buf, 4096, 0), -E.ECONNRESET);
});

t.test('bad fds, unconnected sockets and bad lengths are refused before anything else', async (t) => {
  const { recv, table, buf, events } = setup();
  t.equal(recv(99, buf, 16, 0), -E.EBADF);
  t.equal(recv(table.open(false)!, buf, 16, 0), -E.ENOTCONN);
  const fd = table.install(table.adopt(11))!;
  for (const len of [-1, Number.NaN]) t.equal(recv(fd, buf, len, 0), -E.EINVAL, `len ${len}`);
  t.same(events, []);
});

t.test('a buffer lwip may not write faults before a byte is consumed', async (t) => {
  const { rig, recv, fd, s, buf, events, bytes } = setup();
  bytes('keep me')(s);
  t.throws(() => recv(fd, rig.forbidden, 16, 0), { code: 'FLEXOS_ERR_PROTECTION_FAULT' }, 'the core lock turns it into EFAULT');
  t.throws(() => recv(fd, buf + 4096 * 1024 * 4, 16, 0), { code: 'FLEXOS_ERR_PROTECTION_FAULT' }, 'past the end of the region');
  t.equal(s.rxBytes, 7, 'nothing consumed');
  t.same(events, []);
  t.equal(recv(fd, buf, 16, 0), 7);
});

t.test('MSG_PEEK leaves the bytes for the next read; short reads leave the rest', async (t) => {
  const { rig, pbufs, recv, fd, s, buf, bytes } = setup();
  bytes('abcdef')(s);
  t.equal(recv(fd, buf, 3, abi.MSG_PEEK), 3);
  t.equal(recv(fd, buf, 4, 0), 4);
  t.equal(rig.memory.readString(buf, 4), 'abcd');
  t.equal(pbufs.queued, 2);
  t.equal(recv(fd, buf, 100, 0), 2);
  t.equal(rig.memory.readString(buf, 2), 'ef');
});

t.test('recvmbox tryfetches: one per pbuf a read starts, one more that misses while the buffer has room', async (t) => {
  const { recv, fd, buf, s, bytes, fetches } = setup();
  bytes('hello')(s);
  bytes('world')(s);
  t.equal(recv(fd, buf, 3, 0), 3);
  t.equal(fetches(), 1, 'a read within the first pbuf: one fetch, no miss (the buffer is full)');
  t.equal(recv(fd, buf, 100, 0), 7);
  t.equal(fetches(), 3, 'the rest: the partly read pbuf is lastdata (no fetch), the second is one, then the miss');
  t.equal(recv(fd, buf, 100, abi.MSG_DONTWAIT), -E.EAGAIN);
  t.equal(fetches(), 4, 'an empty non-blocking read: the miss alone');
  bytes('peek')(s);
  t.equal(recv(fd, buf, 100, abi.MSG_PEEK), 4);
  t.equal(fetches(), 4, 'a peek fetches nothing');
});
