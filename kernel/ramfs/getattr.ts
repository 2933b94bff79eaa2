// ramfs's getattr vnode operation: a vnode's attributes as the stat struct of kernel/vfscore/flags.ts,
// written into the caller's memory (FlexOS/OSv ramfs_getattr).

import { ERRNO } from '../newlib/errno.js';
import { STAT_BYTES, encodeStat, type Stat } from '../vfscore/flags.js';
import { BLOCK_BYTES } from './blocks.js';
import type { Vnode, VnodeDeps } from './vnode.js';

/** st_dev of every ramfs vnode: ramfs is the one mounted filesystem. */
export const RAMFS_DEV = 1;

/** A vnode's stat: a file's size and allocated blocks, 0 for a directory. */
export function statOf(node: Vnode): Stat {
  const isFile = node.kind === 'file';
  return {
    size: isFile ? node.data.size : 0,
    mtimeMs: node.mtimeMs,
    ctimeMs: node.ctimeMs,
    mode: node.mode,
    nlink: node.nlink,
    ino: node.ino,
    blksize: BLOCK_BYTES,
    blocks: isFile ? (node.data.allocatedBlocks * BLOCK_BYTES) / 512 : 0,
    dev: RAMFS_DEV,
  };
}

/** The operation (ino, statAddress) -> 0, or -ENOENT / -EFAULT. */
export function getattrOp(deps: VnodeDeps): (ino: number, statAddress: number) => number {
  const { vnodes, caller } = deps;
  return (ino, statAddress) => {
    const node = vnodes.get(ino);
    if (!node) return -ERRNO.ENOENT;
    const target = caller.view(statAddress, STAT_BYTES, 'write');
    if (typeof target === 'number') return target;
    encodeStat(statOf(node), target);
    return 0;
  };
}
