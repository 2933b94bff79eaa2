// The Redis 5 event loop on the library OS (ae_select): one thread, select() over the listening
// socket and the clients, reads into a buffer annotated shared (placed by the stack strategy),
// replies written back through lwip. Keys' values live in this compartment's heap region.

import type { WorkMeter } from '../../kernel/abi/work.js';
import type { CheckedInts, LibraryContext, LibraryInstance } from '../../kernel/abi/context.js';
import * as abi from '../../kernel/lwip/abi.js';
import { ERRNO } from '../../kernel/newlib/errno.js';
import { CommandNames } from './command-name.js';
import { vnodeLocked } from '../socket-vnode.js';
import { clientClosed, createCommandTable, type CommandTable } from './commands.js';
import { createSession, type Session } from './commands/common.js';
import { blockedClients } from './commands/blocking.js';
import { registerClient, type ClientRecord } from './commands/introspection.js';
import { flagTransaction } from './commands/transactions.js';
import { inPubSubContext } from './commands/pubsub.js';
import { idleTimeoutSeconds, setBootValue } from './config-params.js';
import { Keyspace, NO_ADDRESS, type ValueStore } from './keyspace.js';
import { offsetOf } from '../../shm/address.js';
import { ReplyWriter, RespParser } from './resp.js';
import { lengthArithmetic } from '../../kernel/abi/lengths.js';
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
  /** CLIENT KILL from another client: dropped on the loop's next pass. */
  killed: boolean;
  /** The last command's name as sent (CLIENT LIST's cmd=). */
  lastName: Uint8Array | null;
  readonly record: ClientRecord;
  /** Pending replies over the soft output limit: its commands wait and its socket is not read. */
  throttled: boolean;
  /** When its pending replies went over the soft limit (server.mstime); -1 while under. */
  softSinceMs: number;
}

/** getClientPeerId: "ip:port" from the sockaddr_in accept() filled in. */
function peerId(bytes: Uint8Array): string {
  const port = (bytes[2]! << 8) | bytes[3]!;
  return `${bytes[4]}.${bytes[5]}.${bytes[6]}.${bytes[7]}:${port}`;
}

/** What createClient is given besides the keyspace. */
interface NewClient {
  readonly fd: number;
  readonly id: number;
  readonly addr: string;
  readonly nowMs: number;
  readonly lengths: CheckedInts;
  /** The server's command table: CLIENT LIST names only the commands in it. */
  readonly table: CommandTable;
}

/** createClient: the connection's state, registered for CLIENT LIST/KILL. */
function newClient(ks: Keyspace, { fd, id, addr, nowMs, lengths, table }: NewClient): Client {
  const session = createSession(id);
  const parser = new RespParser(undefined, lengths); // its length arithmetic UBSan-checked under ubsan
  const out = new ReplyWriter();
  const pending = new OutputQueue();
  const c: Client = {
    fd, parser, session, out, pending, closeAfterWrite: false, killed: false, lastName: null, throttled: false, softSinceMs: -1,
    record: {
      session, addr, fd, createdMs: nowMs, lastInteractionMs: nowMs,
      lastCommand: () => lastCommandName(c.lastName, table),
      queryBuffer: () => parser.buffered,
      outputBuffer: () => pending.bytes + out.length,
      kill: () => {
        // freeClient: the server forgets it at once (a push in the same pass must not serve it, a
        // PUBLISH not count it); its socket is closed on the loop's next pass.
        c.killed = true;
        clientClosed(ks, session, out);
      },
    },
  };
  registerClient(ks, c.record);
  return c;
}

/**
 * clientsCronHandleTimeout: with CONFIG timeout set, the clients idle for longer, except subscribers
 * (Redis also spares replicas and blocked clients).
 */
function idleClients(ks: Keyspace, clients: Iterable<Client>, nowMs: number): Client[] {
  const seconds = idleTimeoutSeconds(ks);
  if (seconds === 0) return [];
  const idle: Client[] = [];
  for (const c of clients) {
    if (inPubSubContext(c.session) || blockedClients(ks).isBlocked(c.session)) continue; // as Redis: blocked clients time out by their own deadline
    if (Math.floor(nowMs / 1000) - Math.floor(c.record.lastInteractionMs / 1000) > seconds) idle.push(c);
  }
  return idle;
}

