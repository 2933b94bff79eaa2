// ramfs's directory entries alone, over a fake memory for the names: lookup of names, "." and "..",
// creating and dropping names with their link counts and times, and rename's POSIX rules (replacing,
// refusing to move a directory under itself, the errnos of incompatible targets).

import t from 'tap';
import { CallerMemory } from '../../../kernel/ramfs/caller-memory.js';
import { Dentries } from '../../../kernel/ramfs/dentry.js';
import { ROOT_INO, VnodeTable } from '../../../kernel/ramfs/vnode.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { S_IFDIR, S_IFREG } from '../../../kernel/vfscore/flags.js';
import { ramfsWorld } from '../../fixtures/fs/fakes.js';

const E = ERRNO;

function tree() {
  const world = ramfsWorld();
  const { memory } = world;
  const vnodes = new VnodeTable({ store: world, clock: world.clock.read });
  const d = new Dentries({ vnodes, caller: new CallerMemory(memory) });
  /** (address, length) of a name, at one of two slots so rename can take two. */
  const name = (text: string, slot = 0): [number, number] => memory.put(memory.at(slot * 512), text);
  return { ...world, vnodes, d, name };
}

t.test('lookup finds names, "." and ".."; wantDir refuses a file', async (t) => {
  const { d, name } = tree();
  const sub = d.mkdir(ROOT_INO, ...name('sub'), 0o755);
  const file = d.create(sub, ...name('f'), 0o644);
  t.equal(d.lookup(ROOT_INO, ...name('sub'), 0), sub);
  t.equal(d.lookup(sub, ...name('f'), 0), file);
  t.equal(d.lookup(sub, ...name('.'), 1), sub);
  t.equal(d.lookup(sub, ...name('..'), 1), ROOT_INO);
  t.equal(d.lookup(ROOT_INO, ...name('..'), 1), ROOT_INO, "the root's parent is the root");
  t.equal(d.lookup(sub, ...name('f'), 1), -E.ENOTDIR);
  t.equal(d.lookup(sub, ...name('nope'), 0), -E.ENOENT);
  t.equal(d.lookup(file, ...name('x'), 0), -E.ENOTDIR, 'a file is no directory to look in');
  t.equal(d.lookup(99, ...name('x'), 0), -E.ENOENT);
  t.equal(d.lookup(sub, 8, 3, 0), -E.EFAULT, 'a name ramfs cannot read');
  t.equal(d.lookup(sub, ...name('a/b'), 0), -E.EINVAL);
});

t.test('create and mkdir: new inodes, link counts, the parent changed; EEXIST for taken names', async (t) => {
  const { d, name, vnodes, clock } = tree();
  clock.now = 2000;
  const file = d.create(ROOT_INO, ...name('f'), 0o600);
  const dir = d.mkdir(ROOT_INO, ...name('d'), 0o700);
  t.equal(vnodes.get(file)?.mode, S_IFREG | 0o600);
  t.equal(vnodes.get(dir)?.mode, S_IFDIR | 0o700);
  t.equal(vnodes.root.nlink, 3, 'a subdirectory links its parent ("..")');
  t.equal(vnodes.root.mtimeMs, 2000);
  for (const taken of ['f', 'd', '.', '..']) {
    t.equal(d.create(ROOT_INO, ...name(taken), 0o644), -E.EEXIST, `create ${taken}`);
    t.equal(d.mkdir(ROOT_INO, ...name(taken), 0o755), -E.EEXIST, `mkdir ${taken}`);
  }
  t.equal(vnodes.size, 3, 'no inode made for a refused name');
  vnodes.root.nlink = 0;
  t.equal(d.create(ROOT_INO, ...name('g'), 0o644), -E.ENOENT, 'nothing is created in a removed directory');
});

t.test('remove drops a file name; rmdir an empty directory; each with its errnos', async (t) => {
  const { d, name, vnodes } = tree();
  const file = d.create(ROOT_INO, ...name('f'), 0o644);
  const dir = d.mkdir(ROOT_INO, ...name('d'), 0o755);
  d.create(dir, ...name('inner'), 0o644);
  t.equal(d.remove(ROOT_INO, ...name('d')), -E.EISDIR);
  t.equal(d.remove(ROOT_INO, ...name('.')), -E.EISDIR);
  t.equal(d.remove(ROOT_INO, ...name('nope')), -E.ENOENT);
  t.equal(d.rmdir(ROOT_INO, ...name('f')), -E.ENOTDIR);
  t.equal(d.rmdir(ROOT_INO, ...name('d')), -E.ENOTEMPTY);
  t.equal(d.rmdir(dir, ...name('.')), -E.EINVAL);
  t.equal(d.rmdir(dir, ...name('..')), -E.ENOTEMPTY);
  t.equal(d.rmdir(ROOT_INO, ...name('nope')), -E.ENOENT);
  t.equal(d.remove(ROOT_INO, ...name('f')), 0);
  t.equal(vnodes.get(file), undefined);
  t.equal(d.remove(dir, ...name('inner')), 0);
  t.equal(d.rmdir(ROOT_INO, ...name('d')), 0);
  t.equal(vnodes.root.nlink, 2);
  t.equal(vnodes.size, 1, 'only the root is left');
});

