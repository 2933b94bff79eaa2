// The Redis 5 event loop on the library OS (ae_select): one thread, select() over the listening
// socket and the clients, reads into a buffer annotated shared (placed by the stack strategy),
// replies written back through lwip. Keys' values live in this compartment's heap region.

import type { WorkMeter } from '../../kernel/abi/work.js';
import type { LibraryContext, LibraryInstance } from '../../kernel/abi/context.js';
import * as abi from '../../kernel/lwip/abi.js';
import { ERRNO } from '../../kernel/newlib/errno.js';
import { CommandNames } from './command-name.js';
import { vnodeLocked } from './socket-vnode.js';
import { createCommandTable, execute, isCommand } from './commands.js';
import { createSession, type Session } from './commands/common.js';
import { Keyspace, NO_ADDRESS, type ValueStore } from './keyspace.js';
import { offsetOf } from '../../shm/address.js';
import { ReplyWriter, RespParser } from './resp.js';
import { OutputQueue } from '../output-queue.js';
import { listenOn } from '../listen.js';
import { DenyOom, HeapRoom, OOM_ERROR, ValueStoreFullError } from './memory-limit.js';
import { checkOutput, outputLimitMessage, queryLimitMessage, RecentPeaks, warningLine, type ClientInfo } from './client-limits.js';
import { settingsFromMainArgs } from './boot-settings.js';

/** PROTO_IOBUF_LEN: Redis reads at most 16 KiB per read(). */
const IOBUF = 16 * 1024;
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
  /** Pending replies over the soft output limit: its commands wait and its socket is not read. */
  throttled: boolean;
  /** When its pending replies went over the soft limit (server.mstime); -1 while under. */
  softSinceMs: number;
}

