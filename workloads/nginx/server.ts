// The Nginx event loop on the library OS: one worker process, poll() over the listening socket
// and the connections, requests parsed incrementally, files read through vfscore (stat, open,
// fstat, reads, close per request, as nginx does with open_file_cache off), responses written
// through lwip: requests come in with recv(), gated straight into lwip, responses go out with
// writev(), which FlexOS runs in vfscore under the socket's vnode lock (FLEXOS-CALLS.md §2). Held
// to nginx's limits under abuse (limits.ts): a connection whose output is not taken stops being
// read, files stream buffer by buffer, and connections past worker_connections are refused.

import type { LibraryContext, LibraryInstance } from '../../kernel/abi/context.js';
import * as abi from '../../kernel/lwip/abi.js';
import { ERRNO } from '../../kernel/newlib/errno.js';
import { O_RDONLY, S_IFDIR, S_IFMT, STAT_BYTES, STAT_MODE, STAT_MTIME, STAT_SIZE } from '../../kernel/vfscore/flags.js';
import { HttpRequestParser, type HttpRequest } from './http-parser.js';
import { lengthArithmetic } from '../../kernel/abi/lengths.js';
import type { WorkMeter } from '../../kernel/abi/work.js';
import { ByteWriter, errorResponse, respond, type FileInfo, type FileSource, type OpenFile } from './responder.js';
import { HeapOutputQueue } from '../output-queue.js';
import { listenOn } from '../listen.js';
import { vnodeLocked } from '../socket-vnode.js';
import { checkedLimits, OUTPUT_BUFFER, OUTPUT_CAP, OUTPUT_HIGH, OUTPUT_LOW } from './limits.js';

/** nginx's client_header_buffer_size is 1 KiB, large buffers 8 KiB; reads take up to 16 KiB here. */
const READ_BYTES = 16 * 1024;

/** A file being sent: vfscore's fd, what is left of it. */
interface FileStream extends OpenFile {
  readonly fd: number;
  left: number;
}

interface Connection {
  readonly fd: number;
  readonly parser: HttpRequestParser;
  readonly out: HeapOutputQueue;
  /** The body being streamed; the next pipelined request waits for it. */
  file: FileStream | null;
  /** Output reached OUTPUT_HIGH: not read, requests not parsed, until it drains below OUTPUT_LOW. */
  paused: boolean;
  /** The client half-closed: answer what was read, then close. */
  eof: boolean;
  closeAfterWrite: boolean;
  /** When output was last taken by the client, or when the pending output began: send_timeout counts from here. */
  progressMs: number;
}

/**
 * What nginx 1.15 does in C per request beyond parsing and copying: each header name looked up in
 * the headers-in hash (hashed, a bucket walked, compared), the URI matched against the location and
 * mapped to a path, the request's pool created and destroyed, Content-Length and the dates formatted.
 */
function countRequest(work: WorkMeter, request: HttpRequest): void {
  for (const [name] of request.headers) {
    work.add('hash', name.length);
    work.add('walk', 1);
    work.add('compare', name.length);
  }
  work.add('compare', request.target.length);
  work.add('copy', request.target.length);
  work.add('alloc', 2);
  work.add('int', 2);
}

/** nginx's error-log time: `2026/12/03 15:20:01`. */
function logTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace(/-/g, '/').replace('T', ' ');
}

