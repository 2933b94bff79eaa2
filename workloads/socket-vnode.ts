// The vnode lock FlexOS's read(), write() and writev() take on a socket: the apps call them in vfscore,
// which runs vn_lock/vn_unlock (uklock -> uksched) around sock_net_read/sock_net_write (UK vfscore
// fops.c, vnode.c:162,175). Here the apps call lwip directly, so they take that lock themselves.

/** uksched's uk_mutex_init, uk_mutex_lock and uk_mutex_unlock. */
export interface VnodeLockImports {
  readonly init: () => number;
  readonly lock: (mutex: number) => number;
  readonly unlock: (mutex: number) => number;
}

type Io = (fd: number, buf: number, len: number) => number;

/**
 * Wraps each of lwip's calls in `io` in one lock and one unlock: the "vn_lock / vn_unlock" rows of
 * FLEXOS-CALLS.md §1 (2 crossings per read and 2 per write when uksched is isolated). One mutex
 * stands for every socket's vnode: the crossings are what count, and one thread runs.
 */
export function vnodeLocked<K extends string>(imports: VnodeLockImports, io: Record<K, Io>): { init(): boolean } & Record<K, Io> {
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
  const locked = Object.fromEntries(Object.entries<Io>(io).map(([name, call]) => [name, wrap(call)])) as Record<K, Io>;
  return {
    ...locked,
    init() {
      mutex = init();
      return mutex > 0;
    },
  };
}
