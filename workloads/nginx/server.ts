// The Nginx event loop on the library OS: one worker process, poll() over the listening socket
// and the connections, requests parsed incrementally, files read through vfscore (open, fstat,
// read, close per request, as nginx does with open_file_cache off), responses written through lwip.

import type { LibraryContext, LibraryInstance } from '../../kernel/abi/context.js';
import * as abi from '../../kernel/lwip/abi.js';
import { ERRNO } from '../../kernel/newlib/errno.js';
import { O_RDONLY, S_IFDIR, S_IFMT, STAT_BYTES, STAT_MODE, STAT_MTIME, STAT_SIZE } from '../../kernel/vfscore/flags.js';
import { HttpRequestParser, type HttpRequest } from './http-parser.js';
import { lengthArithmetic } from '../../kernel/abi/lengths.js';
import type { WorkMeter } from '../../kernel/abi/work.js';
import { ByteWriter, errorResponse, respond, type FileInfo, type FileSource } from './responder.js';
import { OutputQueue } from '../output-queue.js';
import { listenOn } from '../listen.js';

/** nginx's client_header_buffer_size is 1 KiB, large buffers 8 KiB; reads take up to 16 KiB here. */
const READ_BYTES = 16 * 1024;
const FILE_CHUNK = 64 * 1024;
const MAX_CONNECTIONS = 1000;

interface Connection {
  readonly fd: number;
  readonly parser: HttpRequestParser;
  readonly out: OutputQueue;
  closeAfterWrite: boolean;
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

export function create(ctx: LibraryContext): LibraryInstance {
  const lwip = (fn: string) => ctx.import('lwip', fn);
  const accept = lwip('accept');
  const poll = lwip('poll');
  const read = lwip('read');
  const write = lwip('write');
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
  let cachedMs = 0; // ngx_time_update() once per event-loop iteration
  const clock = { nowMs: () => cachedMs };

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

  const files: FileSource = {
    stat: (path) =>
      withPath(path, (p, n) => {
        const st = stack.shared(STAT_BYTES);
        return vfsStat(p, n, st) < 0 ? null : statInfo(st);
      }),
    // The errors below never leave the server: respond() catches them and answers 500, as nginx does
    // when a file it has just stat'ed cannot be read; so they stay plain Errors, with no code to match.
    read: (path) => {
      const fd = withPath(path, (p, n) => vfsOpen(p, n, O_RDONLY, 0));
      if (fd < 0) throw new Error(`open ${path}: ${fd}`);
      try {
        const size = stack.frame(() => {
          const st = stack.shared(STAT_BYTES);
          const r = vfsFstat(fd, st);
          return r < 0 ? r : statInfo(st).size;
        });
        if (size < 0) throw new Error(`fstat ${path}: ${size}`);
        const data = new Uint8Array(size);
        let done = 0;
        while (done < size) {
          const n = stack.frame(() => {
            const buf = stack.shared(Math.min(FILE_CHUNK, size - done));
            const got = vfsRead(fd, buf, Math.min(FILE_CHUNK, size - done));
            if (got > 0) data.set(memory.view(buf, got, 'read'), done);
            return got;
          });
          if (n <= 0) break;
          done += n;
        }
        return done === size ? data : data.subarray(0, done);
      } finally {
        vfsClose(fd);
      }
    },
  };

  /** Reads what arrived, answers every complete request; false when the connection must close. */
  const serve = (c: Connection): boolean => {
    const chunk = stack.frame(() => {
      const buf = stack.shared(READ_BYTES);
      const n = read(c.fd, buf, READ_BYTES);
      return n > 0 ? memory.readBytes(buf, n) : n;
    });
    if (typeof chunk === 'number') return chunk === -ERRNO.EAGAIN;
    c.parser.feed(chunk);
    ctx.work.add('parse', chunk.length); // ngx_http_parse_request_line / _header_line, a byte at a time
    const writer = new ByteWriter();
    for (;;) {
      const request = c.parser.next();
      if (request === null) break;
      if (request.kind === 'error') {
        errorResponse(request.status, writer, { clock });
        c.closeAfterWrite = true;
        break;
      }
      countRequest(ctx.work, request);
      const headerStart = writer.length;
      let response;
      try {
        response = respond(request, files, clock, writer);
      } catch {
        response = errorResponse(500, writer, { clock });
      }
      ctx.work.add('copy', writer.length - headerStart); // ngx_http_header_filter writes the header
      if (response.body) {
        c.out.push(writer.bytes().slice());
        writer.reset();
        c.out.push(response.body);
      }
      if (!response.keepAlive) {
        c.closeAfterWrite = true;
        break;
      }
    }
    c.out.push(writer.bytes().slice());
    return true;
  };

  return {
    exports: {
      main: (port) => {
        cachedMs = nowMs();
        const listener = listenOn(ctx, port, { backlog: 511, nonblocking: true });
        if (listener < 0) return listener;
        const connections = new Map<number, Connection>();
        const pollfds = ctx.sharedHeap.calloc(MAX_CONNECTIONS + 1, abi.POLLFD_BYTES);
        for (;;) {
          const order = [listener, ...connections.keys()];
          order.forEach((fd, i) => {
            const c = connections.get(fd);
            memory.write32(pollfds + i * abi.POLLFD_BYTES, fd);
            memory.write32(pollfds + i * abi.POLLFD_BYTES + 4, abi.POLLIN | (c && c.out.bytes > 0 ? abi.POLLOUT : 0));
          });
          const ready = poll(pollfds, order.length, 500);
          cachedMs = nowMs();
          if (ready < 0) return ready;
          order.forEach((fd, i) => {
            const revents = memory.read32(pollfds + i * abi.POLLFD_BYTES + 4) >>> 16;
            if (revents === 0) return;
            if (fd === listener) {
              for (;;) {
                if (connections.size >= MAX_CONNECTIONS) break;
                const client = accept(listener, 0, 0);
                if (client < 0) break;
                fcntl(client, abi.F_SETFL, abi.O_NONBLOCK);
                connections.set(client, { fd: client, parser: new HttpRequestParser({ lengths: lengthArithmetic(ctx) }), out: new OutputQueue(), closeAfterWrite: false });
              }
              return;
            }
            const c = connections.get(fd)!;
            let alive = revents & (abi.POLLIN | abi.POLLHUP | abi.POLLERR) ? serve(c) : true;
            if (alive && c.out.bytes > 0) alive = c.out.flush(c.fd, io) !== 'error';
            if (alive && c.closeAfterWrite && c.out.bytes === 0) alive = false;
            if (!alive) {
              close(c.fd);
              connections.delete(c.fd);
            }
          });
        }
      },
    },
  };
}