export function create(ctx: LibraryContext): LibraryInstance {
  const lwip = (fn: string) => ctx.import('lwip', fn);
  const accept = lwip('accept');
  const poll = lwip('poll');
  const recv = lwip('recv');
  const { write, init: vnodeInit } = vnodeLocked(
    { init: ctx.import('uksched', 'uk_mutex_init'), lock: ctx.import('uksched', 'uk_mutex_lock'), unlock: ctx.import('uksched', 'uk_mutex_unlock') },
    { write: lwip('write') },
  );
  const errnoSet = ctx.import('newlib', 'errno_set');
  const close = lwip('close');
  const fcntl = lwip('fcntl');
  const vfsOpen = ctx.import('vfscore', 'open');
  const vfsRead = ctx.import('vfscore', 'read');
  const vfsClose = ctx.import('vfscore', 'close');
  const vfsFstat = ctx.import('vfscore', 'fstat');
  const vfsStat = ctx.import('vfscore', 'stat');
  const nowMs = ctx.import('uktime', 'uk_time_now_ms');
  const memory = ctx.memory;
  const stack = ctx.stack;
  const io = { write, memory, stack };
  const encoder = new TextEncoder();
  const lengths = lengthArithmetic(ctx); // the parser's: UBSan-checked when nginx is hardened with ubsan
  let cachedMs = 0; // ngx_time_update() once per event-loop iteration
  const clock = { nowMs: () => cachedMs };
  const errorLog = (level: string, text: string): void => ctx.log(`${logTime(cachedMs)} [${level}] 1#0: ${text}\n`);

  /** A path in a shared frame, as (address, length). */
  const withPath = <T>(path: string, body: (address: number, length: number) => T): T =>
    stack.frame(() => {
      const bytes = encoder.encode(path);
      const address = stack.shared(bytes.length);
      memory.writeBytes(address, bytes);
      return body(address, bytes.length);
    });

  const statInfo = (st: number): FileInfo => ({
    size: memory.read64(st + STAT_SIZE),
    mtimeMs: memory.read64(st + STAT_MTIME),
    isDirectory: (memory.read32(st + STAT_MODE) & S_IFMT) === S_IFDIR,
  });

  // The errors below never leave the server: respond() catches them and answers 500, as nginx does
  // when a file it has just stat'ed cannot be read; so they stay plain Errors, with no code to match.
  const openFile = (path: string): FileStream => {
    const fd = withPath(path, (p, n) => vfsOpen(p, n, O_RDONLY, 0));
    if (fd < 0) throw new Error(`open ${path}: ${fd}`);
    const size = stack.frame(() => {
      const st = stack.shared(STAT_BYTES);
      const r = vfsFstat(fd, st);
      return r < 0 ? r : statInfo(st).size;
    });
    if (size < 0) {
      vfsClose(fd);
      throw new Error(`fstat ${path}: ${size}`);
    }
    return { fd, size, left: size };
  };

  const files: FileSource = {
    stat: (path) =>
      withPath(path, (p, n) => {
        const st = stack.shared(STAT_BYTES);
        return vfsStat(p, n, st) < 0 ? null : statInfo(st);
      }),
    // Bodies of at most one buffer (the index page): stat, open, fstat, one read, close.
    read: (path) => {
      const file = openFile(path);
      try {
        const data = new Uint8Array(file.size);
        let done = 0;
        while (done < file.size) {
          const n = stack.frame(() => {
            const want = Math.min(OUTPUT_BUFFER, file.size - done);
            const buf = stack.shared(want);
            const got = vfsRead(file.fd, buf, want);
            if (got > 0) data.set(memory.view(buf, got, 'read'), done);
            return got;
          });
          if (n <= 0) break;
          done += n;
        }
        return done === file.size ? data : data.subarray(0, done);
      } finally {
        vfsClose(file.fd);
      }
    },
    // Larger bodies: opened here, read a buffer at a time as the client takes them (pumpFile).
    open: openFile,
  };

  /** Queues bytes behind what is pending; false when the connection must close. */
  const send = (c: Connection, bytes: Uint8Array): boolean => {
    const state = c.out.send(c.fd, bytes);
    return state !== 'error' && state !== 'nomem';
  };

  /**
   * Reads the file being sent, one buffer per read, while the output is below OUTPUT_HIGH: a file
   * of n bytes costs ceil(n / 32 KiB) vfscore reads (plus open, fstat, close), and at most two
   * buffers of it are pending at once. False when the connection must close.
   */
  const pumpFile = (c: Connection): boolean => {
    const file = c.file!;
    while (file.left > 0 && c.out.bytes < OUTPUT_HIGH) {
      const state = stack.frame(() => {
        const want = Math.min(OUTPUT_BUFFER, file.left);
        const buf = stack.shared(want);
        const got = vfsRead(file.fd, buf, want);
        if (got <= 0) return 'error'; // the file shrank under us: nginx closes ("file ... was truncated")
        file.left -= got;
        return c.out.sendFrom(c.fd, buf, got);
      });
      if (state === 'error' || state === 'nomem') return false;
    }
    if (file.left === 0) {
      vfsClose(file.fd);
      c.file = null;
    }
    return true;
  };

  /**
   * Answers the complete requests the parser holds, in order, until the output reaches
   * OUTPUT_HIGH or a body is streaming. Answers of one read share a buffer and one write, as
   * before backpressure. 'all' when nothing is left to answer until more is read, 'more' when it
   * stopped early, 'close' when the connection must close.
   */
  const answer = (c: Connection): 'all' | 'more' | 'close' => {
    const writer = new ByteWriter();
    let all = false;
    while (!c.closeAfterWrite && c.file === null && c.out.bytes + writer.length < OUTPUT_HIGH) {
      const request = c.parser.next();
      if (request === null) {
        all = true;
        break;
      }
      if (request.kind === 'error') {
        errorResponse(request.status, writer, { clock });
        c.closeAfterWrite = true;
        break;
      }
      countRequest(ctx.work, request);
      const headerStart = writer.length;
      let response;
      try {
        response = respond(request, files, clock, writer, { inlineBodyLimit: OUTPUT_BUFFER });
      } catch {
        response = errorResponse(500, writer, { clock });
      }
      ctx.work.add('copy', writer.length - headerStart); // ngx_http_header_filter writes the header
      if (response.body) writer.writeBytes(response.body); // a file that grew since its stat
      if (response.file) c.file = response.file as FileStream;
      if (!response.keepAlive) c.closeAfterWrite = true;
      else errnoSet(0); // ngx_http_set_keepalive's ngx_set_socket_errno(0) (ngx_http_request.c:3177)
    }
    if (!send(c, writer.bytes())) return 'close';
    return all || c.closeAfterWrite ? 'all' : 'more';
  };

  /** Moves a connection on after poll: output, input, answers, file. False when it must close. */
  const step = (c: Connection, revents: number): boolean => {
    // Nothing pending until now: send_timeout counts from this response, not from the last one.
    if (c.out.bytes === 0 && c.file === null) c.progressMs = cachedMs;
    if (c.out.bytes > 0) {
      const before = c.out.bytes;
      if (c.out.flush(c.fd) === 'error') return false;
      if (c.out.bytes < before) c.progressMs = cachedMs;
    }
    if (c.paused && c.out.bytes < OUTPUT_LOW) c.paused = false;
    const reading = !c.paused && c.file === null && !c.eof && !c.closeAfterWrite;
    if (reading && revents & (abi.POLLIN | abi.POLLHUP | abi.POLLERR)) {
      const chunk = stack.frame(() => {
        const buf = stack.shared(READ_BYTES);
        const n = recv(c.fd, buf, READ_BYTES, 0); // ngx_unix_recv
        return n > 0 ? memory.readBytes(buf, n) : n;
      });
      if (typeof chunk === 'number') {
        if (chunk === 0) c.eof = true;
        else if (chunk !== -ERRNO.EAGAIN) return false;
      } else {
        c.parser.feed(chunk);
        ctx.work.add('parse', chunk.length); // ngx_http_parse_request_line / _header_line, a byte at a time
      }
    }
    for (;;) {
      if (c.file !== null && !pumpFile(c)) return false;
      if (c.file !== null || c.paused) break;
      if (c.out.bytes >= OUTPUT_HIGH) {
        c.paused = true;
        break;
      }
      const answered = answer(c);
      if (answered === 'close') return false;
      if (answered === 'all' && c.file === null) break;
    }
    if (c.out.bytes >= OUTPUT_HIGH) c.paused = true;
    if (c.out.bytes > OUTPUT_CAP) {
      errorLog('error', `*${c.fd} ${c.out.bytes} bytes of output pending, over ${OUTPUT_CAP}: closing connection`);
      return false;
    }
    if (c.out.bytes === 0) c.progressMs = cachedMs;
    const done = c.out.bytes === 0 && c.file === null;
    if (done && (c.closeAfterWrite || c.eof)) return false;
    return true;
  };

  return {
    exports: {
      main: (port, workerConnections, sendTimeoutS) => {
        const limits = checkedLimits({
          ...(workerConnections === undefined ? {} : { workerConnections }),
          ...(sendTimeoutS === undefined ? {} : { sendTimeoutS }),
        });
        const sendTimeoutMs = limits.sendTimeoutS * 1000;
        cachedMs = nowMs();
        if (!vnodeInit()) return -ERRNO.ENOMEM;
        const listener = listenOn(ctx, port, { backlog: 511, nonblocking: true });
        if (listener < 0) return listener;
        const connections = new Map<number, Connection>();
        const pollfds = ctx.sharedHeap.calloc(limits.workerConnections, abi.POLLFD_BYTES);
        let refusedLoggedAt = -1;
        const finish = (c: Connection): void => {
          if (c.file !== null) vfsClose(c.file.fd);
          c.out.release();
          close(c.fd);
          connections.delete(c.fd);
        };
        const acceptAll = (): void => {
          for (;;) {
            const client = accept(listener, 0, 0);
            if (client < 0) break;
            // ngx_get_connection(): no free connection, the socket is closed as soon as accepted.
            if (connections.size + 1 >= limits.workerConnections) {
              close(client);
              // nginx logs every refusal; a flood of them would bury the console, so once a second here.
              const second = Math.floor(cachedMs / 1000);
              if (second !== refusedLoggedAt) errorLog('alert', `${limits.workerConnections} worker_connections are not enough`);
              refusedLoggedAt = second;
              continue;
            }
            fcntl(client, abi.F_SETFL, abi.O_NONBLOCK);
            const out = new HeapOutputQueue(ctx.heap, io);
            connections.set(client, { fd: client, parser: new HttpRequestParser({ lengths }), out, file: null, paused: false, eof: false, closeAfterWrite: false, progressMs: cachedMs });
          }
        };
        for (;;) {
          const order = [listener, ...connections.keys()];
          order.forEach((fd, i) => {
            const c = connections.get(fd);
            const sending = c !== undefined && (c.out.bytes > 0 || c.file !== null);
            const reading = c === undefined || (!c.paused && c.file === null && !c.eof && !c.closeAfterWrite);
            memory.write32(pollfds + i * abi.POLLFD_BYTES, fd);
            memory.write32(pollfds + i * abi.POLLFD_BYTES + 4, (reading ? abi.POLLIN : 0) | (sending ? abi.POLLOUT : 0));
          });
          const ready = poll(pollfds, order.length, 500);
          cachedMs = nowMs();
          if (ready < 0) return ready;
          order.forEach((fd, i) => {
            const revents = memory.read32(pollfds + i * abi.POLLFD_BYTES + 4) >>> 16;
            if (fd === listener) {
              if (revents !== 0) acceptAll();
              return;
            }
            const c = connections.get(fd)!;
            if (revents !== 0 && !step(c, revents)) {
              finish(c);
              return;
            }
            // ngx_http_writer(): send_timeout while the client takes nothing, whatever poll reported
            // (a client that half-closed and stopped reading has POLLHUP on every pass).
            if ((c.out.bytes > 0 || c.file !== null) && cachedMs - c.progressMs > sendTimeoutMs) {
              errorLog('info', `*${c.fd} client timed out (110: Connection timed out) while sending response to client`);
              finish(c);
            }
          });
        }
      },
    },
  };
}
