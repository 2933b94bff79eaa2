// netdev: the guest driver library over the device memory the host backend serves. Payloads are
// copied between the rings and buffers in simulated memory, which must be reachable from this
// compartment (lwip's packet buffers come from the shared heap).

import type { LibraryContext, LibraryInstance } from '../abi/context.js';
import { NetdevDevice } from './device.js';
import { NETDEV_EVENT_NONE, NETDEV_EVENT_OPEN, NETDEV_EVENT_PEER_CLOSED, NETDEV_EVENT_RESET } from './exports.js';
import { ERRNO } from '../newlib/errno.js';
import { offsetOf } from '../../shm/address.js';

const WAIT_SLICE_MS = 50;

export function create(ctx: LibraryContext): LibraryInstance {
  const memory = ctx.memory;
  let device: NetdevDevice | null = null;
  const open: number[] = []; // connections with an rx side, in arrival order
  let next = 0;
  const dev = (): NetdevDevice => {
    if (!device) throw new RangeError('netdev: no device attached');
    return device;
  };
  const forget = (conn: number): void => {
    const i = open.indexOf(conn);
    if (i >= 0) open.splice(i, 1);
  };
  /** A connection the device does not know (RangeError) is ENOTCONN; a protection fault propagates. */
  const notConnected = (error: unknown): number => {
    if ((error as { code?: string }).code === 'FLEXOS_ERR_PROTECTION_FAULT') throw error;
    if (error instanceof RangeError) return -ERRNO.ENOTCONN;
    throw error;
  };
  const guarded = (body: () => number): number => {
    try {
      return body();
    } catch (error) {
      return notConnected(error);
    }
  };

  return {
    init() {
      device = NetdevDevice.attach(ctx.device('netdev'));
    },
    // A guest that sent and then has nothing to run (no poll pass follows) rings for what it sent.
    beforeIdle() {
      device?.kickIfPending();
    },
    exports: {
      netdev_poll: (out) => {
        const d = dev();
        // The tx notifications of the previous pass, one ring for all of them (see netdev_tx).
        d.kickIfPending();
        const event = d.pollEvent();
        if (!event) return NETDEV_EVENT_NONE;
        memory.write64(out, event.conn);
        if (event.type === 'open') {
          open.push(event.conn);
          return NETDEV_EVENT_OPEN;
        }
        if (event.type === 'reset') {
          forget(event.conn);
          return NETDEV_EVENT_RESET;
        }
        return NETDEV_EVENT_PEER_CLOSED;
      },
      netdev_rx_burst: (buf, len, connOut) => {
        const d = dev();
        const bytes = memory.region(buf, len, 'write');
        const start = offsetOf(buf);
        for (let tried = 0; tried < open.length; tried++) {
          next = (next + 1) % open.length;
          const conn = open[next] as number;
          const n = d.rxRead(conn, bytes, start, start + len);
          if (n > 0) {
            memory.write64(connOut, conn);
            return n;
          }
        }
        return 0;
      },
      netdev_tx: (conn, buf, len) => {
        try {
          const d = dev();
          const bytes = memory.region(buf, len, 'read');
          const start = offsetOf(buf);
          const n = d.txWrite(conn, bytes, start, start + len);
          // Like a virtio driver batching its notifications (Linux's xmit_more), the host is rung
          // once per poll pass (netdev_poll, netdev_wait) or when the CPU goes idle (beforeIdle),
          // rather than per packet; at once when the ring is full and the sender will wait on it.
          if (n < len) d.kick();
          return n;
        } catch (error) {
          return notConnected(error);
        }
      },
      netdev_tx_space: (conn) => {
        try {
          return dev().txSpace(conn);
        } catch (error) {
          return notConnected(error);
        }
      },
      netdev_close: (conn) =>
        guarded(() => {
          forget(conn);
          dev().close(conn);
          return 0;
        }),
      netdev_shutdown: (conn) =>
        guarded(() => {
          dev().shutdownWrite(conn);
          return 0;
        }),
      netdev_wait: (timeoutMs) => {
        const d = dev();
        return ctx.idle(() => {
          if (timeoutMs >= 0) return d.waitForWork(timeoutMs) ? 1 : 0;
          for (;;) {
            if (d.waitForWork(WAIT_SLICE_MS)) return 1;
            ctx.checkShutdown();
          }
        });
      },
    },
  };
}
