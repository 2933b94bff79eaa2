// The Redis 5 event loop on the library OS (ae_select): one thread, select() over the listening
// socket and the clients, reads into a buffer annotated shared (placed by the stack strategy),
// replies written back through lwip. Keys' values live in this compartment's heap region.

import type { WorkMeter } from '../../kernel/abi/work.js';
import type { LibraryContext, LibraryInstance } from '../../kernel/abi/context.js';
import * as abi from '../../kernel/lwip/abi.js';
import { ERRNO } from '../../kernel/newlib/errno.js';
import { CommandNames } from './command-name.js';
import { vnodeLocked } from './socket-vnode.js';
import { execute, isCommand } from './commands.js';
import { createSession, type Session } from './commands/common.js';
import { Keyspace, NO_ADDRESS, type ValueStore } from './keyspace.js';
import { offsetOf } from '../../shm/address.js';
import { ReplyWriter, RespParser } from './resp.js';
import { lengthArithmetic } from '../../kernel/abi/lengths.js';
import { OutputQueue } from '../output-queue.js';
import { listenOn } from '../listen.js';

/** PROTO_IOBUF_LEN: Redis reads at most 16 KiB per read(). */
const IOBUF = 16 * 1024;
/** Redis's client output limit is soft; past this much pending output the client is dropped. */
const MAX_PENDING_OUTPUT = 64 * 1024 * 1024;
/** serverCron runs at hz 10. */
const CRON_MS = 100;

interface Client {
  readonly fd: number;
  readonly parser: RespParser;
  readonly session: Session;
  readonly out: ReplyWriter;
  /** Reply bytes not yet accepted by lwip (besides what `out` holds). */
  readonly pending: OutputQueue;
  closeAfterWrite: boolean;
}

/**
 * What Redis 5 does in C for one parsed command beyond the dictionary (counted by the keyspace): a
 * string2ll per bulk length and the count, an object created (copied) per argument and freed after
 * the call, the command table's lookup (SipHash of the name, a case-insensitive compare).
 */
function countCommand(work: WorkMeter, argv: readonly Uint8Array[]): void {
  let bytes = 0;
  for (const a of argv) bytes += a.length;
  const name = argv[0]!.length;
  work.add('int', 1 + argv.length);
  work.add('alloc', 2 * argv.length);
  work.add('copy', bytes);
  work.add('hash', name);
  work.add('walk', 1);
}

