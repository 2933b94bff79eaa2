// lwip's control calls alone, with a fake netdev and netif: socket's domains and types, bind's
// sockaddr and port conflicts, listen taking the connections that came early, accept (blocking,
// EAGAIN, EMFILE, the peer's address), close and shutdown reaching the device, options and fcntl.

import t from 'tap';
import * as abi from '../../../kernel/lwip/abi.js';
import { PbufPool } from '../../../kernel/lwip/pbuf.js';
import { createSocketApi } from '../../../kernel/lwip/socket-api.js';
import { SocketTable } from '../../../kernel/lwip/sockets.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { CallLog, FakeNetdev, fakeMemcpy, memoryRig } from './fakes.js';

const E = ERRNO;

function setup() {
  const rig = memoryRig();
  const log = new CallLog();
  const netdev = new FakeNetdev(rig.memory);
  const imports = netdev.imports(log);
  const table = new SocketTable();
  const pbufs = new PbufPool({ heap: rig.sharedHeap, memcpy: fakeMemcpy(rig.memory) });
  /** Connections the next input pass brings to the listener (as netif.ts would). */
  let arriving: number[][] = [];
  const netif = {
    input: () => {
      log.calls.push({ library: 'lwip', fn: 'input', args: [], result: 0 });
      for (const conn of arriving.shift() ?? []) table.listener()!.backlog.push(table.adopt(conn));
      return 0;
    },
    block: () => {
      log.calls.push({ library: 'lwip', fn: 'block', args: [], result: 0 });
      if (log.calls.length > 100) throw new Error('accept waits forever');
      netif.input();
    },
  };
  const api = createSocketApi({ memory: rig.memory, table, pbufs, netif, netdevClose: imports.netdevClose, netdevShutdown: imports.netdevShutdown });
  const sa = rig.appHeap.malloc(abi.SOCKADDR_IN_BYTES);
  const len = rig.appHeap.malloc(8);
  const value = rig.appHeap.malloc(8);
  const sockaddr = (family: number, port: number): number => {
    rig.memory.writeBytes(sa, Uint8Array.of(family & 0xff, family >> 8, port >> 8, port & 0xff, 127, 0, 0, 1));
    return sa;
  };
  /** A socket listening on port 8080 with room for `backlog`. */
  const listening = (backlog = 4): number => {
    const fd = api.socket(abi.AF_INET, abi.SOCK_STREAM);
    api.bind(fd, sockaddr(abi.AF_INET, 8080), abi.SOCKADDR_IN_BYTES);
    api.listen(fd, backlog);
    return fd;
  };
  return { rig, log, netdev, table, pbufs, api, sa, len, value, sockaddr, listening, then: (...passes: number[][]) => (arriving = passes) };
}

t.test('socket: TCP over IPv4 or IPv6 only; SOCK_NONBLOCK makes it non-blocking', async (t) => {
  const { api, table } = setup();
  t.equal(api.socket(1, abi.SOCK_STREAM), -E.EAFNOSUPPORT, 'AF_UNIX');
  t.equal(api.socket(abi.AF_INET, 2), -E.EPROTONOSUPPORT, 'SOCK_DGRAM');
  const fd = api.socket(abi.AF_INET6, abi.SOCK_STREAM | abi.SOCK_NONBLOCK);
  t.equal(fd, 3);
  t.ok(table.get(fd)!.nonblocking);
  t.notOk(table.get(api.socket(abi.AF_INET, abi.SOCK_STREAM))!.nonblocking);
  for (let i = 5; i < 1024; i++) api.socket(abi.AF_INET, abi.SOCK_STREAM);
  t.equal(api.socket(abi.AF_INET, abi.SOCK_STREAM), -E.EMFILE, 'the table is full');
});

