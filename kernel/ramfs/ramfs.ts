// ramfs: the in-memory filesystem under vfscore (FlexOS/Unikraft lib/ramfs, from OSv). The vnode
// tree is library-private state in this compartment's JS heap (vnode.ts, dentry.ts); file data lives
// in 4 KiB blocks of the compartment's private heap region (blocks.ts, file-io.ts). At init it
// unpacks the `initrd` device if one is attached (initrd.ts). This file assembles the units.

import type { LibraryContext, LibraryInstance } from '../abi/context.js';
import { CallerMemory } from './caller-memory.js';
import { Dentries } from './dentry.js';
import { FileIo } from './file-io.js';
import { getattrOp } from './getattr.js';
import { unpackInitrd } from './initrd.js';
import { readdirOp } from './readdir.js';
import { VnodeTable } from './vnode.js';

export { ROOT_INO } from './vnode.js';

export function create(ctx: LibraryContext): LibraryInstance {
  const vnodes = new VnodeTable({ store: { memory: ctx.memory, heap: ctx.heap } });
  const deps = { vnodes, caller: new CallerMemory(ctx.memory) };
  const dentries = new Dentries(deps);
  const io = new FileIo(deps);
  const work = ctx.work;
  /** OSv's ramfs_lookup: the directory's entries walked, the name compared (one step counted). */
  const named = (length: number): void => {
    work.add('walk', 1);
    work.add('compare', length);
  };
  /** Bytes moved between the caller's buffer and the file's blocks (ramfs_read/_write's memcpy). */
  const moved = (n: number): number => {
    if (n > 0) work.add('copy', n);
    return n;
  };

  return {
    init: () => unpackInitrd(vnodes, ctx),
    stop: () => vnodes.release(),
    // The vnode operations of exports.ts, in its order.
    exports: {
      mount: () => vnodes.root.ino,
      lookup: (dir, name, length, wantDir) => (named(length), dentries.lookup(dir, name, length, wantDir)),
      create: (dir, name, length, mode) => (named(length), dentries.create(dir, name, length, mode)),
      mkdir: (dir, name, length, mode) => dentries.mkdir(dir, name, length, mode),
      remove: (dir, name, length) => (named(length), dentries.remove(dir, name, length)),
      rmdir: (dir, name, length) => dentries.rmdir(dir, name, length),
      rename: (fromDir, fromName, fromLength, toDir, toName, toLength) => dentries.rename(fromDir, fromName, fromLength, toDir, toName, toLength),
      open: (ino, flags) => vnodes.open(ino, flags),
      close: (ino) => vnodes.close(ino),
      read: (ino, buffer, length, offset) => moved(io.read(ino, buffer, length, offset)),
      write: (ino, buffer, length, offset) => moved(io.write(ino, buffer, length, offset)),
      truncate: (ino, length) => io.truncate(ino, length),
      size: (ino) => io.size(ino),
      getattr: getattrOp(deps),
      readdir: readdirOp(deps),
    },
  };
}
