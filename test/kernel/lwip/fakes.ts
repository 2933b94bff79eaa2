// Small fakes of what lwip's units import, for tests in one thread: simulated memory over
// SharedArrayBuffer regions (the app's heap, the shared heap with a real TLSF allocator), a netdev
// device with scripted connections, uksched's mutex and semaphores, newlib's errno and a clock; every
// imported call is logged.

import { NO_WORK } from '../../../kernel/abi/work.js';
import type { LibraryContext } from '../../../kernel/abi/context.js';
import { NETDEV_EVENT_NONE, NETDEV_EVENT_OPEN, NETDEV_EVENT_PEER_CLOSED, NETDEV_EVENT_RESET } from '../../../kernel/netdev/exports.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { makeAddress } from '../../../shm/address.js';
import { RegionHeap } from '../../../shm/heap.js';
import { Memory } from '../../../shm/memory.js';
import { FdTable } from '../../../kernel/vfscore/fdtable.js';
import { SocketFiles } from '../../../kernel/vfscore/socket-files.js';
import { createRegion, describe } from '../../../shm/region.js';

const REGION_BYTES = 4 * 1024 * 1024;

/** One imported call as the gates would carry it: `library.fn(args) -> result`. */
export interface Crossing {
  readonly library: string;
  readonly fn: string;
  readonly args: readonly number[];
  result: number;
}

/** The log of imported calls, shared by every fake of one rig. */
export class CallLog {
  readonly calls: Crossing[] = [];
  /** Wraps a fake so every call to it is logged, in order. */
  wrap<F extends (...args: number[]) => number>(library: string, fn: string, impl: F): F {
    return ((...args: number[]) => {
      const entry: Crossing = { library, fn, args, result: 0 };
      this.calls.push(entry);
      entry.result = impl(...args);
      return entry.result;
    }) as F;
  }
  /** The calls logged since `mark`, as `fn` names. */
  names(mark = 0): string[] {
    return this.calls.slice(mark).map((c) => c.fn);
  }
  get mark(): number {
    return this.calls.length;
  }
}

export interface MemoryRig {
  readonly memory: Memory;
  /** The shared heap (key 15): where pbufs come from. */
  readonly sharedHeap: RegionHeap;
  /** The app's heap: where its buffers are. */
  readonly appHeap: RegionHeap;
  /** An address in a region this compartment was not handed: any access faults. */
  readonly forbidden: number;
}

/** lwip's view of memory: the app's heap and the shared heap handed to it, a third region not. */
export function memoryRig(): MemoryRig {
  const app = createRegion({ id: 1, name: 'heap.comp1', kind: 'heap', key: 1, size: REGION_BYTES, owner: 1 });
  const shared = createRegion({ id: 2, name: 'shared-heap', kind: 'shared-heap', key: 15, size: REGION_BYTES, owner: 0 });
  const other = createRegion({ id: 3, name: 'heap.comp3', kind: 'heap', key: 3, size: 4096, owner: 3 });
  const memory = new Memory({
    compartment: 'comp2',
    table: [app, shared, other].map(describe),
    buffers: new Map([
      [app.id, app.buffer],
      [shared.id, shared.buffer],
    ]),
  });
  memory.library = 'lwip';
  return { memory, sharedHeap: RegionHeap.format(shared), appHeap: RegionHeap.format(app), forbidden: makeAddress(other.id, 64) };
}

/** newlib's memcpy over the rig's memory. */
export function fakeMemcpy(memory: Memory): (dst: number, src: number, n: number) => number {
  return (dst, src, n) => {
    memory.writeBytes(dst, memory.readBytes(src, n));
    return dst;
  };
}

interface FakeConn {
  rx: number[];
  sent: number[];
  /** Bytes the tx ring takes before it is full. */
  room: number;
  reset: boolean;
  closed: boolean;
  shut: boolean;
}

/** The netdev driver as lwip sees it: connection events and bytes the test scripts, tx rings with room it sets. */
export class FakeNetdev {
  readonly #memory: Memory;
  readonly #events: [number, number][] = [];
  readonly #conns = new Map<number, FakeConn>();
  #next = 0;
  /** Called by netdev_wait (the CPU idles on the device): a test makes things arrive here. */
  onWait: (timeoutMs: number) => void = () => {};

  constructor(memory: Memory) {
    this.#memory = memory;
  }

