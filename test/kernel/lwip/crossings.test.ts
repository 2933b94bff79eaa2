// lwip assembled by create(), over fakes of everything it imports: the exports its descriptor
// declares, a boot that fails with FLEXOS_ERR_BOOT, and the calls each kind of request makes to
// other libraries, in order: each is a gate crossing when the callee lives in another compartment,
// so these sequences are part of the cost model and must not drift. They follow FlexOS's lwip
// (/work/shared/FLEXOS-CALLS.md §1: core lock, mailbox semaphores, errno through newlib).

import t from 'tap';
import * as abi from '../../../kernel/lwip/abi.js';
import { lwip } from '../../../kernel/lwip/exports.js';
import { create, TCP_MSS } from '../../../kernel/lwip/lwip.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { LwipRig } from './fakes.js';

const E = ERRNO;
const LOCKED = (...inner: string[]): string[] => ['uk_mutex_lock', ...inner, 'uk_mutex_unlock'];
/** One input pass that finds nothing: the clock, one poll, one rx burst. */
const IDLE_PASS = ['ukplat_monotonic_us', 'netdev_poll', 'netdev_rx_burst'];
/**
 * What a segment delivered to a socket makes (FLEXOS-CALLS.md §1, "RX"): tcpip_inpkt's post, the
 * tcpip thread's fetch with the core lock dropped around it, recv_tcp's post to the recvmbox.
 */
const SEGMENT = ['uk_sem_up', 'uk_mutex_unlock', 'uk_sem_down_try', 'uk_mutex_lock', 'uk_sem_up'];
/** A recvmbox tryfetch (a hit or a miss). */
const FETCH = 'uk_sem_down_try';
/** errno set through newlib: twice per read (sockets.c:1963, 2289), once per write (2404). */
const READ_ERRNO = ['errno_set', 'errno_set'];
const WRITE_ERRNO = ['errno_set'];
/** lib-lwip's BSD wrappers look the fd up in vfscore's table before the call and drop it after. */
const VIA_FILE = (...inner: string[]): string[] => ['vfscore_get_file', ...inner, 'vfscore_put_file'];
/** select and poll turn each fd into its socket through vfscore on the way in and on the way out. */
const FILE = 'vfscore_get_file';

/** An lwip with one accepted connection (conn 9) on a listening socket. */
function booted() {
  const rig = new LwipRig();
  const lib = create(rig.context());
  lib.init!();
  const call = (fn: string, ...args: number[]): number => lib.exports[fn]!(...args) as number;
  const sa = rig.buffer(abi.SOCKADDR_IN_BYTES);
  rig.memory.writeBytes(sa, Uint8Array.of(abi.AF_INET, 0, 0x1f, 0x90));
  const listener = call('socket', abi.AF_INET, abi.SOCK_STREAM, 0);
  call('bind', listener, sa, abi.SOCKADDR_IN_BYTES);
  call('listen', listener, 8);
  rig.netdev.open(9);
  const fd = call('accept', listener, 0, 0);
  const buf = rig.buffer(64 * 1024);
  /** Calls fn and returns its result with the imported calls it made. */
  const crossings = (fn: string, ...args: number[]): { result: number; calls: string[] } => {
    const mark = rig.log.mark;
    const result = call(fn, ...args);
    return { result, calls: rig.log.names(mark) };
  };
  return { rig, lib, call, listener, fd, buf, crossings };
}

t.test('the exports are exactly the descriptor’s exportsyms', async (t) => {
  const { lib } = booted();
  t.same(Object.keys(lib.exports).sort(), Object.keys(lwip.exports).sort());
  t.equal(TCP_MSS, 1460, 'TCP_MSS is still exported from lwip.js');
});

t.test('socket and accept take their fd from vfscore (alloc, then install) under the core lock, past the files vfscore holds', async (t) => {
  const rig = new LwipRig();
  const lib = create(rig.context());
  lib.init!();
  rig.vfscore.files.alloc(); // fd 3, as if a file were open
  const call = (fn: string, ...args: number[]): number => lib.exports[fn]!(...args) as number;
  let mark = rig.log.mark;
  const listener = call('socket', abi.AF_INET, abi.SOCK_STREAM, 0);
  t.equal(listener, 4, 'the lowest fd vfscore has free');
  t.same(rig.log.names(mark), LOCKED('vfscore_alloc_fd', 'vfscore_install_fd'));
  const sa = rig.buffer(abi.SOCKADDR_IN_BYTES);
  rig.memory.writeBytes(sa, Uint8Array.of(abi.AF_INET, 0, 0x1f, 0x90));
  call('bind', listener, sa, abi.SOCKADDR_IN_BYTES);
  call('listen', listener, 8);
  rig.netdev.open(9);
  mark = rig.log.mark;
  t.equal(call('accept', listener, 0, 0), 5);
  const pass = ['ukplat_monotonic_us', 'netdev_poll', 'netdev_poll', 'netdev_rx_burst']; // the open event, then the poll again
  t.same(rig.log.names(mark), VIA_FILE(...LOCKED(...pass, 'vfscore_alloc_fd', 'vfscore_install_fd')), 'the listener looked up, then the new fd allocated');
  t.equal(rig.vfscore.files.get(5), 5, 'vfscore knows the accepted socket');
});

