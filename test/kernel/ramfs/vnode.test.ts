// ramfs's vnode table alone, over a fake block heap and a settable clock: inode numbering and modes,
// times, the open references that keep an unlinked node (and its blocks) alive until the last close,
// and the errnos of VOP_OPEN and VOP_CLOSE.

import t from 'tap';
import { ROOT_INO, VnodeTable } from '../../../kernel/ramfs/vnode.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { O_CREAT, O_DIRECTORY, O_RDONLY, O_RDWR, O_WRONLY, S_IFDIR, S_IFREG } from '../../../kernel/vfscore/flags.js';
import { ramfsWorld } from '../../fixtures/fs/fakes.js';

const E = ERRNO;

function table() {
  const world = ramfsWorld();
  const vnodes = new VnodeTable({ store: world, clock: world.clock.read });
  return { ...world, vnodes };
}

t.test('the root is inode 1, a directory that is its own parent', async (t) => {
  const { vnodes } = table();
  t.equal(vnodes.root.ino, ROOT_INO);
  t.equal(vnodes.root.parent, ROOT_INO);
  t.equal(vnodes.root.mode, S_IFDIR | 0o755);
  t.equal(vnodes.root.nlink, 2);
  t.equal(vnodes.get(ROOT_INO), vnodes.root);
  t.equal(vnodes.size, 1);
});

t.test('new vnodes take the next inode number, their type bits, the permission bits only, and the time', async (t) => {
  const { vnodes, clock } = table();
  clock.now = 5000;
  const file = vnodes.newFile(0o170644);
  const dir = vnodes.newDir(file.ino, 0o40750);
  t.same([file.ino, dir.ino], [2, 3]);
  t.equal(file.mode, S_IFREG | 0o644, 'a file type in the mode argument is ignored');
  t.equal(dir.mode, S_IFDIR | 0o750);
  t.same([file.nlink, dir.nlink], [1, 2]);
  t.same([file.mtimeMs, file.ctimeMs, dir.mtimeMs], [5000, 5000, 5000]);
  t.equal(dir.parent, file.ino, 'the parent given');
  t.equal(vnodes.size, 3);
});

t.test('touch sets both times and drops a directory listing', async (t) => {
  const { vnodes, clock } = table();
  const dir = vnodes.newDir(ROOT_INO, 0o755);
  dir.listing = ['.', '..'];
  clock.now = 9000;
  vnodes.touch(dir);
  t.same([dir.mtimeMs, dir.ctimeMs, dir.listing], [9000, 9000, null]);
  t.equal(vnodes.now(), 9000);
});

t.test('dirOf and fileOf name what is wrong with an inode', async (t) => {
  const { vnodes } = table();
  const file = vnodes.newFile(0o644);
  const dir = vnodes.newDir(ROOT_INO, 0o755);
  t.equal(vnodes.dirOf(dir.ino), dir);
  t.equal(vnodes.dirOf(file.ino), -E.ENOTDIR);
  t.equal(vnodes.dirOf(99), -E.ENOENT);
  dir.nlink = 0;
  t.equal(vnodes.dirOf(dir.ino), -E.ENOENT, 'a removed directory is gone for new names');
  t.equal(vnodes.fileOf(file.ino), file);
  t.equal(vnodes.fileOf(dir.ino), -E.EISDIR);
  t.equal(vnodes.fileOf(99), -E.EBADF);
});

t.test('unlink of a closed file frees its blocks and its inode at once', async (t) => {
  const { vnodes, heap, clock } = table();
  const file = vnodes.newFile(0o644);
  vnodes.root.entries.set('f', file.ino);
  file.data.writeFrom(new Uint8Array(5000), 0);
  t.equal(heap.live, 2);
  clock.now = 7000;
  vnodes.unlink(vnodes.root, 'f', file);
  t.equal(heap.live, 0, 'the blocks went back to the heap');
  t.equal(vnodes.get(file.ino), undefined);
  t.notOk(vnodes.root.entries.has('f'));
  t.equal(vnodes.root.mtimeMs, 7000, 'the directory changed');
});

t.test('an open reference keeps an unlinked file until the last close', async (t) => {
  const { vnodes, heap } = table();
  const file = vnodes.newFile(0o644);
  vnodes.root.entries.set('f', file.ino);
  file.data.writeFrom(Uint8Array.of(1, 2, 3), 0);
  t.equal(vnodes.open(file.ino, O_RDWR), 0, 'a regular file opens as 0');
  t.equal(vnodes.open(file.ino, O_RDONLY), 0);
  vnodes.unlink(vnodes.root, 'f', file);
  t.equal(vnodes.get(file.ino), file, 'still there while open');
  t.equal(vnodes.fileOf(file.ino), file, 'and readable through its open references');
  t.equal(vnodes.open(file.ino, O_RDONLY), -E.ENOENT, 'but no new open reaches it');
  t.equal(vnodes.close(file.ino), 0);
  t.equal(heap.live, 1);
  t.equal(vnodes.close(file.ino), 0, 'the last close');
  t.equal(heap.live, 0, 'frees the blocks');
  t.equal(vnodes.get(file.ino), undefined);
  t.equal(vnodes.close(file.ino), -E.EBADF, 'nothing left to close');
});

t.test('unlinking a directory drops its parent link count', async (t) => {
  const { vnodes } = table();
  const dir = vnodes.newDir(ROOT_INO, 0o755);
  vnodes.root.entries.set('d', dir.ino);
  vnodes.root.nlink++;
  vnodes.unlink(vnodes.root, 'd', dir);
  t.equal(vnodes.root.nlink, 2);
  t.equal(vnodes.get(dir.ino), undefined);
});

t.test('VOP_OPEN refuses by kind and flags; VOP_CLOSE refuses what was not opened', async (t) => {
  const { vnodes } = table();
  const file = vnodes.newFile(0o644);
  const dir = vnodes.newDir(ROOT_INO, 0o755);
  t.equal(vnodes.open(dir.ino, O_RDONLY), 1, 'a directory opens as 1');
  t.equal(vnodes.open(dir.ino, O_WRONLY), -E.EISDIR);
  t.equal(vnodes.open(dir.ino, O_RDWR), -E.EISDIR);
  t.equal(vnodes.open(dir.ino, O_RDONLY | O_CREAT), -E.EISDIR);
  t.equal(vnodes.open(file.ino, O_RDONLY | O_DIRECTORY), -E.ENOTDIR);
  t.equal(vnodes.open(99, O_RDONLY), -E.ENOENT);
  t.equal(file.opens, 0, 'a refused open takes no reference');
  t.equal(vnodes.close(file.ino), -E.EBADF);
  t.equal(vnodes.close(dir.ino), 0);
  t.equal(vnodes.get(dir.ino), dir, 'closing a linked node keeps it');
});

t.test('release frees every block and forgets every vnode', async (t) => {
  const { vnodes, heap } = table();
  for (let i = 0; i < 3; i++) vnodes.newFile(0o644).data.writeFrom(new Uint8Array(100), 0);
  t.equal(heap.live, 3);
  vnodes.release();
  t.equal(heap.live, 0);
  t.equal(vnodes.size, 0);
});
