// lwip's socket table alone: fds numbered after stdio and reused lowest-first, EMFILE when full,
// connections found by id until forgotten, the one listener, ports in use only by listening
// sockets, and the EBADF / ENOTCONN check of the data calls.

import t from 'tap';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { SocketTable } from '../../../kernel/lwip/sockets.js';

t.test('fds start after stdin/stdout/stderr and the lowest free one is reused', async (t) => {
  const table = new SocketTable();
  t.same([table.open(false), table.open(true), table.open(false)], [3, 4, 5]);
  t.equal(table.get(4)?.nonblocking, true, 'open(true) makes a non-blocking socket');
  table.close(4);
  t.equal(table.get(4), undefined, 'a closed fd is gone');
  t.equal(table.open(false), 4, 'the freed fd is handed out again');
  t.equal(table.open(false), 6);
});

t.test('the table holds fds 3..1023, then open() and install() say it is full', async (t) => {
  const table = new SocketTable();
  let last = 0;
  for (let i = 3; i < 1024; i++) last = table.open(false)!;
  t.equal(last, 1023);
  t.equal(table.open(false), null, 'open: null (EMFILE)');
  t.equal(table.install(table.adopt(9)), null, 'install: null');
});

t.test('get() answers undefined for anything that is not an open fd', async (t) => {
  const table = new SocketTable();
  table.open(false);
  for (const fd of [-1, 0, 1, 2, 4, 1024, 3.5, Number.NaN, Number.POSITIVE_INFINITY]) t.equal(table.get(fd), undefined, `fd ${fd}`);
  t.ok(table.get(3), 'fd 3 is open');
});

t.test('an adopted connection is found by its id until it is forgotten or its fd closed', async (t) => {
  const table = new SocketTable();
  const s = table.adopt(42);
  t.equal(s.conn, 42);
  t.equal(s.fd, -1, 'not accepted yet: no fd');
  t.equal(table.byConn(42), s);
  table.forget(s);
  t.equal(table.byConn(42), undefined, 'forget drops the connection');

  const u = table.adopt(43);
  const fd = table.install(u)!;
  t.equal(u.fd, fd, 'install gives the socket its fd');
  t.equal(table.get(fd), u);
  table.close(fd);
  t.equal(table.byConn(43), undefined, 'close drops the connection too');
  t.doesNotThrow(() => table.close(fd), 'closing a closed fd does nothing');
});

t.test('listener() is the listening socket; portInUse() counts listening sockets other than the asker', async (t) => {
  const table = new SocketTable();
  const a = table.get(table.open(false)!)!;
  const b = table.get(table.open(false)!)!;
  t.equal(table.listener(), undefined, 'nobody listens yet');
  a.port = 80;
  t.notOk(table.portInUse(80, b), 'a bound socket that does not listen holds no port');
  a.listening = true;
  t.equal(table.listener(), a);
  t.ok(table.portInUse(80, b), 'port 80 is taken for b');
  t.notOk(table.portInUse(80, a), 'but not for a itself (rebinding)');
  t.notOk(table.portInUse(81, b), 'another port is free');
  a.port = 0;
  t.notOk(table.portInUse(0, b), 'port 0 (any) is never in use');
});

t.test('stream() is the connected socket, or EBADF / ENOTCONN', async (t) => {
  const table = new SocketTable();
  const unconnected = table.open(false)!;
  const connected = table.install(table.adopt(5))!;
  t.equal(table.stream(99), -ERRNO.EBADF);
  t.equal(table.stream(unconnected), -ERRNO.ENOTCONN);
  t.equal(table.stream(connected), table.get(connected));
});