t.test('bind reads family and port (big-endian) and refuses a port another socket listens on', async (t) => {
  const { api, table, sockaddr, rig } = setup();
  const a = api.socket(abi.AF_INET, abi.SOCK_STREAM);
  t.equal(api.bind(a, sockaddr(abi.AF_INET, 0x1f90), abi.SOCKADDR_IN_BYTES), 0);
  t.equal(table.get(a)!.port, 8080);
  t.equal(api.bind(a, sockaddr(abi.AF_INET, 80), 8), 0, 'eight bytes are enough');
  t.equal(api.bind(a, sockaddr(abi.AF_INET, 80), 7), -E.EINVAL, 'a truncated sockaddr');
  t.equal(api.bind(a, sockaddr(1, 80), abi.SOCKADDR_IN_BYTES), -E.EAFNOSUPPORT);
  t.equal(api.listen(a, 1), 0);
  const b = api.socket(abi.AF_INET, abi.SOCK_STREAM);
  t.equal(api.bind(b, sockaddr(abi.AF_INET6, 80), abi.SOCKADDR_IN_BYTES), -E.EADDRINUSE);
  t.equal(api.bind(99, sockaddr(abi.AF_INET, 80), abi.SOCKADDR_IN_BYTES), -E.EBADF);
  t.throws(() => api.bind(b, rig.forbidden, abi.SOCKADDR_IN_BYTES), { code: 'FLEXOS_ERR_PROTECTION_FAULT' }, 'a sockaddr lwip may not read');
});

t.test('listen takes the connections that arrived before it; a connected socket cannot listen', async (t) => {
  const { api, table } = setup();
  table.unclaimed.push(table.adopt(1), table.adopt(2));
  const fd = api.socket(abi.AF_INET, abi.SOCK_STREAM);
  t.equal(api.listen(fd, 0), 0);
  const s = table.get(fd)!;
  t.equal(s.backlogLimit, 128, 'backlog 0 means the default');
  t.same(s.backlog.map((c) => c.conn), [1, 2]);
  t.equal(table.unclaimed.length, 0);
  t.equal(api.listen(table.install(table.adopt(3))!, 1), -E.EISCONN);
  t.equal(api.listen(99, 1), -E.EBADF);
});

t.test('accept hands out a waiting connection, or does one input pass, or blocks until one comes', async (t) => {
  const { api, log, table, listening, then } = setup();
  const l = listening();
  table.get(l)!.backlog.push(table.adopt(21));
  const first = api.accept(l, 0, 0);
  t.equal(table.get(first)!.conn, 21);
  t.same(log.names(), [], 'a waiting connection: no input pass');
  then([22]);
  t.equal(table.get(api.accept(l, 0, 0))!.conn, 22);
  t.same(log.names(), ['input']);
  then([], [], [23]);
  t.equal(table.get(api.accept(l, 0, 0))!.conn, 23);
  t.same(log.names(), ['input', 'input', 'block', 'input', 'block', 'input']);
});

t.test('accept: EAGAIN when non-blocking, EINVAL when not listening, EBADF', async (t) => {
  const { api, log, listening, table } = setup();
  const l = listening();
  api.fcntl(l, abi.F_SETFL, abi.O_NONBLOCK);
  t.equal(api.accept(l, 0, 0), -E.EAGAIN);
  t.notOk(log.names().includes('block'));
  t.equal(api.accept(table.open(false)!, 0, 0), -E.EINVAL);
  t.equal(api.accept(99, 0, 0), -E.EBADF);
});

t.test('accept writes the peer address; a bad one faults before a connection is taken', async (t) => {
  const { rig, api, table, sa, len, listening } = setup();
  const l = listening();
  table.get(l)!.backlog.push(table.adopt(0x1234));
  t.throws(() => api.accept(l, rig.forbidden, len), { code: 'FLEXOS_ERR_PROTECTION_FAULT' });
  t.equal(table.get(l)!.backlog.length, 1, 'the connection still waits');
  const fd = api.accept(l, sa, len);
  t.ok(fd > l);
  t.same([...rig.memory.readBytes(sa, abi.SOCKADDR_IN_BYTES)], [abi.AF_INET, 0, 0x12, 0x34, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], 'AF_INET, the conn id as port, 127.0.0.1');
  t.equal(rig.memory.read32(len), abi.SOCKADDR_IN_BYTES);
});

