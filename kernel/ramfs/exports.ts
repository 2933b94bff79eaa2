// ramfs's exportsyms: the vnode operations vfscore calls on the in-memory filesystem (FlexOS/OSv
// ramfs_vnops: lookup, create, remove, rename, mkdir, rmdir, read, write, truncate, getattr, readdir).
// Nodes are named by inode number; names and buffers cross as address + length in simulated memory.

import type { LibraryDescriptor } from '../abi/library.js';

export const ramfs: LibraryDescriptor = {
  name: 'ramfs',
  exports: {
    /** VFS_MOUNT: the root directory's inode number. */
    mount: { args: [], returns: 'int' },
    /** (dir, name, nameLen, wantDir) -> ino; wantDir = 1 refuses a non-directory with -ENOTDIR. */
    lookup: { args: ['int', 'addr', 'int', 'int'], returns: 'int' },
    /** (dir, name, nameLen, mode) -> ino of a new empty regular file. */
    create: { args: ['int', 'addr', 'int', 'int'], returns: 'int' },
    mkdir: { args: ['int', 'addr', 'int', 'int'], returns: 'int' },
    /** unlink: (dir, name, nameLen) -> 0; the data goes when the last open reference closes. */
    remove: { args: ['int', 'addr', 'int'], returns: 'int' },
    rmdir: { args: ['int', 'addr', 'int'], returns: 'int' },
    /** (fromDir, fromName, fromLen, toDir, toName, toLen) -> 0; replaces a compatible target. */
    rename: { args: ['int', 'addr', 'int', 'int', 'addr', 'int'], returns: 'int' },
    /** VOP_OPEN: (ino, flags) -> 0 regular file | 1 directory; takes an open reference. */
    open: { args: ['int', 'int'], returns: 'int' },
    /** VOP_CLOSE: drops the open reference. */
    close: { args: ['int'], returns: 'int' },
    /** (ino, buf, len, offset) -> bytes read; buf must be memory ramfs can reach (shared). */
    read: { args: ['int', 'addr', 'int', 'int'], returns: 'int' },
    write: { args: ['int', 'addr', 'int', 'int'], returns: 'int' },
    truncate: { args: ['int', 'int'], returns: 'int' },
    /** Bytes in a regular file (lseek SEEK_END, O_APPEND). */
    size: { args: ['int'], returns: 'int' },
    /** (ino, statAddr): the stat struct of kernel/vfscore/flags.ts. */
    getattr: { args: ['int', 'addr'], returns: 'int' },
    /** (dir, index, nameBuf, bufLen) -> name length, 0 past the last entry ("." and ".." first). */
    readdir: { args: ['int', 'int', 'addr', 'int'], returns: 'int' },
  },
  // File blocks come from the compartment's private heap (ctx.heap) and are copied with memory views,
  // not newlib's memcpy, so ramfs calls no other library.
  calls: {},
  whitelist: [],
  implementation: new URL('./ramfs.js', import.meta.url).href,
};
