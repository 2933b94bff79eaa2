// fcntl() on an open fd: F_GETFL, and the POSIX record locks, which Unikraft's vfscore answers
// without keeping any (one image, one process: nobody else could hold a lock). Anything else is -EINVAL.

import { ERRNO } from '../newlib/errno.js';
import type { FdTable } from './fdtable.js';
import { F_GETFL, F_GETLK, F_SETLK, F_SETLKW } from './flags.js';

/** The operation (fd, cmd, arg) -> the flags for F_GETFL, 0 for a lock on a regular file. */
export function fcntlOp(fds: FdTable): (fd: number, cmd: number, arg: number) => number {
  return (fd, cmd, _arg) => {
    const f = fds.get(fd);
    if (!f) return -ERRNO.EBADF;
    if (cmd === F_GETFL) return f.flags;
    if (cmd === F_GETLK || cmd === F_SETLK || cmd === F_SETLKW) return f.kind === 'file' ? 0 : -ERRNO.EINVAL;
    return -ERRNO.EINVAL;
  };
}
