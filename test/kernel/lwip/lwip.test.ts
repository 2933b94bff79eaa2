// lwip's socket API as an app sees it, through echoapp in a booted image: every bad input returns
// the errno a POSIX user expects (bad fds, addresses lwip may not touch, lengths past a region,
// sockets in the wrong state, unknown options, out-of-range nfds), on a connected socket as well
// as after the peer closed or reset it; and none of it takes the image down.

import t from 'tap';
import fc from 'fast-check';
import * as abi from '../../../kernel/lwip/abi.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { makeAddress } from '../../../shm/address.js';
import { bootEcho, closed, connect, receive, type EchoImage, type Layout, type Sharing } from '../../fixtures/echoapp/harness.js';
import type net from 'node:net';

const E = ERRNO;
/** A region id no image has: every address in it is unmapped everywhere. */
const UNMAPPED = makeAddress(999, 64);

const LAYOUTS: readonly (readonly [Layout, Sharing])[] = [
  ['none', 'shared'],
  ['mpk2', 'dss'],
  ['ept2', 'heap'],
];

/** A sockaddr_in for 127.0.0.1:port at `address`. */
function sockaddr(img: EchoImage, address: number, port: number): void {
  img.host.write(address, new Uint8Array([abi.AF_INET, 0, (port >> 8) & 0xff, port & 0xff, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]));
}

/** Accepts one connection from a real client on the listening fd. */
async function acceptOne(img: EchoImage, listener: number): Promise<{ fd: number; client: net.Socket }> {
  const accepting = img.call('lwip', 'accept', listener, 0, 0);
  const client = await connect(img.port);
  const fd = await accepting;
  if (fd < 0) throw new Error(`accept failed: ${fd}`);
  return { fd, client };
}

/** The call's result, or 'still waiting' when it has not settled after `ms` (a hang shows as a failure, not a timeout). */
function settlesWithin(call: Promise<number>, ms: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`still waiting after ${ms} ms`), ms)));
  return Promise.race([call, late]).finally(() => clearTimeout(timer));
}

/** Polls one fd until one of `events` (or an error/hangup) is reported; returns revents. */
async function pollUntil(img: EchoImage, fds: number, fd: number, events: number): Promise<number> {
  img.host.write32(fds, fd);
  img.host.write32(fds + 4, events);
  const n = await img.call('lwip', 'poll', fds, 1, 5000);
  if (n !== 1) throw new Error(`poll returned ${n}`);
  return img.host.read32(fds + 4) >>> 16;
}