/** Reply bytes waiting for the socket: what the output limits count. */
const pendingOutput = (c: Client): number => c.pending.bytes + c.out.length;
/** Bytes allocated for its buffers (INFO's mem_clients_normal). */
const bufferMemory = (c: Client): number => c.parser.capacity + c.out.capacity + c.pending.bytes;
const infoOf = (c: Client): ClientInfo => ({ id: c.session.id, fd: c.fd, name: c.session.name, qbuf: c.parser.buffered, omem: c.out.capacity + c.pending.bytes });

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
      if (address === 0) throw new ValueStoreFullError(bytes.length);
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
  let limits = settingsFromMainArgs([]);
  const peaks = new RecentPeaks();
  const room = new HeapRoom(ctx.heap);
  const commandTable = createCommandTable();
  let denyOom: DenyOom | null = null;
  const warn = (text: string): void => ctx.log(warningLine(cachedMs, text));

  const io = { write, memory, stack };
  /** Writes the queued output, then the replies of this pass straight from the reply buffer. */
  const flush = (c: Client): boolean => {
    const state = c.pending.flushWith(c.fd, io, c.out.bytes());
    c.out.reset(); // shrinks a reply buffer a big reply grew
    return state === 'again' || (state === 'done' && !c.closeAfterWrite);
  };

  const drop = (ks: Keyspace, c: Client): void => {
    close(c.fd);
    clients.delete(c.fd);
    ks.server.connectedClients = clients.size;
  };

  const recordPeaks = (c: Client): void => peaks.record(cachedMs, c.parser.capacity, c.out.capacity + c.pending.bytes);

  /**
   * checkClientOutputBufferLimits between two commands: false when the client must be closed (past
   * the hard limit, or over the soft one too long); over the soft limit it is throttled.
   */
  const withinOutputLimits = (c: Client): boolean => {
    const pending = pendingOutput(c);
    // The common case, checked between every two pipelined commands: under both limits.
    if (c.softSinceMs < 0 && (limits.outputSoft === 0 || pending <= limits.outputSoft) && (limits.outputHard === 0 || pending <= limits.outputHard)) return true;
    recordPeaks(c);
    const { verdict, softSinceMs } = checkOutput(limits, pending, c.softSinceMs, cachedMs);
    c.softSinceMs = softSinceMs;
    c.throttled = verdict === 'throttle';
    if (verdict !== 'close') return true;
    warn(outputLimitMessage(infoOf(c)));
    return false;
  };

  /** processCommand + call for one parsed command: -OOM instead of running (or of dying) when memory is short. */
  const runCommand = (ks: Keyspace, c: Client, argv: Uint8Array[]): void => {
    countCommand(ctx.work, argv);
    names.compare(argv[0]!);
    const before = c.out.length;
    if (denyOom!.refuses(argv)) {
      c.out.error(OOM_ERROR);
    } else {
      try {
        execute(ks, argv, c.session, c.out);
      } catch (error) {
        // Only the value heap being full is the client's answer; FlexOS faults end the image.
        if (!(error instanceof ValueStoreFullError)) throw error;
        c.out.error(OOM_ERROR);
      }
    }
    ctx.work.add('copy', Math.max(0, c.out.length - before)); // _addReplyToBuffer
    ctx.work.add('int', 1); // the reply's length or integer, ll2string
  };

  /** processInputBuffer: runs the buffered commands while the output limits allow; false to close. */
  const processInput = (ks: Keyspace, c: Client): boolean => {
    room.invalidate(); // lwip, newlib may share this heap and have allocated since
    for (;;) {
      if (!withinOutputLimits(c)) return false;
      if (c.throttled) return true; // the rest waits until the socket drains
      const command = c.parser.next();
      if (command === null) break;
      if ('error' in command) {
        c.out.error(`ERR ${command.error}`);
        c.closeAfterWrite = true;
        break;
      }
      if (command.argv.length === 0) continue;
      runCommand(ks, c, command.argv);
      if (c.session.quit) {
        c.closeAfterWrite = true;
        break;
      }
    }
    recordPeaks(c);
    return withinOutputLimits(c);
  };

  /** readQueryFromClient: false when the client must be closed (gone, or past the query buffer limit). */
  const readQuery = (c: Client): boolean => {
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
    if (c.parser.buffered > limits.queryBufferLimit) {
      warn(queryLimitMessage(infoOf(c), c.parser.head(64)));
      return false;
    }
    return true;
  };

  /** A client readable: read, then run what it sent. */
  const serve = (ks: Keyspace, c: Client): boolean => readQuery(c) && processInput(ks, c);

  /** A throttled client whose replies drained below the soft limit runs its waiting commands. */
  const resume = (ks: Keyspace, c: Client): boolean => {
    if (checkOutput(limits, pendingOutput(c), c.softSinceMs, cachedMs).verdict === 'throttle') return true;
    c.throttled = false;
    if (!processInput(ks, c)) return false;
    return pendingOutput(c) === 0 && !c.closeAfterWrite ? true : flush(c);
  };

  /**
   * clientsCron's part for the output limits: a client throttled too long is closed. One that has
   * drained is left throttled here: resume() runs its waiting commands on the next pass.
   */
  const closeStuckClients = (ks: Keyspace): void => {
    for (const c of clients.values()) {
      if (!c.throttled || checkOutput(limits, pendingOutput(c), c.softSinceMs, cachedMs).verdict !== 'close') continue;
      warn(outputLimitMessage(infoOf(c)));
      drop(ks, c);
    }
  };

  const clientBuffers = {
    normalBytes: (): number => {
      let sum = 0;
      for (const c of clients.values()) sum += bufferMemory(c);
      return sum;
    },
    recentMaxInput: (): number => peaks.input(cachedMs),
    recentMaxOutput: (): number => peaks.output(cachedMs),
  };

  return {
    exports: {
      main: (port, ...settings) => {
        limits = settingsFromMainArgs(settings);
        const ks = new Keyspace(store, { nowMs: () => cachedMs }, { port, work: ctx.work, maxmemory: limits.maxmemory });
        ks.server.clientBuffers = clientBuffers;
        denyOom = new DenyOom({ lookup: (name) => commandTable.lookup(name), limit: ks.memoryLimit, usedBytes: () => ks.storedBytes, room: (sizes) => room.fits(sizes) });
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
            if (!c.throttled) read8[c.fd >> 3]! |= 1 << (c.fd & 7);
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
              clients.set(fd, { fd, parser: new RespParser(), session: createSession(nextId++), out: new ReplyWriter(), pending: new OutputQueue(), closeAfterWrite: false, throttled: false, softSinceMs: -1 });
              ks.server.totalConnections++;
              ks.server.connectedClients = clients.size;
            }
          }
          // drop() deletes only the client being visited, which a Map iteration tolerates.
          for (const c of clients.values()) {
            let alive = true;
            const readable = !c.throttled && isSet(r, c.fd);
            if (readable) alive = serve(ks, c);
            if (alive && (c.pending.bytes > 0 || c.out.length > 0 || c.closeAfterWrite) && (readable || isSet(w, c.fd))) alive = flush(c);
            if (alive && c.throttled) alive = resume(ks, c);
            if (!alive) drop(ks, c);
          }
          if (cachedMs - lastCron >= CRON_MS) {
            lastCron = cachedMs;
            ks.activeExpireCycle?.(20);
            closeStuckClients(ks);
          }
        }
      },
    },
  };
}
