// ramfs's readdir vnode operation: a directory read one entry at a time by index, "." and ".." first,
// from a listing kept until the directory changes (FlexOS/OSv ramfs_readdir, as getdents: one name a call).

import { ERRNO } from '../newlib/errno.js';
import { bytesOf } from './caller-memory.js';
import type { DirVnode, VnodeDeps } from './vnode.js';

const E = ERRNO;
const validCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

/** The names readdir walks by index, rebuilt only after VnodeTable.touch cleared them. */
export function listingOf(dir: DirVnode): readonly string[] {
  return (dir.listing ??= ['.', '..', ...dir.entries.keys()]);
}

/** The operation (dir, index, nameBuf, bufLen) -> the name's length, 0 past the last entry. */
export function readdirOp(deps: VnodeDeps): (ino: number, index: number, buffer: number, length: number) => number {
  const { vnodes, caller } = deps;
  return (ino, index, buffer, length) => {
    const node = vnodes.get(ino);
    if (!node) return -E.EBADF;
    if (node.kind !== 'dir') return -E.ENOTDIR;
    if (!validCount(index) || !validCount(length)) return -E.EINVAL;
    if (node.nlink === 0) return 0; // removed while open: empty
    const key = listingOf(node)[index];
    if (key === undefined) return 0;
    const bytes = bytesOf(key);
    if (bytes.length > length) return -E.EINVAL; // getdents: the buffer is too small for the entry
    const rc = caller.write(buffer, bytes);
    return rc < 0 ? rc : bytes.length;
  };
}
