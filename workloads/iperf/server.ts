// An iperf2 TCP server on the library OS: accept a client, recv() into a buffer of the configured
// size until the client closes, count the bytes; one client at a time, as iperf -s serves a test.
// iperf2's TCP client needs nothing back: it measures on its side.

import type { LibraryContext, LibraryInstance } from '../../compartments/context.js';
import * as abi from '../../kernel/lwip/abi.js';
import { ERRNO } from '../../kernel/newlib/errno.js';

export function create(ctx: LibraryContext): LibraryInstance {
  const lwip = (fn: string) => ctx.import('lwip', fn);
  const socket = lwip('socket');
  const setsockopt = lwip('setsockopt');
  const bind = lwip('bind');
  const listen = lwip('listen');
  const accept = lwip('accept');
  const recv = lwip('recv');
  const close = lwip('close');
  const memory = ctx.memory;
  const stack = ctx.stack;
  let received = 0;

  return {
    exports: {
      received: () => received,
      main: (port, bufferBytes) => {
        if (!(Number.isInteger(bufferBytes) && bufferBytes >= 1 && bufferBytes <= 1 << 24)) return -ERRNO.EINVAL;
        const listener = socket(abi.AF_INET, abi.SOCK_STREAM, 0);
        if (listener < 0) return listener;
        const setup = stack.frame(() => {
          const opt = stack.shared(4);
          memory.write32(opt, 1);
          setsockopt(listener, abi.SOL_SOCKET, abi.SO_REUSEADDR, opt, 4);
          const sa = stack.shared(abi.SOCKADDR_IN_BYTES);
          memory.view(sa, abi.SOCKADDR_IN_BYTES, 'write').set([abi.AF_INET, 0, (port >> 8) & 0xff, port & 0xff, 0, 0, 0, 0]);
          const r = bind(listener, sa, abi.SOCKADDR_IN_BYTES);
          return r < 0 ? r : listen(listener, 5);
        });
        if (setup < 0) return setup;
        // iperf mallocs its buffer; it crosses into lwip, so it comes from the shared heap.
        const buffer = ctx.sharedHeap.malloc(bufferBytes);
        if (buffer === 0) return -ERRNO.ENOMEM;
        for (;;) {
          const fd = accept(listener, 0, 0);
          if (fd < 0) continue;
          for (;;) {
            const n = recv(fd, buffer, bufferBytes, 0);
            if (n <= 0) break;
            received += n;
          }
          close(fd);
        }
      },
    },
  };
}
