// lwip_select and lwip_poll alone, with a fake netif and clock: what makes a socket readable or
// writable, the sets and revents written back, EBADF / EINVAL / POLLNVAL, and waits that end when a
// socket becomes ready or the timeout passes (the clock read only while nothing is ready).

import t from 'tap';
import * as abi from '../../../kernel/lwip/abi.js';
import { readable, Select } from '../../../kernel/lwip/select.js';
import { Socket, SocketTable } from '../../../kernel/lwip/sockets.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { memoryRig } from './fakes.js';

const E = ERRNO;

function setup() {
  const rig = memoryRig();
  const table = new SocketTable();
  const room = new Map<number, number>();
  const calls: string[] = [];
  let us = 5_000_000;
  /** What happens while select/poll waits (ms asked): by default the time passes. */
  let onBlock = (ms: number): void => void (us += ms < 0 ? 1000 : ms * 1000);
  const netif = {
    input: () => (calls.push('input'), us),
    block: (ms = -1) => {
      calls.push(`block ${ms}`);
      if (calls.length > 100) throw new Error('waits forever');
      onBlock(ms);
    },
  };
  const now = (): number => (calls.push('now'), us);
  const netdevTxSpace = (conn: number): number => (calls.push('tx_space'), room.get(conn) ?? 0);
  /** vfscore_get_file, logged apart from the device calls; fds not in `unknown` are socket files. */
  const files: number[] = [];
  const unknown = new Set<number>();
  const fileGet = (fd: number): number => (files.push(fd), unknown.has(fd) ? -E.EBADF : fd);
  const select = new Select({ memory: rig.memory, table, netif, now, netdevTxSpace, fileGet });
  const connected = (conn: number): Socket => table.get(table.install(table.adopt(conn))!)!;
  const sets = rig.appHeap.malloc(3 * abi.FD_SET_BYTES);
  const [rd, wr, ex] = [sets, sets + abi.FD_SET_BYTES, sets + 2 * abi.FD_SET_BYTES];
  const timeval = rig.appHeap.malloc(abi.TIMEVAL_BYTES);
  const fds = rig.appHeap.malloc(16 * abi.POLLFD_BYTES);
  /** Sets fd's bit in the fd_set at `set`. */
  const setBit = (set: number, fd: number): void => rig.memory.write8(set + (fd >> 3), rig.memory.read8(set + (fd >> 3)) | (1 << (fd & 7)));
  /** The fds whose bit is set in the fd_set at `set`. */
  const bits = (set: number, nfds: number): number[] => [...Array(nfds).keys()].filter((fd) => (rig.memory.read8(set + (fd >> 3)) >> (fd & 7)) & 1);
  const timeout = (seconds: number, micros: number): number => {
    rig.memory.write64(timeval, seconds);
    rig.memory.write64(timeval + 8, micros);
    return timeval;
  };
  /** Writes pollfds [fd, events] at fds; returns a reader of their revents. */
  const pollfds = (entries: [number, number][]) => {
    entries.forEach(([fd, events], i) => {
      rig.memory.write32(fds + i * abi.POLLFD_BYTES, fd);
      rig.memory.write32(fds + i * abi.POLLFD_BYTES + 4, events);
    });
    return () => entries.map((_, i) => rig.memory.read32(fds + i * abi.POLLFD_BYTES + 4) >>> 16);
  };
  return { rig, table, room, calls, files, unknown, select, connected, rd, wr, ex, setBit, bits, timeout, fds, pollfds, whileBlocked: (f: (ms: number) => void) => (onBlock = f) };
}

t.test('readable: a pending connection, queued bytes, or a read that would not block', async (t) => {
  const s = new Socket(false);
  t.notOk(readable(s), 'a fresh socket');
  s.rx.push({ pbuf: 1, length: 1, offset: 0 });
  t.ok(readable(s), 'bytes queued');
  for (const flag of ['peerClosed', 'reset', 'shutRd'] as const) {
    const u = new Socket(false);
    u[flag] = true;
    t.ok(readable(u), flag);
  }
  const l = new Socket(false);
  l.listening = true;
  l.peerClosed = true;
  t.notOk(readable(l), 'a listener is readable only with a connection to accept');
  l.backlog.push(new Socket(false));
  t.ok(readable(l));
});

