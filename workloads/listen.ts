// The listening socket every server application opens on lwip: socket, SO_REUSEADDR, bind to the
// port on any address, listen, and optionally non-blocking. The option value and the sockaddr live
// in a frame annotated shared, since they cross into lwip.

import type { LibraryContext } from '../kernel/abi/context.js';
import * as abi from '../kernel/lwip/abi.js';

/** The listening fd, or a negative errno. The app must declare socket, setsockopt, bind, listen (and fcntl when non-blocking). */
export function listenOn(ctx: LibraryContext, port: number, options: { backlog: number; nonblocking: boolean }): number {
  const lwip = (fn: string) => ctx.import('lwip', fn);
  const { memory, stack } = ctx;
  const listener = lwip('socket')(abi.AF_INET, abi.SOCK_STREAM, 0);
  if (listener < 0) return listener;
  const setup = stack.frame(() => {
    const one = stack.shared(4);
    memory.write32(one, 1);
    lwip('setsockopt')(listener, abi.SOL_SOCKET, abi.SO_REUSEADDR, one, 4);
    const sa = stack.shared(abi.SOCKADDR_IN_BYTES);
    memory.view(sa, abi.SOCKADDR_IN_BYTES, 'write').set([abi.AF_INET, 0, (port >> 8) & 0xff, port & 0xff, 0, 0, 0, 0]);
    const r = lwip('bind')(listener, sa, abi.SOCKADDR_IN_BYTES);
    return r < 0 ? r : lwip('listen')(listener, options.backlog);
  });
  if (setup < 0) return setup;
  if (options.nonblocking) lwip('fcntl')(listener, abi.F_SETFL, abi.O_NONBLOCK);
  return listener;
}