t.test('init makes the core lock, then the driver scratch buffer; either failing is FLEXOS_ERR_BOOT', async (t) => {
  const rig = new LwipRig();
  const lib = create(rig.context());
  t.same(rig.log.names(), [], 'create() calls nothing: the other libraries may not be up yet');
  lib.init!();
  t.same(rig.log.names(), ['uk_mutex_init', 'uk_sem_init'], 'the core lock, then the tcpip mailbox');

  const noMutex = new LwipRig();
  noMutex.uksched.mutexId = 0;
  t.throws(() => create(noMutex.context()).init!(), { code: 'FLEXOS_ERR_BOOT', message: /core lock/ });

  const noHeap = new LwipRig();
  while (noHeap.mem.sharedHeap.malloc(16) !== 0);
  t.throws(() => create(noHeap.context()).init!(), { code: 'FLEXOS_ERR_BOOT', message: /scratch buffer/ });
});

t.test('recv of queued bytes: the lock, a fetch and a memcpy per pbuf, the miss, errno twice; no device call', async (t) => {
  const { rig, fd, buf, crossings } = booted();
  rig.netdev.deliver(9, 'x'.repeat(TCP_MSS + 10));
  // The socket's recvmbox is made on its first post (uk_sem_init before that post's uk_sem_up).
  const first = ['uk_sem_up', 'uk_mutex_unlock', 'uk_sem_down_try', 'uk_mutex_lock', 'uk_sem_init', 'uk_sem_up'];
  const pulling = ['ukplat_monotonic_us', 'netdev_poll', 'netdev_rx_burst', ...first, 'netdev_rx_burst', ...SEGMENT, 'netdev_rx_burst'];
  t.same(crossings('recv', fd, buf, 1, abi.MSG_DONTWAIT).calls, VIA_FILE(...LOCKED(...pulling, FETCH, 'memcpy'), ...READ_ERRNO), 'the first recv pulls the bytes: an MSS, the rest, then an empty burst; one byte of the first pbuf fills the buffer');
  t.same(crossings('recv', fd, buf, 4096, 0), { result: TCP_MSS + 9, calls: VIA_FILE(...LOCKED(FETCH, 'memcpy', 'memcpy', FETCH), ...READ_ERRNO) }, 'the rest: the first pbuf is lastdata, the second is fetched, then the miss');
  t.equal(rig.errno.value, 0, 'errno 0 after a read that succeeded');
});

t.test('recv with nothing to read (non-blocking): the lock, one input pass, the miss, errno twice', async (t) => {
  const { rig, fd, buf, crossings } = booted();
  t.same(crossings('recv', fd, buf, 16, abi.MSG_DONTWAIT), { result: -E.EAGAIN, calls: VIA_FILE(...LOCKED(...IDLE_PASS, 'uk_sem_init', FETCH), ...READ_ERRNO) });
  t.equal(rig.errno.value, E.EAGAIN, 'errno EAGAIN');
});

t.test('a Redis GET batch (one segment in, one out): the FlexOS per-batch pattern', async (t) => {
  const { rig, fd, buf, crossings } = booted();
  crossings('recv', fd, buf, 16, abi.MSG_DONTWAIT); // makes the recvmbox
  rig.netdev.deliver(9, 'x'.repeat(600));
  const read = crossings('read', fd, buf, 16 * 1024).calls;
  const write = crossings('write', fd, buf, 300).calls;
  const count = (calls: string[], library: (fn: string) => boolean): number => calls.filter(library).length;
  const toUksched = (fn: string): boolean => fn.startsWith('uk_');
  t.same(read, [...LOCKED(...IDLE_PASS.slice(0, 3), ...SEGMENT, 'netdev_rx_burst', FETCH, 'memcpy', FETCH), ...READ_ERRNO]);
  t.equal(count(read, toUksched), 2 + 5 + 2, 'read: the lock pair, the segment’s 5, the hit and the miss');
  t.same(write, [...LOCKED('memcpy', 'netdev_tx'), ...WRITE_ERRNO]);
});

