// vfscore: the VFS of the library OS (FlexOS/Unikraft lib/vfscore). Owns the file descriptor table
// (fdtable.ts; fds 0-2 are the console, console.ts), resolves paths one component at a time through
// ramfs's vnode operations (lookup.ts) and holds a uksched mutex around every operation (mutex.ts),
// as FlexOS does; lwip's sockets take their fds from the same table (socket-files.ts). This file
// assembles the units and the exports table.

import type { LibraryContext, LibraryInstance } from '../abi/context.js';
import { Access } from './access.js';
import { Console } from './console.js';
import { fcntlOp } from './fcntl.js';
import { FdTable } from './fdtable.js';
import { FileOps } from './file-ops.js';
import { PathLookup } from './lookup.js';
import { VfsMutex } from './mutex.js';
import { PathOps } from './path-ops.js';
import { SocketFiles } from './socket-files.js';
import { importVnops } from './vnops.js';

export function create(ctx: LibraryContext): LibraryInstance {
  const vop = importVnops(ctx);
  const mutex = new VfsMutex({ init: ctx.import('uksched', 'uk_mutex_init'), lock: ctx.import('uksched', 'uk_mutex_lock'), unlock: ctx.import('uksched', 'uk_mutex_unlock') });
  const fds = new FdTable();
  const paths = new PathLookup({ memory: ctx.memory, vop });
  const files = new FileOps({ fds, vop, console: new Console(ctx) });
  const named = new PathOps({ fds, paths, vop });
  const access = new Access({ paths, vop, memory: ctx.memory, sharedHeap: ctx.sharedHeap });
  const sockets = new SocketFiles(fds);

  // The POSIX calls of exports.ts, in its order.
  const exports: Record<string, (...args: number[]) => number> = {
    open: (path, length, flags, mode) => named.open(path, length, flags, mode),
    close: (fd) => files.close(fd),
    read: (fd, buffer, length) => files.read(fd, buffer, length),
    write: (fd, buffer, length) => files.write(fd, buffer, length),
    pread: (fd, buffer, length, offset) => files.pread(fd, buffer, length, offset),
    pwrite: (fd, buffer, length, offset) => files.pwrite(fd, buffer, length, offset),
    lseek: (fd, offset, whence) => files.lseek(fd, offset, whence),
    fstat: (fd, statAddress) => files.fstat(fd, statAddress),
    stat: (path, length, statAddress) => named.stat(path, length, statAddress),
    fsync: (fd) => files.fsync(fd),
    fcntl: fcntlOp(fds),
    ftruncate: (fd, length) => files.ftruncate(fd, length),
    unlink: (path, length) => named.unlink(path, length),
    rename: (from, fromLength, to, toLength) => named.rename(from, fromLength, to, toLength),
    mkdir: (path, length, mode) => named.mkdir(path, length, mode),
    rmdir: (path, length) => named.rmdir(path, length),
    opendir: (path, length) => named.opendir(path, length),
    readdir: (fd, buffer, length) => files.readdir(fd, buffer, length),
    closedir: (fd) => files.closedir(fd),
    access: (path, length, mode) => access.access(path, length, mode),
  };

  return {
    init() {
      mutex.init();
      paths.mount();
      access.init();
    },
    stop() {
      access.stop();
    },
    exports: {
      ...Object.fromEntries(Object.entries(exports).map(([name, body]) => [name, mutex.locked(body)])),
      vfscore_alloc_fd: () => sockets.alloc(),
      vfscore_install_fd: (fd) => sockets.install(fd),
      vfscore_get_file: (fd) => sockets.get(fd),
      vfscore_put_file: (fd) => sockets.put(fd),
      vfscore_put_fd: (fd) => sockets.free(fd),
    },
  };
}
