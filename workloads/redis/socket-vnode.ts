// The vnode lock FlexOS's read() and write() take on a socket: Redis calls them in vfscore, which
// runs vn_lock/vn_unlock (uklock -> uksched) around sock_net_read/sock_net_write (UK vfscore fops.c,
// vnode.c:162,175). Here Redis calls lwip directly, so it takes that lock itself.

/** uksched's uk_mutex_init, uk_mutex_lock and uk_mutex_unlock. */
export interface VnodeLockImports {
  readonly init: () => number;
  readonly lock: (mutex: number) => number;
  readonly unlock: (mutex: number) => number;
}

type Io = (fd: number, buf: number, len: number) => number;

/**
 * Wraps lwip's read and write in one lock and one unlock each: the "vn_lock / vn_unlock" rows of
 * FLEXOS-CALLS.md §1 (2 crossings per read and 2 per write when uksched is isolated). One mutex
 * stands for every socket's vnode: the crossings are what count, and one thread runs.
 */
export function vnodeLocked(imports: VnodeLockImports, io: { read: Io; write: Io }): { init(): boolean; read: Io; write: Io } {
  const { init, lock, unlock } = imports;
  let mutex = 0;
  const wrap =
    (call: Io): Io =>
    (fd, buf, len) => {
      lock(mutex);
      try {
        return call(fd, buf, len);
      } finally {
        unlock(mutex);
      }
    };
  return {
    init() {
      mutex = init();
      return mutex > 0;
    },
    read: wrap(io.read),
    write: wrap(io.write),
  };
}