  /** A client connects (the OPEN event). */
  open(conn: number, room = Number.POSITIVE_INFINITY): void {
    this.#conns.set(conn, { rx: [], sent: [], room, reset: false, closed: false, shut: false });
    this.#events.push([NETDEV_EVENT_OPEN, conn]);
  }
  /** The client sends bytes. */
  deliver(conn: number, bytes: Uint8Array | string): void {
    const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    this.#conn(conn).rx.push(...data);
  }
  peerClose(conn: number): void {
    this.#events.push([NETDEV_EVENT_PEER_CLOSED, conn]);
  }
  reset(conn: number): void {
    this.#conn(conn).reset = true;
    this.#events.push([NETDEV_EVENT_RESET, conn]);
  }
  /** Room in conn's tx ring (the client read what was sent). */
  setRoom(conn: number, room: number): void {
    this.#conn(conn).room = room;
  }
  /** What lwip sent on conn, as text. */
  sent(conn: number): string {
    return new TextDecoder().decode(Uint8Array.from(this.#conn(conn).sent));
  }
  closed(conn: number): boolean {
    return this.#conn(conn).closed;
  }
  shut(conn: number): boolean {
    return this.#conn(conn).shut;
  }

  /** The imports, by the names lwip's units take them under. */
  imports(log: CallLog) {
    const m = this.#memory;
    return {
      netdevPoll: log.wrap('netdev', 'netdev_poll', (out: number) => {
        const event = this.#events.shift();
        if (!event) return NETDEV_EVENT_NONE;
        m.write64(out, event[1]);
        return event[0];
      }),
      netdevRx: log.wrap('netdev', 'netdev_rx_burst', (buf: number, len: number, connOut: number) => {
        const open = [...this.#conns].filter(([, c]) => !c.closed && c.rx.length > 0);
        if (open.length === 0) return 0;
        const [conn, c] = open[this.#next++ % open.length]!;
        const n = Math.min(len, c.rx.length);
        m.writeBytes(buf, Uint8Array.from(c.rx.splice(0, n)));
        m.write64(connOut, conn);
        return n;
      }),
      netdevTx: log.wrap('netdev', 'netdev_tx', (conn: number, buf: number, len: number) => {
        const c = this.#conns.get(conn);
        if (!c || c.reset || c.closed) return -ERRNO.ENOTCONN;
        const n = Math.min(len, c.room);
        c.sent.push(...m.readBytes(buf, n));
        c.room -= n;
        return n;
      }),
      netdevTxSpace: log.wrap('netdev', 'netdev_tx_space', (conn: number) => {
        const c = this.#conns.get(conn);
        return !c || c.reset ? -ERRNO.ENOTCONN : Math.min(c.room, 2 ** 31 - 1);
      }),
      netdevClose: log.wrap('netdev', 'netdev_close', (conn: number) => {
        const c = this.#conns.get(conn);
        if (c) c.closed = true;
        return c ? 0 : -ERRNO.ENOTCONN;
      }),
      netdevShutdown: log.wrap('netdev', 'netdev_shutdown', (conn: number) => {
        this.#conn(conn).shut = true;
        return 0;
      }),
      netdevWait: log.wrap('netdev', 'netdev_wait', (timeoutMs: number) => {
        this.onWait(timeoutMs);
        return 1;
      }),
    };
  }

  #conn(conn: number): FakeConn {
    const c = this.#conns.get(conn);
    if (!c) throw new RangeError(`fake netdev: no connection ${conn}`);
    return c;
  }
}

/** uksched's mutex (one, not recursive: locking it twice is a bug the fake reports) and ready threads. */
export class FakeUksched {
  /** What uk_mutex_init returns (<= 0: it failed). */
  mutexId = 7;
  held = false;
  /** Threads uk_sched_run_ready runs next time (then none). */
  ready = 0;
  /** Called by uk_sched_run_ready, with the mutex state at that moment. */
  onRunReady: () => void = () => {};
  /** Semaphore id -> count (ids from 100, so they never pass for the mutex). */
  readonly sems: number[] = [];

  imports(log: CallLog) {
    const check = (mutex: number): void => {
      if (mutex !== this.mutexId) throw new RangeError(`fake uksched: mutex ${mutex} is not ${this.mutexId}`);
    };
    return {
      mutexInit: log.wrap('uksched', 'uk_mutex_init', () => this.mutexId),
      lock: log.wrap('uksched', 'uk_mutex_lock', (mutex: number) => {
        check(mutex);
        if (this.held) throw new RangeError('fake uksched: the core lock is taken twice');
        this.held = true;
        return 0;
      }),
      unlock: log.wrap('uksched', 'uk_mutex_unlock', (mutex: number) => {
        check(mutex);
        if (!this.held) throw new RangeError('fake uksched: the core lock is released while free');
        this.held = false;
        return 0;
      }),
      runReady: log.wrap('uksched', 'uk_sched_run_ready', () => {
        this.onRunReady();
        const ran = this.ready;
        this.ready = 0;
        return ran;
      }),
      semInit: log.wrap('uksched', 'uk_sem_init', (count: number) => this.sems.push(count) + 99),
      semUp: log.wrap('uksched', 'uk_sem_up', (sem: number) => {
        this.sems[sem - 100]!++;
        return 0;
      }),
      semDownTry: log.wrap('uksched', 'uk_sem_down_try', (sem: number) => {
        if (this.sems[sem - 100] === 0) return -ERRNO.EAGAIN;
        this.sems[sem - 100]!--;
        return 0;
      }),
    };
  }
}

/** newlib's errno, as lwip sets it. */
export class FakeErrno {
  value = -1;
  imports(log: CallLog) {
    return {
      errnoSet: log.wrap('newlib', 'errno_set', (value: number) => {
        this.value = value;
        return 0;
      }),
    };
  }
}

/** uktime's monotonic clock in µs; each read advances it by `step`. */
export class FakeClock {
  us = 1_000_000;
  step = 0;
  imports(log: CallLog) {
    return {
      now: log.wrap('uktime', 'ukplat_monotonic_us', () => {
        const t = this.us;
        this.us += this.step;
        return t;
      }),
    };
  }
}

/** vfscore's socket files, over the real fd table and SocketFiles: fds 0-2 are the console's. */
export class FakeVfscore {
  readonly fds = new FdTable();
  readonly files = new SocketFiles(this.fds);
  imports(log: CallLog) {
    return {
      alloc: log.wrap('vfscore', 'vfscore_alloc_fd', () => this.files.alloc()),
      install: log.wrap('vfscore', 'vfscore_install_fd', (fd: number) => this.files.install(fd)),
      get: log.wrap('vfscore', 'vfscore_get_file', (fd: number) => this.files.get(fd)),
      put: log.wrap('vfscore', 'vfscore_put_file', (fd: number) => this.files.put(fd)),
      free: log.wrap('vfscore', 'vfscore_put_fd', (fd: number) => this.files.free(fd)),
    };
  }
}

/** Everything lwip imports, faked over one memory rig and one call log. */
export class LwipRig {
  readonly log = new CallLog();
  readonly mem = memoryRig();
  readonly netdev = new FakeNetdev(this.mem.memory);
  readonly uksched = new FakeUksched();
  readonly clock = new FakeClock();
  readonly errno = new FakeErrno();
  readonly vfscore = new FakeVfscore();

  get memory(): Memory {
    return this.mem.memory;
  }

  /** `size` bytes of the app's heap. */
  buffer(size: number): number {
    const address = this.mem.appHeap.malloc(size);
    if (address === 0) throw new RangeError('the app heap is full');
    return address;
  }

  /** The LibraryContext lwip's create() reads (memory, the shared heap, its imports); nothing else is used. */
  context(): LibraryContext {
    const netdev = this.netdev.imports(this.log);
    const uksched = this.uksched.imports(this.log);
    const vfscore = this.vfscore.imports(this.log);
    const names: Record<string, (...args: number[]) => number> = {
      'netdev.netdev_poll': netdev.netdevPoll,
      'netdev.netdev_rx_burst': netdev.netdevRx,
      'netdev.netdev_tx': netdev.netdevTx,
      'netdev.netdev_tx_space': netdev.netdevTxSpace,
      'netdev.netdev_close': netdev.netdevClose,
      'netdev.netdev_shutdown': netdev.netdevShutdown,
      'netdev.netdev_wait': netdev.netdevWait,
      'newlib.memcpy': this.log.wrap('newlib', 'memcpy', fakeMemcpy(this.memory)),
      'uksched.uk_mutex_init': uksched.mutexInit,
      'uksched.uk_mutex_lock': uksched.lock,
      'uksched.uk_mutex_unlock': uksched.unlock,
      'uksched.uk_sched_run_ready': uksched.runReady,
      'uksched.uk_sem_init': uksched.semInit,
      'uksched.uk_sem_up': uksched.semUp,
      'uksched.uk_sem_down_try': uksched.semDownTry,
      'newlib.errno_set': this.errno.imports(this.log).errnoSet,
      'uktime.ukplat_monotonic_us': this.clock.imports(this.log).now,
      'vfscore.vfscore_alloc_fd': vfscore.alloc,
      'vfscore.vfscore_install_fd': vfscore.install,
      'vfscore.vfscore_get_file': vfscore.get,
      'vfscore.vfscore_put_file': vfscore.put,
      'vfscore.vfscore_put_fd': vfscore.free,
    };
    const context: Partial<LibraryContext> = {
      library: 'lwip',
      work: NO_WORK,
      memory: this.memory,
      sharedHeap: this.mem.sharedHeap,
      import: (library, fn) => {
        const found = names[`${library}.${fn}`];
        if (!found) throw new RangeError(`lwip imports ${library}.${fn}, which it does not declare`);
        return found;
      },
    };
    return context as LibraryContext;
  }
}
