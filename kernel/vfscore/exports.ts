// vfscore's exportsyms: the POSIX file API of the library OS (FlexOS/Unikraft lib/vfscore: sys_open,
// sys_read, ...). Paths and buffers cross as address + length in simulated memory; errors return a
// negative errno; flags and the stat layout are in flags.ts.

import type { FunctionSignature, LibraryDescriptor } from '../abi/library.js';

const fn = (...args: FunctionSignature['args']): FunctionSignature => ({ args, returns: 'int' });

/** The vnode operations vfscore calls on the mounted filesystem. */
export const RAMFS_VNOPS = ['mount', 'lookup', 'create', 'mkdir', 'remove', 'rmdir', 'rename', 'open', 'close', 'read', 'write', 'truncate', 'size', 'getattr', 'readdir'] as const;

export const vfscore: LibraryDescriptor = {
  name: 'vfscore',
  exports: {
    /** (path, pathLen, flags, mode) -> fd */
    open: fn('addr', 'int', 'int', 'int'),
    close: fn('int'),
    /** (fd, buf, len) -> bytes */
    read: fn('int', 'addr', 'int'),
    write: fn('int', 'addr', 'int'),
    /** (fd, buf, len, offset) -> bytes; the file position is unchanged */
    pread: fn('int', 'addr', 'int', 'int'),
    pwrite: fn('int', 'addr', 'int', 'int'),
    /** (fd, offset, whence) -> new position */
    lseek: fn('int', 'int', 'int'),
    fstat: fn('int', 'addr'),
    /** (path, pathLen, statAddr) */
    stat: fn('addr', 'int', 'addr'),
    fsync: fn('int'),
    /** (fd, cmd, arg): F_GETFL, and the record locks F_GETLK/F_SETLK/F_SETLKW, which succeed without locking (as Unikraft's vfscore) */
    fcntl: fn('int', 'int', 'int'),
    ftruncate: fn('int', 'int'),
    unlink: fn('addr', 'int'),
    /** (from, fromLen, to, toLen) */
    rename: fn('addr', 'int', 'addr', 'int'),
    mkdir: fn('addr', 'int', 'int'),
    rmdir: fn('addr', 'int'),
    /** (path, pathLen) -> a directory fd */
    opendir: fn('addr', 'int'),
    /** (dirfd, nameBuf, bufLen) -> name length, 0 at the end */
    readdir: fn('int', 'addr', 'int'),
    closedir: fn('int'),
    /** (path, pathLen, F_OK | R_OK | W_OK | X_OK) */
    access: fn('addr', 'int', 'int'),
    // The socket files lwip keeps its fds in (socket-files.ts); no vfscore mutex around these.
    /** () -> the lowest free fd, held for a socket */
    vfscore_alloc_fd: fn(),
    /** (fd) -> 0: the socket's file is installed at fd */
    vfscore_install_fd: fn('int'),
    /** (fd) -> fd while it is a socket's file, else -EBADF */
    vfscore_get_file: fn('int'),
    /** (fd) -> 0: the reference vfscore_get_file took is dropped */
    vfscore_put_file: fn('int'),
    /** (fd) -> 0: the socket's fd is free again */
    vfscore_put_fd: fn('int'),
  },
  calls: {
    // FlexOS's vfscore takes a uksched mutex around each operation.
    uksched: ['uk_mutex_init', 'uk_mutex_lock', 'uk_mutex_unlock'],
    ramfs: RAMFS_VNOPS,
  },
  // The stat scratch vfscore hands ramfs for access(X_OK) is allocated from the shared heap.
  whitelist: ['access_stat'],
  implementation: new URL('./vfscore.js', import.meta.url).href,
};