/** What a command's run leaves in the client's record (c->lastcmd, c->lastinteraction): CLIENT LIST names it lazily. */
function noteCommand(c: Client, argv: readonly Uint8Array[], nowMs: number): void {
  c.record.lastInteractionMs = nowMs;
  c.lastName = argv[0]!;
}

/** c->lastcmd->name, or NULL for a name not in the table. */
function lastCommandName(raw: Uint8Array | null, table: CommandTable): string {
  if (raw === null || raw.length > 32) return 'NULL';
  let s = '';
  for (const ch of raw) s += String.fromCharCode(ch >= 0x41 && ch <= 0x5a ? ch | 0x20 : ch);
  return table.lookup(s) !== undefined ? s : 'NULL';
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

/**
 * The event loop's side of the blocking commands (commands/blocking.ts, Redis blocked.c): a parked client
 * runs no further commands; after each command the waiters of keys it made ready are served; after each
 * pass the waiters whose timeout passed answer *-1, and every served client runs what it sent meanwhile.
 */
function blockingLoop(ks: Keyspace) {
  const blocked = blockedClients(ks);
  const resumed = new Set<Session>();
  return {
    isBlocked: (session: Session): boolean => blocked.isBlocked(session),
    afterCommand: (): void => {
      if (blocked.count > 0) for (const s of blocked.serveReady()) resumed.add(s);
    },
    /** select()'s timeout: the cron period, or less when a blocked client's deadline comes first. */
    timeoutMs: (nowMs: number): number => {
      const d = blocked.nextDeadline();
      return d === null ? CRON_MS : Math.max(0, Math.min(CRON_MS, d - nowMs + 1));
    },
    endOfPass: (nowMs: number, resume: (session: Session) => void): void => {
      if (blocked.count > 0) for (const s of blocked.expire(nowMs)) resumed.add(s);
      for (const s of resumed) {
        resumed.delete(s); // a Set iteration sees the sessions resume() adds meanwhile
        resume(s);
      }
    },
  };
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
  const commandTable = createCommandTable(); // the one table this server runs and checks commands against
  const known = (name: string): boolean => commandTable.lookup(name) !== undefined;
  const names = new CommandNames({ memory: ctx.memory, heap: ctx.sharedHeap, strcasecmp: ctx.import('newlib', 'strcasecmp'), known });
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
  let blocking: ReturnType<typeof blockingLoop> | null = null;
  let limits = settingsFromMainArgs([]);
  const peaks = new RecentPeaks();
  const room = new HeapRoom(ctx.heap);
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
    clientClosed(ks, c.session, c.out);
    close(c.fd);
    clients.delete(c.fd);
    ks.server.connectedClients = clients.size;
  };

  const recordPeaks = (c: Client): void => peaks.record(cachedMs, c.parser.capacity, c.out.capacity + c.pending.bytes);

  /**
   * checkClientOutputBufferLimits, between two commands and once a pass: false when the client must be
   * closed (past the hard limit, or over the soft one too long); over the soft limit it is throttled.
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
    noteCommand(c, argv, cachedMs);
    if (denyOom!.refuses(argv)) {
      flagTransaction(c.session); // in MULTI, EXEC will answer EXECABORT, as after any refusal there
      c.out.error(OOM_ERROR);
    } else {
      try {
        commandTable.execute(ks, argv, c.session, c.out);
      } catch (error) {
        // Only the value heap being full is the client's answer; FlexOS faults end the image.
        if (!(error instanceof ValueStoreFullError)) throw error;
        c.out.error(OOM_ERROR);
      }
    }
    ctx.work.add('copy', Math.max(0, c.out.length - before)); // _addReplyToBuffer
    ctx.work.add('int', 1); // the reply's length or integer, ll2string
    blocking?.afterCommand(); // a write may have made a blocked client's key ready
  };

  /**
   * processInputBuffer: runs the buffered commands while the output limits allow and no command has
   * blocked the client; false to close.
   */
  const processInput = (ks: Keyspace, c: Client): boolean => {
    room.invalidate(); // lwip, newlib may share this heap and have allocated since
    for (;;) {
      if (!withinOutputLimits(c)) return false;
      if (c.throttled) return true; // the rest waits until the socket drains
      if (blocking?.isBlocked(c.session) === true) break;
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
    c.record.lastInteractionMs = cachedMs;
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
        setBootValue(ks, 'client-query-buffer-limit', String(limits.queryBufferLimit));
        denyOom = new DenyOom({ lookup: (name) => commandTable.lookup(name), limit: ks.memoryLimit, usedBytes: () => ks.storedBytes, room: (sizes) => room.fits(sizes) });
        cachedMs = nowMs();
        blocking = blockingLoop(ks);
        if (!names.init() || !vnode.init()) return -ERRNO.ENOMEM;
        const listener = listenOn(ctx, port, { backlog: 511, nonblocking: true });
        if (listener < 0) return listener;
        const sets = ctx.sharedHeap.calloc(1, 2 * abi.FD_SET_BYTES + abi.TIMEVAL_BYTES);
        const peer = ctx.sharedHeap.calloc(1, abi.SOCKADDR_IN_BYTES + 4); // accept()'s sockaddr_in and its length
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
          memory.write64(tv + 8, blocking.timeoutMs(cachedMs) * 1000);
          const ready = select(maxfd + 1, readfds, writefds, 0, tv);
          cachedMs = nowMs();
          if (ready < 0) return ready;
          copyOut(read8, readfds);
          copyOut(write8, writefds);
          const r = read8;
          const w = write8;
          if (isSet(r, listener)) {
            for (;;) {
              memory.write32(peer + abi.SOCKADDR_IN_BYTES, abi.SOCKADDR_IN_BYTES);
              const fd = accept(listener, peer, peer + abi.SOCKADDR_IN_BYTES);
              if (fd < 0) break;
              const addr = peerId(memory.view(peer, abi.SOCKADDR_IN_BYTES, 'read'));
              fcntl(fd, abi.F_SETFL, abi.O_NONBLOCK);
              stack.frame(() => {
                const one = stack.shared(4);
                memory.write32(one, 1);
                setsockopt(fd, abi.IPPROTO_TCP, abi.TCP_NODELAY, one, 4);
              });
              clients.set(fd, newClient(ks, { fd, id: nextId++, addr, nowMs: cachedMs, lengths: lengthArithmetic(ctx), table: commandTable }));
              ks.server.totalConnections++;
              ks.server.connectedClients = clients.size;
            }
          }
          // drop() deletes only the client being visited, which a Map iteration tolerates. The output
          // limits are checked for every client, not only those that ran a command: a subscriber's
          // buffer grows by other clients' PUBLISH (Redis checks on every addReply), and a throttled
          // client over the soft limit for its soft seconds is closed here (Redis: clientsCron).
          for (const c of clients.values()) {
            const wasThrottled = c.throttled; // its socket was left out of select()'s read set
            let alive = !c.killed && withinOutputLimits(c);
            const readable = !c.throttled && isSet(r, c.fd);
            if (alive && readable) alive = serve(ks, c);
            if (alive && (c.pending.bytes > 0 || c.out.length > 0 || c.closeAfterWrite) && (readable || isSet(w, c.fd))) alive = flush(c);
            if (alive && (c.throttled || wasThrottled)) alive = resume(ks, c); // its waiting commands run once under the soft limit
            if (!alive) drop(ks, c);
          }
          blocking.endOfPass(cachedMs, (session) => {
            for (const c of clients.values()) if (c.session === session && (c.killed || !processInput(ks, c))) drop(ks, c);
          });
          if (cachedMs - lastCron >= CRON_MS) {
            lastCron = cachedMs;
            ks.activeExpireCycle?.(20);
            for (const c of idleClients(ks, clients.values(), cachedMs)) drop(ks, c);
          }
        }
      },
    },
  };
}