t.test('accept with the fd table full closes the connection: EMFILE', async (t) => {
  const { api, log, netdev, table, listening } = setup();
  const l = listening();
  netdev.open(31);
  table.get(l)!.backlog.push(table.adopt(31));
  while (table.open(false) !== null);
  t.equal(api.accept(l, 0, 0), -E.EMFILE);
  t.ok(netdev.closed(31), 'the device was told');
  t.equal(table.byConn(31), undefined, 'and the table forgot it');
  t.same(log.names(), ['netdev_close']);
});

t.test('close: the backlog refused, the pbufs freed, the connection closed, the fd free', async (t) => {
  const { rig, api, log, netdev, table, pbufs, listening } = setup();
  const l = listening();
  for (const conn of [41, 42]) netdev.open(conn), table.get(l)!.backlog.push(table.adopt(conn));
  const fd = api.accept(l, 0, 0);
  const s = table.get(fd)!;
  const before = rig.sharedHeap.stats().used;
  pbufs.enqueue(s, pbufs.alloc(100), 100);
  pbufs.enqueue(s, pbufs.alloc(100), 50);
  t.equal(api.close(fd), 0);
  t.equal(rig.sharedHeap.stats().used, before, 'its pbufs went back to the shared heap');
  t.equal(pbufs.queued, 0, 'and its bytes out of the windows');
  t.ok(netdev.closed(41));
  t.equal(table.get(fd), undefined);
  t.equal(api.close(fd), -E.EBADF, 'closing twice');
  t.equal(api.close(l), 0);
  t.ok(netdev.closed(42), "the listener's pending connection was refused");
  t.same(log.names(), ['netdev_close', 'netdev_close']);
  const unconnected = api.socket(abi.AF_INET, abi.SOCK_STREAM);
  t.equal(api.close(unconnected), 0);
  t.same(log.names(), ['netdev_close', 'netdev_close'], 'an unconnected socket has nothing to close on the device');
});

t.test('close after a reset still closes the device slot', async (t) => {
  const { api, netdev, table } = setup();
  netdev.open(5);
  const fd = table.install(table.adopt(5))!;
  table.get(fd)!.reset = true;
  t.equal(api.close(fd), 0);
  t.ok(netdev.closed(5));
});

t.test('shutdown: SHUT_RD stops reads, SHUT_WR sends the FIN once, not after a reset', async (t) => {
  const { api, log, netdev, table } = setup();
  netdev.open(5);
  const fd = table.install(table.adopt(5))!;
  const s = table.get(fd)!;
  t.equal(api.shutdown(fd, 7), -E.EINVAL);
  t.equal(api.shutdown(fd, abi.SHUT_RD), 0);
  t.ok(s.shutRd && !s.shutWr);
  t.notOk(netdev.shut(5));
  t.equal(api.shutdown(fd, abi.SHUT_RDWR), 0);
  t.ok(netdev.shut(5) && s.shutWr);
  t.equal(api.shutdown(fd, abi.SHUT_WR), 0);
  t.same(log.names(), ['netdev_shutdown'], 'the FIN went once');
  const r = table.install(table.adopt(6))!;
  table.get(r)!.reset = true;
  t.equal(api.shutdown(r, abi.SHUT_WR), 0);
  t.same(log.names(), ['netdev_shutdown'], 'nothing to send on a reset connection');
  t.equal(api.shutdown(table.open(false)!, abi.SHUT_RD), -E.ENOTCONN);
  t.equal(api.shutdown(99, abi.SHUT_RD), -E.EBADF);
});

