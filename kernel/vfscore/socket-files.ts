// The socket files of vfscore (Unikraft vfscore fd.c, as FlexOS's lib-lwip sockets.c uses it): lwip
// takes each socket's fd from vfscore's table (vfscore_alloc_fd, then vfscore_install_fd) and turns an
// fd back into its socket through that table (vfscore_get_file, vfscore_put_file), so with lwip in
// another compartment each of these is a gate (FLEXOS-CALLS.md §1 "select fd translation", §2 Nginx
// recv). The table is guarded by saving the interrupt flag, not by a mutex: no uksched call here.

import { ERRNO } from '../newlib/errno.js';
import type { FdTable } from './fdtable.js';
import { O_RDWR } from './flags.js';

export class SocketFiles {
  readonly #fds: FdTable;
  /** Fds allocated to a socket whose file is installed (vfscore_install_fd). */
  readonly #installed = new Set<number>();

  constructor(fds: FdTable) {
    this.#fds = fds;
  }

  /** vfscore_alloc_fd: the lowest free fd, held for a socket; -EMFILE when none is free. */
  alloc(): number {
    const fd = this.#fds.lowestFree();
    if (fd < 0) return fd;
    this.#fds.install(fd, { kind: 'socket', ino: 0, flags: O_RDWR, pos: 0 });
    return fd;
  }

  /** vfscore_install_fd: the socket's file behind an fd `alloc` gave; -EBADF for any other fd. */
  install(fd: number): number {
    if (this.#fds.entry(fd)?.kind !== 'socket' || this.#installed.has(fd)) return -ERRNO.EBADF;
    this.#installed.add(fd);
    return 0;
  }

  /** vfscore_get_file: `fd` when it is an installed socket file, else -EBADF. */
  get(fd: number): number {
    return this.#installed.has(fd) ? fd : -ERRNO.EBADF;
  }

  /** vfscore_put_file: the reference `get` took is dropped; -EBADF for an fd that is no socket file. */
  put(fd: number): number {
    return this.#installed.has(fd) ? 0 : -ERRNO.EBADF;
  }

  /** vfscore_put_fd: the socket's fd is free again; -EBADF for an fd that is no socket's. */
  free(fd: number): number {
    if (this.#fds.entry(fd)?.kind !== 'socket') return -ERRNO.EBADF;
    this.#installed.delete(fd);
    this.#fds.remove(fd);
    return 0;
  }
}