t.test('writable: a connection with room in its tx ring, or whose write would not block', async (t) => {
  const { select, room, connected, table } = setup();
  const s = connected(1);
  t.notOk(select.writable(s), 'a full ring');
  room.set(1, 10);
  t.ok(select.writable(s));
  const r = connected(2);
  r.reset = true;
  t.ok(select.writable(r), 'reset: a write fails at once');
  const w = connected(3);
  w.shutWr = true;
  t.ok(select.writable(w), 'shut: EPIPE at once');
  t.notOk(select.writable(table.get(table.open(false)!)!), 'an unconnected socket');
});

t.test('select reports the ready fds of each set, rewrites the sets, clears the except set', async (t) => {
  const { rig, select, room, calls, connected, rd, wr, ex, setBit, bits } = setup();
  const a = connected(1);
  const b = connected(2);
  a.rx.push({ pbuf: 1, length: 1, offset: 0 });
  room.set(2, 100);
  for (const fd of [a.fd, b.fd]) setBit(rd, fd), setBit(wr, fd), setBit(ex, fd);
  setBit(rd, 20);
  t.equal(select.select(16, rd, wr, ex, 0), 2, 'fd 20 lies past nfds: not looked at');
  t.same(bits(rd, 16), [a.fd], 'a is readable');
  t.same(bits(wr, 16), [b.fd], 'b is writable');
  t.same(bits(ex, 16), [], 'no exceptional conditions');
  t.same(calls, ['input', 'tx_space', 'tx_space'], 'one input pass; the clock not read with something to report');
  t.equal(rig.memory.read8(rd + 2), 1 << 4, 'bytes past nfds are left alone');
});

t.test('select refusals: nfds out of range, a bit for a closed fd, a bad timeval', async (t) => {
  const { select, rd, wr, setBit, timeout, calls, connected } = setup();
  for (const nfds of [-1, abi.FD_SETSIZE + 1, Number.NaN]) t.equal(select.select(nfds, 0, 0, 0, 0), -E.EINVAL, `nfds ${nfds}`);
  const s = connected(1);
  setBit(rd, s.fd);
  setBit(wr, 9);
  t.equal(select.select(16, rd, wr, 0, 0), -E.EBADF, 'fd 9 in the write set is not open');
  t.equal(select.select(16, rd, 0, 0, timeout(-1, 0)), -E.EINVAL, 'negative seconds');
  t.equal(select.select(16, rd, 0, 0, timeout(0, 1_000_000)), -E.EINVAL, 'a million microseconds');
  t.same(calls, [], 'every refusal before the device is polled');
});

t.test('select and poll turn every fd asked about into its socket through vfscore, on the way in and on the way out', async (t) => {
  const { select, room, connected, rd, wr, setBit, files, unknown, pollfds, fds } = setup();
  const a = connected(1);
  const b = connected(2);
  room.set(2, 1);
  setBit(rd, a.fd);
  setBit(rd, b.fd);
  setBit(wr, b.fd);
  t.equal(select.select(16, rd, wr, 0, 0), 1);
  t.same(files, [a.fd, b.fd, a.fd, b.fd], 'twice per fd, an fd in two sets once each way (sock_net_file_get, sockets.c:602-711)');
  files.length = 0;
  pollfds([[a.fd, abi.POLLIN], [-1, abi.POLLIN], [b.fd, abi.POLLOUT]]);
  t.equal(select.poll(fds, 3, 0), 1);
  t.same(files, [a.fd, b.fd, a.fd, b.fd], 'poll the same; a negative fd is not looked up');
  unknown.add(b.fd);
  t.equal(select.select(16, rd, wr, 0, 0), -E.EBADF, 'an fd vfscore does not know is EBADF for select');
  const revents = pollfds([[a.fd, abi.POLLIN], [b.fd, abi.POLLIN]]);
  select.poll(fds, 2, 0);
  t.same(revents(), [0, abi.POLLNVAL], 'and POLLNVAL for poll, even with lwip still holding the socket');
});