t.test('options: known ones are stored and read back, SO_ERROR reports a reset, unknown ones refused', async (t) => {
  const { rig, api, table, value, len } = setup();
  const fd = api.socket(abi.AF_INET, abi.SOCK_STREAM);
  t.equal(api.getsockopt(fd, abi.SOL_SOCKET, abi.SO_SNDBUF, value, len), 0);
  t.equal(rig.memory.read32(value), 65536, 'the default');
  t.equal(rig.memory.read32(len), 4);
  rig.memory.write32(value, 1);
  t.equal(api.setsockopt(fd, abi.IPPROTO_TCP, abi.TCP_NODELAY, value, 4), 0);
  rig.memory.write32(value, 0);
  t.equal(api.getsockopt(fd, abi.IPPROTO_TCP, abi.TCP_NODELAY, value, len), 0);
  t.equal(rig.memory.read32(value), 1);
  t.equal(api.setsockopt(fd, abi.SOL_SOCKET, abi.SO_KEEPALIVE, value, 3), -E.EINVAL, 'optlen < 4');
  t.equal(api.setsockopt(fd, abi.SOL_SOCKET, 999, value, 4), -E.ENOPROTOOPT);
  t.equal(api.getsockopt(fd, 999, abi.SO_KEEPALIVE, value, len), -E.ENOPROTOOPT);
  api.getsockopt(fd, abi.SOL_SOCKET, abi.SO_ERROR, value, len);
  t.equal(rig.memory.read32(value), 0, 'SO_ERROR: 0');
  table.get(fd)!.reset = true;
  api.getsockopt(fd, abi.SOL_SOCKET, abi.SO_ERROR, value, len);
  t.equal(rig.memory.read32(value), E.ECONNRESET, 'SO_ERROR after a reset');
  t.equal(api.setsockopt(99, abi.SOL_SOCKET, abi.SO_KEEPALIVE, value, 4), -E.EBADF);
  t.equal(api.getsockopt(99, abi.SOL_SOCKET, abi.SO_KEEPALIVE, value, len), -E.EBADF);
  t.throws(() => api.setsockopt(fd, abi.SOL_SOCKET, abi.SO_KEEPALIVE, rig.forbidden, 4), { code: 'FLEXOS_ERR_PROTECTION_FAULT' });
});

t.test('getpeername writes the peer of a connected socket', async (t) => {
  const { rig, api, table, sa, len } = setup();
  const fd = table.install(table.adopt(0x0102))!;
  t.equal(api.getpeername(fd, sa, len), 0);
  t.same([...rig.memory.readBytes(sa, 8)], [abi.AF_INET, 0, 1, 2, 127, 0, 0, 1]);
  t.equal(api.getpeername(fd, sa, 0), 0, 'no length pointer: not written');
  t.equal(api.getpeername(table.open(false)!, sa, len), -E.ENOTCONN);
});

t.test('fcntl: F_GETFL reports O_RDWR and O_NONBLOCK, F_SETFL sets O_NONBLOCK, other commands EINVAL', async (t) => {
  const { api } = setup();
  const fd = api.socket(abi.AF_INET, abi.SOCK_STREAM);
  t.equal(api.fcntl(fd, abi.F_GETFL, 0), abi.O_RDWR);
  t.equal(api.fcntl(fd, abi.F_SETFL, abi.O_NONBLOCK), 0);
  t.equal(api.fcntl(fd, abi.F_GETFL, 0), abi.O_RDWR | abi.O_NONBLOCK);
  t.equal(api.fcntl(fd, abi.F_SETFL, 0), 0);
  t.equal(api.fcntl(fd, abi.F_GETFL, 0), abi.O_RDWR);
  t.equal(api.fcntl(fd, 1 /* F_GETFD */, 0), -E.EINVAL);
  t.equal(api.fcntl(99, abi.F_GETFL, 0), -E.EBADF);
});
