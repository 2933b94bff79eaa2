// An iperf2 TCP server on the library OS: accept a client, recv() into a buffer of the configured
// size until the client closes, count the bytes; one client at a time, as iperf -s serves a test.
// iperf2's TCP client needs nothing back: it measures on its side.

import type { LibraryContext, LibraryInstance } from '../../kernel/abi/context.js';
import { ERRNO } from '../../kernel/newlib/errno.js';
import { listenOn } from '../listen.js';

export function create(ctx: LibraryContext): LibraryInstance {
  const lwip = (fn: string) => ctx.import('lwip', fn);
  const accept = lwip('accept');
  const recv = lwip('recv');
  const close = lwip('close');
  let received = 0;

  return {
    exports: {
      received: () => received,
      main: (port, bufferBytes) => {
        if (!(Number.isInteger(bufferBytes) && bufferBytes >= 1 && bufferBytes <= 1 << 24)) return -ERRNO.EINVAL;
        const listener = listenOn(ctx, port, { backlog: 5, nonblocking: false });
        if (listener < 0) return listener;
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