export function create(ctx: LibraryContext): LibraryInstance {
  const lwip = (fn: string) => ctx.import('lwip', fn);
  const setsockopt = lwip('setsockopt');
  const accept = lwip('accept');
  const select = lwip('select');
  const vnode = vnodeLocked(
    { init: ctx.import('uksched', 'uk_mutex_init'), lock: ctx.import('uksched', 'uk_mutex_lock'), unlock: ctx.import('uksched', 'uk_mutex_unlock') },
    { read: lwip('read'), write: lwip('write') },
  );
  const { read, write } = vnode;
  const close = lwip('close');
  const fcntl = lwip('fcntl');
  const nowMs = ctx.import('uktime', 'uk_time_now_ms');
  const names = new CommandNames({ memory: ctx.memory, heap: ctx.sharedHeap, strcasecmp: ctx.import('newlib', 'strcasecmp'), known: isCommand });
  const memory = ctx.memory;
  const stack = ctx.stack;

  // Values live in the app compartment's heap region: isolation protects them.
  const store: ValueStore = {
    put(bytes) {
      const address = ctx.heap.malloc(bytes.length);
      if (address === 0) throw new RangeError('OOM command not allowed when used memory > maxmemory');
      memory.writeBytes(address, bytes);
      return address;
    },
    read: (address, length) => (length === 0 || address === NO_ADDRESS ? new Uint8Array(0) : memory.readBytes(address, length)),
    readInto: (address, length, out) => {
      if (length === 0 || address === NO_ADDRESS) return out.bulk(new Uint8Array(0));
      out.bulkFrom(memory.region(address, length, 'read'), offsetOf(address), length);
    },
    free: (address) => {
      if (address !== NO_ADDRESS) ctx.heap.free(address);
    },
  };
  let cachedMs = 0; // server.mstime: updated once per event-loop iteration
  const clients = new Map<number, Client>();
  let nextId = 1;

  const io = { write, memory, stack };
  /** Writes the queued output, then the replies of this pass straight from the reply buffer. */
  const flush = (c: Client): boolean => {
    const state = c.pending.flushWith(c.fd, io, c.out.bytes());
    c.out.reset();
    return state === 'again' || (state === 'done' && !c.closeAfterWrite);
  };

  const drop = (ks: Keyspace, c: Client): void => {
    close(c.fd);
    clients.delete(c.fd);
    ks.server.connectedClients = clients.size;
  };

  /** readQueryFromClient + processInputBuffer: false when the client must be closed. */
  const serve = (ks: Keyspace, c: Client): boolean => {
    const token = stack.enter();
    let n: number;
    try {
      const buf = stack.shared(IOBUF);
      n = read(c.fd, buf, IOBUF);
      if (n > 0) {
        c.parser.feed(memory.view(buf, n, 'read')); // the parser copies: querybuf is the app's
        ctx.work.add('scan', n); // processMultibulkBuffer: memchr for each \r\n
      }
    } finally {
      stack.leave(token);
    }
    if (n <= 0) return n === -ERRNO.EAGAIN;
    for (;;) {
      const command = c.parser.next();
      if (command === null) break;
      if ('error' in command) {
        c.out.error(`ERR ${command.error}`);
        c.closeAfterWrite = true;
        break;
      }
      if (command.argv.length === 0) continue;
      countCommand(ctx.work, command.argv);
      names.compare(command.argv[0]!);
      const before = c.out.length;
      execute(ks, command.argv, c.session, c.out);
      ctx.work.add('copy', Math.max(0, c.out.length - before)); // _addReplyToBuffer
      ctx.work.add('int', 1); // the reply's length or integer, ll2string
      if (c.session.quit) {
        c.closeAfterWrite = true;
        break;
      }
    }
    return c.pending.bytes + c.out.length <= MAX_PENDING_OUTPUT;
  };

  return {
    exports: {
      main: (port) => {
        const ks = new Keyspace(store, { nowMs: () => cachedMs }, { port, work: ctx.work });
        cachedMs = nowMs();
        if (!names.init() || !vnode.init()) return -ERRNO.ENOMEM;
        const listener = listenOn(ctx, port, { backlog: 511, nonblocking: true });
        if (listener < 0) return listener;
        const sets = ctx.sharedHeap.calloc(1, 2 * abi.FD_SET_BYTES + abi.TIMEVAL_BYTES);
        const readfds = sets;
        const writefds = sets + abi.FD_SET_BYTES;
        const tv = sets + 2 * abi.FD_SET_BYTES;
        let lastCron = cachedMs;
        // ae_select's rfds/wfds, built here and copied to the shared sets; after select() they take
        // the fired sets back (aeApiPoll reads them once, before any handler runs).
        const read8 = new Uint8Array(abi.FD_SET_BYTES);
        const write8 = new Uint8Array(abi.FD_SET_BYTES);
        const copyOut = (into: Uint8Array, address: number): void => {
          const bytes = memory.region(address, abi.FD_SET_BYTES, 'read');
          const at = offsetOf(address);
          for (let i = 0; i < abi.FD_SET_BYTES; i++) into[i] = bytes[at + i]!;
        };
        const isSet = (set: Uint8Array, fd: number): boolean => (set[fd >> 3]! & (1 << (fd & 7))) !== 0;
        for (;;) {
          read8.fill(0);
          write8.fill(0);
          let maxfd = listener;
          read8[listener >> 3]! |= 1 << (listener & 7);
          for (const c of clients.values()) {
            read8[c.fd >> 3]! |= 1 << (c.fd & 7);
            if (c.pending.bytes > 0 || c.out.length > 0) write8[c.fd >> 3]! |= 1 << (c.fd & 7);
            if (c.fd > maxfd) maxfd = c.fd;
          }
          memory.writeBytes(readfds, read8);
          memory.writeBytes(writefds, write8);
          memory.write64(tv, 0);
          memory.write64(tv + 8, CRON_MS * 1000);
          const ready = select(maxfd + 1, readfds, writefds, 0, tv);
          cachedMs = nowMs();
          if (ready < 0) return ready;
          copyOut(read8, readfds);
          copyOut(write8, writefds);
          const r = read8;
          const w = write8;
          if (isSet(r, listener)) {
            for (;;) {
              const fd = accept(listener, 0, 0);
              if (fd < 0) break;
              fcntl(fd, abi.F_SETFL, abi.O_NONBLOCK);
              stack.frame(() => {
                const one = stack.shared(4);
                memory.write32(one, 1);
                setsockopt(fd, abi.IPPROTO_TCP, abi.TCP_NODELAY, one, 4);
              });
              clients.set(fd, { fd, parser: new RespParser(undefined, lengthArithmetic(ctx)), session: createSession(nextId++), out: new ReplyWriter(), pending: new OutputQueue(), closeAfterWrite: false });
              ks.server.totalConnections++;
              ks.server.connectedClients = clients.size;
            }
          }
          // drop() deletes only the client being visited, which a Map iteration tolerates.
          for (const c of clients.values()) {
            let alive = true;
            const readable = isSet(r, c.fd);
            if (readable) alive = serve(ks, c);
            if (alive && (c.pending.bytes > 0 || c.out.length > 0 || c.closeAfterWrite) && (readable || isSet(w, c.fd))) alive = flush(c);
            if (!alive) drop(ks, c);
          }
          if (cachedMs - lastCron >= CRON_MS) {
            lastCron = cachedMs;
            ks.activeExpireCycle?.(20);
          }
        }
      },
    },
  };
}