t.test('a blocking recv: the lock dropped around run_ready and netdev_wait, then another pass', async (t) => {
  const { rig, fd, buf, crossings } = booted();
  rig.netdev.onWait = () => rig.netdev.deliver(9, 'hi');
  t.same(crossings('recv', fd, buf, 16, 0), {
    result: 2,
    calls: VIA_FILE(...LOCKED(...IDLE_PASS, 'uk_mutex_unlock', 'uk_sched_run_ready', 'netdev_wait', 'uk_mutex_lock', 'ukplat_monotonic_us', 'netdev_poll', 'netdev_rx_burst', 'uk_sem_up', 'uk_mutex_unlock', 'uk_sem_down_try', 'uk_mutex_lock', 'uk_sem_init', 'uk_sem_up', 'netdev_rx_burst', FETCH, 'memcpy', FETCH), ...READ_ERRNO),
  });
});

t.test('send: the lock, then memcpy and netdev_tx per MSS, then errno once', async (t) => {
  const { fd, buf, crossings } = booted();
  t.same(crossings('send', fd, buf, 100, 0), { result: 100, calls: VIA_FILE(...LOCKED('memcpy', 'netdev_tx'), ...WRITE_ERRNO) });
  t.same(crossings('write', fd, buf, 2 * TCP_MSS + 1).calls, [...LOCKED('memcpy', 'netdev_tx', 'memcpy', 'netdev_tx', 'memcpy', 'netdev_tx'), ...WRITE_ERRNO]);
});

t.test('select and poll on a ready socket: the lock, one pass, tx_space for a write interest', async (t) => {
  const { rig, fd, crossings } = booted();
  const sets = rig.buffer(2 * abi.FD_SET_BYTES);
  rig.memory.write8(sets + abi.FD_SET_BYTES + (fd >> 3), 1 << (fd & 7));
  t.same(crossings('select', fd + 1, 0, sets + abi.FD_SET_BYTES, 0, 0), { result: 1, calls: LOCKED(FILE, ...IDLE_PASS, 'netdev_tx_space', FILE) });
  const fds = rig.buffer(abi.POLLFD_BYTES);
  rig.memory.write32(fds, fd);
  rig.memory.write32(fds + 4, abi.POLLOUT);
  t.same(crossings('poll', fds, 1, 0), { result: 1, calls: LOCKED(FILE, 'ukplat_monotonic_us', ...IDLE_PASS, 'netdev_tx_space', 'ukplat_monotonic_us', FILE) }, 'poll reads the clock for its deadline, the pass and the check');
});

t.test('control calls: the lock around nothing but what they must tell the device', async (t) => {
  const { rig, fd, listener, buf, crossings } = booted();
  const value = rig.buffer(8);
  t.same(crossings('fcntl', fd, abi.F_GETFL, 0).calls, VIA_FILE(...LOCKED()));
  t.same(crossings('setsockopt', fd, abi.IPPROTO_TCP, abi.TCP_NODELAY, value, 4).calls, VIA_FILE(...LOCKED()));
  t.same(crossings('getsockopt', fd, abi.IPPROTO_TCP, abi.TCP_NODELAY, value, value + 4).calls, VIA_FILE(...LOCKED()));
  t.same(crossings('shutdown', fd, abi.SHUT_WR).calls, VIA_FILE(...LOCKED('netdev_shutdown')));
  t.same(crossings('close', fd).calls, LOCKED('netdev_close', 'vfscore_put_fd'));
  t.same(crossings('close', listener).calls, LOCKED('vfscore_put_fd'));
  t.same(crossings('recv', fd, buf, 1, 0), { result: -E.EBADF, calls: [FILE, 'errno_set'] }, 'a closed fd: EBADF from vfscore\'s table, then errno; lwip is not entered');
});

t.test('a buffer lwip may not touch: -EFAULT, the lock released, nothing else crossed', async (t) => {
  const { rig, fd, crossings } = booted();
  rig.netdev.deliver(9, 'kept');
  t.same(crossings('recv', fd, rig.mem.forbidden, 16, 0), { result: -E.EFAULT, calls: VIA_FILE(...LOCKED(), ...READ_ERRNO) });
  t.same(crossings('send', fd, rig.mem.forbidden, 16, 0), { result: -E.EFAULT, calls: VIA_FILE(...LOCKED(), ...WRITE_ERRNO) });
  t.notOk(rig.uksched.held);
});