for (const [layout, sharing] of LAYOUTS) {
  const isolated = layout !== 'none';
  t.test(`lwip errno on ${layout} (${sharing} stacks)`, async (t) => {
    const img = await bootEcho(t, layout, sharing);
    const { call } = img;
    const shared = await img.alloc('shared', 4096);
    const priv = await img.alloc('private', 4096);
    const sharedEnd = img.host.base('shared-heap') + img.host.size('shared-heap');
    // lwip's own private heap: the app has no business naming it, but can.
    const lwipHeap = img.host.base(isolated ? 'heap.comp2' : 'heap.comp1') + 1024 * 1024;
    const sa = shared;
    const fds = shared + 64;
    const value = shared + 128;
    const len = shared + 136;
    const buf = shared + 1024;
    sockaddr(img, sa, img.port);

    const listener = await call('lwip', 'socket', abi.AF_INET, abi.SOCK_STREAM, 0);
    t.ok(listener >= 3, `socket() returns an fd past stdio (${listener})`);
    t.equal(await call('lwip', 'bind', listener, sa, abi.SOCKADDR_IN_BYTES), 0, 'bind');
    t.equal(await call('lwip', 'listen', listener, 16), 0, 'listen');
    const open = new Set([listener]);

    await t.test('socket() refuses what lwip does not do', async (t) => {
      t.equal(await call('lwip', 'socket', 1 /* AF_UNIX */, abi.SOCK_STREAM, 0), -E.EAFNOSUPPORT, 'AF_UNIX: EAFNOSUPPORT');
      t.equal(await call('lwip', 'socket', abi.AF_INET, 2 /* SOCK_DGRAM */, 0), -E.EPROTONOSUPPORT, 'SOCK_DGRAM: EPROTONOSUPPORT');
    });

    await t.test('a bad fd is EBADF for every call that takes one', async (t) => {
      const calls: readonly [string, (fd: number) => Promise<number>][] = [
        ['bind', (fd) => call('lwip', 'bind', fd, sa, abi.SOCKADDR_IN_BYTES)],
        ['listen', (fd) => call('lwip', 'listen', fd, 1)],
        ['accept', (fd) => call('lwip', 'accept', fd, 0, 0)],
        ['recv', (fd) => call('lwip', 'recv', fd, buf, 16, 0)],
        ['read', (fd) => call('lwip', 'read', fd, buf, 16)],
        ['send', (fd) => call('lwip', 'send', fd, buf, 16, 0)],
        ['write', (fd) => call('lwip', 'write', fd, buf, 16)],
        ['close', (fd) => call('lwip', 'close', fd)],
        ['shutdown', (fd) => call('lwip', 'shutdown', fd, abi.SHUT_RDWR)],
        ['setsockopt', (fd) => call('lwip', 'setsockopt', fd, abi.SOL_SOCKET, abi.SO_REUSEADDR, value, 4)],
        ['getsockopt', (fd) => call('lwip', 'getsockopt', fd, abi.SOL_SOCKET, abi.SO_REUSEADDR, value, len)],
        ['getpeername', (fd) => call('lwip', 'getpeername', fd, sa, len)],
        ['fcntl', (fd) => call('lwip', 'fcntl', fd, abi.F_GETFL, 0)],
      ];
      // vmept gates carry integers only (a C int cannot be 3.5): non-integers are tried on the other mechanisms.
      const integers = [-1, 0, 1, 2, 1023, 1024, 2 ** 31, -(2 ** 31)];
      const named = layout === 'ept2' ? integers : [...integers, 3.5, Number.NaN, Number.POSITIVE_INFINITY];
      for (const [name, f] of calls) {
        const got = await Promise.all(named.map((fd) => f(fd)));
        t.same(got, named.map(() => -E.EBADF), `${name}: stdio, negative, huge and non-integer fds`);
      }
      // Any other number that is not an open socket.
      const notOpen = (layout === 'ept2' ? fc.integer() : fc.oneof(fc.integer(), fc.double())).filter((fd) => !open.has(fd));
      await fc.assert(
        fc.asyncProperty(notOpen, fc.integer({ min: 0, max: calls.length - 1 }), async (fd, which) => (await calls[which]![1](fd)) === -E.EBADF),
        { numRuns: 40 },
      );
      t.pass('40 random non-open fds on random calls: EBADF');
      // sendmsg: a msghdr with one iovec over a good buffer, on a bad fd.
      const msg = shared + 256;
      const iov = shared + 512;
      img.host.write64(iov, buf);
      img.host.write64(iov + 8, 16);
      img.host.write64(msg + 16, iov);
      img.host.write64(msg + 24, 1);
      t.equal(await call('lwip', 'sendmsg', 999, msg, 0), -E.EBADF, 'sendmsg with one iovec');
      img.host.write64(msg + 24, 0);
      t.equal(await call('lwip', 'sendmsg', 999, msg, 0), -E.EBADF, 'sendmsg with no iovec');
      t.equal(await call('lwip', 'sendmsg', listener, UNMAPPED, 0), -E.EFAULT, 'sendmsg with an unmapped msghdr: EFAULT');
    });

    await t.test('sockets in the wrong state', async (t) => {
      const s = await call('lwip', 'socket', abi.AF_INET, abi.SOCK_STREAM, 0);
      t.equal(await call('lwip', 'accept', s, 0, 0), -E.EINVAL, 'accept on a socket that does not listen: EINVAL');
      t.equal(await call('lwip', 'recv', s, buf, 16, 0), -E.ENOTCONN, 'recv on an unconnected socket: ENOTCONN');
      t.equal(await call('lwip', 'send', s, buf, 16, 0), -E.ENOTCONN, 'send on an unconnected socket: ENOTCONN');
      t.equal(await call('lwip', 'getpeername', s, sa, len), -E.ENOTCONN, 'getpeername: ENOTCONN');
      t.equal(await call('lwip', 'shutdown', s, abi.SHUT_RDWR), -E.ENOTCONN, 'shutdown: ENOTCONN');
      t.equal(await call('lwip', 'bind', s, sa, abi.SOCKADDR_IN_BYTES), -E.EADDRINUSE, 'bind to the port another socket listens on: EADDRINUSE');
      t.equal(await call('lwip', 'close', s), 0, 'close');
      t.equal(await call('lwip', 'close', s), -E.EBADF, 'close twice: EBADF');
      t.equal(await call('lwip', 'bind', listener, sa, 4), -E.EINVAL, 'bind with a truncated sockaddr: EINVAL');
    });

    await t.test('socket options', async (t) => {
      img.host.write32(value, 1);
      t.equal(await call('lwip', 'setsockopt', listener, abi.SOL_SOCKET, 999, value, 4), -E.ENOPROTOOPT, 'unknown SOL_SOCKET option: ENOPROTOOPT');
      t.equal(await call('lwip', 'setsockopt', listener, 999, abi.SO_REUSEADDR, value, 4), -E.ENOPROTOOPT, 'unknown level: ENOPROTOOPT');
      t.equal(await call('lwip', 'getsockopt', listener, abi.IPPROTO_TCP, 999, value, len), -E.ENOPROTOOPT, 'getsockopt of an unknown option: ENOPROTOOPT');
      t.equal(await call('lwip', 'setsockopt', listener, abi.SOL_SOCKET, abi.SO_KEEPALIVE, value, 2), -E.EINVAL, 'optlen too short: EINVAL');
      t.equal(await call('lwip', 'setsockopt', listener, abi.SOL_SOCKET, abi.SO_KEEPALIVE, UNMAPPED, 4), -E.EFAULT, 'optval unmapped: EFAULT');
      t.equal(await call('lwip', 'getsockopt', listener, abi.SOL_SOCKET, abi.SO_KEEPALIVE, UNMAPPED, len), -E.EFAULT, 'getsockopt into unmapped memory: EFAULT');
      t.equal(await call('lwip', 'setsockopt', listener, abi.IPPROTO_TCP, abi.TCP_NODELAY, value, 4), 0, 'TCP_NODELAY = 1');
      img.host.write32(value, -7);
      t.equal(await call('lwip', 'getsockopt', listener, abi.IPPROTO_TCP, abi.TCP_NODELAY, value, len), 0, 'getsockopt');
      t.equal(img.host.read32(value), 1, 'reads back the value set');
      t.equal(img.host.read32(len), 4, 'optlen is 4');
      t.equal(await call('lwip', 'fcntl', listener, 999, 0), -E.EINVAL, 'fcntl with an unknown command: EINVAL');
      t.equal((await call('lwip', 'fcntl', listener, abi.F_GETFL, 0)) & abi.O_NONBLOCK, 0, 'F_GETFL: blocking by default');
    });

    await t.test('select and poll', async (t) => {
      const sets = shared + 2048;
      const tv = shared + 2048 + 3 * abi.FD_SET_BYTES;
      img.host.bytes(sets, 3 * abi.FD_SET_BYTES).fill(0);
      img.host.write64(tv, 0);
      img.host.write64(tv + 8, 0);
      t.equal(await call('lwip', 'select', -1, sets, 0, 0, tv), -E.EINVAL, 'nfds < 0: EINVAL');
      t.equal(await call('lwip', 'select', abi.FD_SETSIZE + 1, sets, 0, 0, tv), -E.EINVAL, 'nfds > FD_SETSIZE: EINVAL');
      t.equal(await call('lwip', 'select', abi.FD_SETSIZE, sets, sets + abi.FD_SET_BYTES, sets + 2 * abi.FD_SET_BYTES, tv), 0, 'nfds = FD_SETSIZE with empty sets and a zero timeout: 0');
      img.host.bytes(sets, 1)[0] = 1 << 5; // fd 5: never opened
      t.equal(await call('lwip', 'select', 6, sets, 0, 0, tv), -E.EBADF, 'a set naming a closed fd: EBADF');
      t.equal(await call('lwip', 'select', 6, UNMAPPED, 0, 0, tv), -E.EFAULT, 'readfds unmapped: EFAULT');
      img.host.bytes(sets, 1)[0] = 0;
      t.equal(await call('lwip', 'select', 6, sets, 0, 0, UNMAPPED), -E.EFAULT, 'timeout unmapped: EFAULT');
      img.host.write64(tv, -1);
      t.equal(await settlesWithin(call('lwip', 'select', 0, 0, 0, 0, tv), 2000), -E.EINVAL, 'a negative timeout: EINVAL (not an endless wait)');
      img.host.write64(tv, 0);
      img.host.write64(tv + 8, -5);
      t.equal(await settlesWithin(call('lwip', 'select', 0, 0, 0, 0, tv), 2000), -E.EINVAL, 'negative microseconds: EINVAL');
      img.host.write64(tv + 8, 0);
      t.equal(await call('lwip', 'poll', fds, -1, 0), -E.EINVAL, 'poll nfds < 0: EINVAL');
      t.equal(await call('lwip', 'poll', fds, abi.FD_SETSIZE + 1, 0), -E.EINVAL, 'poll nfds > FD_SETSIZE: EINVAL');
      t.equal(await call('lwip', 'poll', UNMAPPED, 1, 0), -E.EFAULT, 'pollfds unmapped: EFAULT');
      t.equal(await call('lwip', 'poll', sharedEnd - 8, 2, 0), -E.EFAULT, 'pollfds running past the region: EFAULT');
      img.host.write32(fds, 77);
      img.host.write32(fds + 4, abi.POLLIN);
      img.host.write32(fds + 8, -1);
      img.host.write32(fds + 12, abi.POLLIN);
      t.equal(await call('lwip', 'poll', fds, 2, 0), 1, 'poll counts the bad fd');
      t.equal(img.host.read32(fds + 4) >>> 16, abi.POLLNVAL, 'a closed fd: POLLNVAL');
      t.equal(img.host.read32(fds + 12) >>> 16, 0, 'a negative fd is ignored');
    });

    await t.test('bad buffers on a connected socket', async (t) => {
      const { fd, client } = await acceptOne(img, listener);
      open.add(fd);
      t.teardown(() => void client.destroy());
      t.equal(await call('lwip', 'recv', fd, UNMAPPED, 16, 0), -E.EFAULT, 'recv into unmapped memory: EFAULT');
      t.equal(await call('lwip', 'recv', fd, sharedEnd - 8, 64, 0), -E.EFAULT, 'recv past the end of the region: EFAULT');
      t.equal(await call('lwip', 'recv', fd, buf, -1, 0), -E.EINVAL, 'recv with a negative length: EINVAL');
      t.equal(await call('lwip', 'send', fd, UNMAPPED, 16, 0), -E.EFAULT, 'send from unmapped memory: EFAULT');
      t.equal(await call('lwip', 'send', fd, sharedEnd - 8, 64, 0), -E.EFAULT, 'send past the end of the region: EFAULT');
      t.equal(await call('lwip', 'getpeername', fd, UNMAPPED, len), -E.EFAULT, 'getpeername into unmapped memory: EFAULT');
      t.equal(await call('lwip', 'recv', fd, buf, 16, abi.MSG_DONTWAIT), -E.EAGAIN, 'nothing to read, MSG_DONTWAIT: EAGAIN');
      if (isolated) {
        img.host.write(priv, 'private!');
        t.equal(await call('lwip', 'send', fd, priv, 8, 0), -E.EFAULT, "send from the app's private heap (lwip may not read it): EFAULT");
        t.equal(await call('lwip', 'recv', fd, priv, 8, 0), -E.EFAULT, "recv into the app's private heap: EFAULT");
        t.equal(await call('lwip', 'send', fd, lwipHeap, 8, 0), -E.EFAULT, "send from lwip's own private heap (newlib's memcpy may not read it): EFAULT");
      } else {
        img.host.write(priv, 'private!');
        t.equal(await call('lwip', 'send', fd, priv, 8, 0), 8, 'fcalls: one protection domain, any buffer works');
        t.equal((await receive(client, 8)).toString(), 'private!', 'the client got it');
      }
      t.equal(await call('lwip', 'getpeername', fd, sa + 16, len), 0, 'getpeername');
      t.same([...img.host.read(sa + 16, 8)], [abi.AF_INET, 0, ...img.host.read(sa + 18, 2), 127, 0, 0, 1], 'AF_INET, 127.0.0.1');
      t.equal(await call('lwip', 'shutdown', fd, 99), -E.EINVAL, 'shutdown with a bad how: EINVAL');
      t.equal(await call('lwip', 'listen', fd, 1), -E.EISCONN, 'listen on a connected socket: EISCONN');
    });

    await t.test('data, EOF, and recv after close', async (t) => {
      const { fd, client } = await acceptOne(img, listener);
      t.teardown(() => void client.destroy());
      client.write('hello');
      t.equal(await call('lwip', 'recv', fd, buf, 64, abi.MSG_PEEK), 5, 'MSG_PEEK sees the bytes');
      t.equal(await call('lwip', 'recv', fd, buf, 64, 0), 5, 'recv returns them again');
      t.equal(Buffer.from(img.host.read(buf, 5)).toString(), 'hello', 'the bytes');
      t.equal(await img.machine.run('echoapp', 'sendShared', [fd, 3000, 0x41]), 3000, 'send from a local annotated shared (placed by the strategy)');
      t.same(await receive(client, 3000), Buffer.alloc(3000, 0x41), 'the client got it');
      client.write('xyz');
      t.equal(await img.machine.run('echoapp', 'recvShared', [fd, 64, 0]), 3, 'recv into a local annotated shared');
      client.end();
      t.equal(await call('lwip', 'recv', fd, buf, 64, 0), 0, 'the peer closed: EOF (0)');
      t.equal(await call('lwip', 'recv', fd, buf, 64, 0), 0, 'EOF again');
      t.equal(await call('lwip', 'send', fd, buf, 4, 0), 4, 'half-closed by the peer: sending still works');
      t.equal(await call('lwip', 'shutdown', fd, abi.SHUT_WR), 0, 'shutdown(SHUT_WR)');
      t.equal(await call('lwip', 'send', fd, buf, 4, 0), -E.EPIPE, 'send after SHUT_WR: EPIPE');
      t.equal(await call('lwip', 'close', fd), 0, 'close');
      t.equal(await call('lwip', 'recv', fd, buf, 64, 0), -E.EBADF, 'recv on the closed socket: EBADF');
      t.equal(await call('lwip', 'send', fd, buf, 4, 0), -E.EBADF, 'send on the closed socket: EBADF');
    });

    await t.test('a peer that resets', async (t) => {
      const { fd, client } = await acceptOne(img, listener);
      client.resetAndDestroy();
      await closed(client);
      const revents = await pollUntil(img, fds, fd, abi.POLLIN);
      t.ok(revents & abi.POLLERR, `poll reports POLLERR (revents 0x${revents.toString(16)})`);
      const sent = await call('lwip', 'send', fd, buf, 16, 0);
      t.ok(sent === -E.ECONNRESET || sent === -E.EPIPE, `send after the reset: ECONNRESET or EPIPE (got ${sent})`);
      t.equal(await call('lwip', 'recv', fd, buf, 16, 0), -E.ECONNRESET, 'recv after the reset: ECONNRESET');
      t.equal(await call('lwip', 'getsockopt', fd, abi.SOL_SOCKET, abi.SO_ERROR, value, len), 0, 'getsockopt(SO_ERROR)');
      t.equal(img.host.read32(value), E.ECONNRESET, 'SO_ERROR is ECONNRESET');
      t.equal(await call('lwip', 'close', fd), 0, 'close');
    });

    await t.test('errno through the libc wrapper', async (t) => {
      t.equal(await img.callErrno('lwip', 'close', 999), -1, 'close(999) returns -1');
      t.equal(await call('newlib', 'errno_get'), E.EBADF, 'errno = EBADF');
      t.equal(await img.callErrno('lwip', 'setsockopt', listener, abi.SOL_SOCKET, 999, value, 4), -1, 'an unknown option returns -1');
      t.equal(await call('newlib', 'errno_get'), E.ENOPROTOOPT, 'errno = ENOPROTOOPT');
      t.equal(await img.callErrno('lwip', 'fcntl', listener, abi.F_GETFL, 0), abi.O_RDWR, 'a call that succeeds returns its value');
      t.equal(await call('newlib', 'errno_get'), E.ENOPROTOOPT, 'and leaves errno alone (C semantics)');
    });

    await t.test('the image survived all of it', async (t) => {
      t.equal(img.machine.failure, null, 'no compartment failed');
      const s = await call('lwip', 'socket', abi.AF_INET, abi.SOCK_STREAM, 0);
      t.ok(s >= 3, 'lwip still opens sockets (its core lock was released on every error path)');
      t.equal(await call('lwip', 'close', s), 0, 'and closes them');
      t.equal(await call('lwip', 'close', listener), 0, 'the listener closes');
    });
  });
}

