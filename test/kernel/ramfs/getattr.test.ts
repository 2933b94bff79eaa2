// ramfs's getattr alone: a vnode's attributes as the stat struct (size, 512-byte blocks actually
// allocated, block size, device, type and mode, links, inode, times), written into the caller's
// memory, with -ENOENT for an unknown inode and -EFAULT for a struct ramfs cannot write.

import t from 'tap';
import { BLOCK_BYTES } from '../../../kernel/ramfs/blocks.js';
import { CallerMemory } from '../../../kernel/ramfs/caller-memory.js';
import { RAMFS_DEV, getattrOp, statOf } from '../../../kernel/ramfs/getattr.js';
import { ROOT_INO, VnodeTable } from '../../../kernel/ramfs/vnode.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { S_IFDIR, S_IFREG, STAT_BYTES, decodeStat } from '../../../kernel/vfscore/flags.js';
import { ramfsWorld } from '../../fixtures/fs/fakes.js';

t.test('statOf: a sparse file counts only the blocks it holds; a directory has no size', async (t) => {
  const world = ramfsWorld();
  world.clock.now = 1234;
  const vnodes = new VnodeTable({ store: world, clock: world.clock.read });
  const file = vnodes.newFile(0o640);
  file.data.writeFrom(Uint8Array.of(1), 5 * BLOCK_BYTES);
  t.same(statOf(file), { size: 5 * BLOCK_BYTES + 1, mtimeMs: 1234, ctimeMs: 1234, mode: S_IFREG | 0o640, nlink: 1, ino: file.ino, blksize: BLOCK_BYTES, blocks: BLOCK_BYTES / 512, dev: RAMFS_DEV });
  const root = statOf(vnodes.root);
  t.same([root.size, root.blocks, root.mode, root.nlink, root.ino], [0, 0, S_IFDIR | 0o755, 2, ROOT_INO]);
});

t.test('getattr writes the stat struct into the caller memory', async (t) => {
  const world = ramfsWorld();
  const vnodes = new VnodeTable({ store: world, clock: world.clock.read });
  const getattr = getattrOp({ vnodes, caller: new CallerMemory(world.memory) });
  const file = vnodes.newFile(0o600);
  file.data.writeFrom(new Uint8Array(10), 0);
  const at = world.memory.at(64);
  t.equal(getattr(file.ino, at), 0);
  t.same(decodeStat(world.memory.readBytes(at, STAT_BYTES)), statOf(file));
  t.equal(getattr(99, at), -ERRNO.ENOENT);
  t.equal(getattr(file.ino, 8), -ERRNO.EFAULT);
  t.equal(getattr(file.ino, world.memory.at(world.memory.bytes.length - STAT_BYTES + 1)), -ERRNO.EFAULT, 'a struct that runs off the mapping');
});