t.test('select copies the sets in before writing any back (the same set may be passed twice)', async (t) => {
  const { select, room, connected, rd, setBit, bits } = setup();
  const s = connected(1);
  room.set(1, 1);
  setBit(rd, s.fd);
  t.equal(select.select(8, rd, rd, 0, 0), 1, 'writable only');
  t.same(bits(rd, 8), [s.fd], 'the write answer, not clobbered by the read answer written first');
});

t.test('select with a timeout waits in slices until the deadline, then reports 0', async (t) => {
  const { select, calls, connected, rd, setBit, bits, timeout } = setup();
  const s = connected(1);
  setBit(rd, s.fd);
  t.equal(select.select(8, rd, 0, 0, timeout(0, 2500)), 0);
  t.same(bits(rd, 8), [], 'nothing ready');
  t.same(calls, ['input', 'now', 'block 3', 'now'], 'the deadline from the first pass, one wait of ceil(2.5) ms');
  t.equal(select.select(8, rd, 0, 0, timeout(0, 0)), 0, 'a zero timeout: a poll, no wait');
});

t.test('select without a timeout waits until a socket is ready', async (t) => {
  const { select, calls, connected, rd, setBit, bits, whileBlocked } = setup();
  const s = connected(1);
  setBit(rd, s.fd);
  let waits = 0;
  whileBlocked(() => {
    if (++waits === 2) s.peerClosed = true;
  });
  t.equal(select.select(8, rd, 0, 0, 0), 1);
  t.same(bits(rd, 8), [s.fd]);
  t.same(calls, ['input', 'block -1', 'block -1'], 'waits with no limit and never reads the clock');
});

t.test('poll reports revents per pollfd: IN, OUT, ERR, HUP, NVAL; a negative fd is skipped', async (t) => {
  const { rig, select, room, calls, connected, fds, pollfds } = setup();
  const a = connected(1);
  const b = connected(2);
  const c = connected(3);
  const d = connected(4);
  a.rx.push({ pbuf: 1, length: 1, offset: 0 });
  a.peerClosed = true;
  room.set(2, 1);
  c.reset = true;
  d.peerClosed = true;
  const revents = pollfds([
    [a.fd, abi.POLLIN | abi.POLLOUT],
    [b.fd, abi.POLLIN | abi.POLLOUT],
    [c.fd, 0],
    [d.fd, abi.POLLIN],
    [77, abi.POLLIN],
    [-1, abi.POLLIN],
  ]);
  t.equal(select.poll(fds, 6, 0), 5, 'every pollfd but the negative one');
  t.same(revents(), [abi.POLLIN, abi.POLLOUT, abi.POLLERR, abi.POLLIN | abi.POLLHUP, abi.POLLNVAL, 0]);
  t.equal(rig.memory.read32(fds + 4) & 0xffff, abi.POLLIN | abi.POLLOUT, 'events kept beside revents');
  t.same(calls.slice(0, 2), ['now', 'input'], 'the deadline from the clock before the input pass');
});

t.test('poll waits until the timeout, or without one until ready; refuses a bad nfds or pollfd array', async (t) => {
  const { rig, select, calls, connected, fds, pollfds, whileBlocked } = setup();
  const s = connected(1);
  const revents = pollfds([[s.fd, abi.POLLIN]]);
  t.equal(select.poll(fds, 1, 3), 0, 'nothing within 3 ms');
  t.same(calls, ['now', 'input', 'now', 'block 3', 'now']);
  calls.length = 0;
  t.equal(select.poll(fds, 1, 0), 0, 'timeout 0: no wait');
  t.notOk(calls.some((c) => c.startsWith('block')));
  calls.length = 0;
  whileBlocked(() => s.rx.push({ pbuf: 1, length: 1, offset: 0 }));
  t.equal(select.poll(fds, 1, -1), 1, 'no limit: until the bytes come');
  t.same(revents(), [abi.POLLIN]);
  t.same(calls.filter((c) => c.startsWith('block')), ['block -1']);
  for (const nfds of [-1, abi.FD_SETSIZE + 1]) t.equal(select.poll(fds, nfds, 0), -E.EINVAL, `nfds ${nfds}`);
  t.throws(() => select.poll(rig.forbidden, 1, 0), { code: 'FLEXOS_ERR_PROTECTION_FAULT' }, 'a pollfd array lwip may not write: EFAULT under the core lock');
});