t.test('rename moves a name, replacing a compatible target and freeing it', async (t) => {
  const { d, name, vnodes, heap, clock } = tree();
  const a = d.create(ROOT_INO, ...name('a'), 0o644);
  const b = d.create(ROOT_INO, ...name('b'), 0o644);
  const bFile = vnodes.fileOf(b);
  if (typeof bFile === 'number') throw new TypeError('b is a file');
  bFile.data.writeFrom(new Uint8Array(10), 0);
  t.equal(heap.live, 1);
  clock.now = 3000;
  t.equal(d.rename(ROOT_INO, ...name('a'), ROOT_INO, ...name('b', 1)), 0);
  t.equal(d.lookup(ROOT_INO, ...name('b'), 0), a);
  t.equal(d.lookup(ROOT_INO, ...name('a'), 0), -E.ENOENT);
  t.equal(vnodes.get(b), undefined, 'the replaced file is gone');
  t.equal(heap.live, 0, 'with its blocks');
  t.equal(vnodes.get(a)?.ctimeMs, 3000, 'the moved inode changed');
  t.equal(d.rename(ROOT_INO, ...name('b'), ROOT_INO, ...name('b', 1)), 0, 'onto itself: nothing to do');
  t.equal(d.lookup(ROOT_INO, ...name('b'), 0), a);
});

t.test('rename of a directory moves its ".." and both link counts', async (t) => {
  const { d, name, vnodes } = tree();
  const x = d.mkdir(ROOT_INO, ...name('x'), 0o755);
  const y = d.mkdir(ROOT_INO, ...name('y'), 0o755);
  t.equal(d.rename(ROOT_INO, ...name('x'), y, ...name('x', 1)), 0);
  t.equal(d.lookup(x, ...name('..'), 1), y);
  t.equal(vnodes.root.nlink, 3);
  t.equal(vnodes.get(y)?.nlink, 3);
});

t.test('rename refuses what POSIX refuses', async (t) => {
  const { d, name } = tree();
  const dir = d.mkdir(ROOT_INO, ...name('dir'), 0o755);
  const sub = d.mkdir(dir, ...name('sub'), 0o755);
  d.mkdir(ROOT_INO, ...name('full'), 0o755);
  d.create(ROOT_INO, ...name('file'), 0o644);
  d.create(sub, ...name('x'), 0o644);
  const rename = (from: [number, string], to: [number, string]): number => d.rename(from[0], ...name(from[1]), to[0], ...name(to[1], 1));
  d.create(d.lookup(ROOT_INO, ...name('full'), 1), ...name('inner'), 0o644);
  t.equal(rename([ROOT_INO, 'dir'], [sub, 'moved']), -E.EINVAL, 'a directory under itself');
  t.equal(rename([ROOT_INO, 'dir'], [dir, 'moved']), -E.EINVAL, 'a directory into itself');
  t.equal(rename([ROOT_INO, 'dir'], [ROOT_INO, 'file']), -E.ENOTDIR, 'a directory over a file');
  t.equal(rename([ROOT_INO, 'file'], [ROOT_INO, 'dir']), -E.EISDIR, 'a file over a directory');
  t.equal(rename([ROOT_INO, 'dir'], [ROOT_INO, 'full']), -E.ENOTEMPTY, 'a directory over a non-empty one');
  t.equal(rename([ROOT_INO, 'nope'], [ROOT_INO, 'x']), -E.ENOENT);
  t.equal(rename([ROOT_INO, '.'], [ROOT_INO, 'x']), -E.EINVAL);
  t.equal(rename([ROOT_INO, 'file'], [ROOT_INO, '..']), -E.EINVAL);
  t.equal(rename([99, 'file'], [ROOT_INO, 'x']), -E.ENOENT);
  t.equal(rename([ROOT_INO, 'file'], [sub, 'x']), 0, 'a file over a file');
});
