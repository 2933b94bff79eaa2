// ramfs's readdir alone: "." and ".." then the names in the order they were made, one a call by
// index, 0 past the last; the listing follows changes to the directory; the errnos of a bad inode,
// index, buffer, and a directory removed while open.

import t from 'tap';
import { CallerMemory } from '../../../kernel/ramfs/caller-memory.js';
import { Dentries } from '../../../kernel/ramfs/dentry.js';
import { readdirOp } from '../../../kernel/ramfs/readdir.js';
import { ROOT_INO, VnodeTable } from '../../../kernel/ramfs/vnode.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { ramfsWorld } from '../../fixtures/fs/fakes.js';

const E = ERRNO;

function dir() {
  const world = ramfsWorld();
  const { memory } = world;
  const deps = { vnodes: new VnodeTable({ store: world, clock: world.clock.read }), caller: new CallerMemory(memory) };
  const names = new Dentries(deps);
  const readdir = readdirOp(deps);
  const out = memory.at(1024);
  /** (address, length) of a name, at one of two slots so rename can take two. */
  const name = (text: string, slot = 0): [number, number] => memory.put(memory.at(slot * 512), text);
  /** Every name readdir gives for `ino`, reading until 0. */
  const list = (ino: number): (string | number)[] => {
    const got: (string | number)[] = [];
    for (let i = 0; i < 50; i++) {
      const n = readdir(ino, i, out, 256);
      if (n <= 0) return n === 0 ? got : [...got, n];
      got.push(memory.readString(out, n));
    }
    return got;
  };
  return { ...world, ...deps, names, readdir, out, name, list };
}

t.test('".", "..", then the names in creation order, then 0', async (t) => {
  const { names, name, list } = dir();
  t.same(list(ROOT_INO), ['.', '..']);
  for (const n of ['zeta', 'alpha', 'mid']) names.create(ROOT_INO, ...name(n), 0o644);
  const sub = names.mkdir(ROOT_INO, ...name('sub'), 0o755);
  t.same(list(ROOT_INO), ['.', '..', 'zeta', 'alpha', 'mid', 'sub']);
  t.same(list(sub), ['.', '..']);
});

t.test('the listing follows creates, removes and renames', async (t) => {
  const { names, name, list } = dir();
  names.create(ROOT_INO, ...name('a'), 0o644);
  t.same(list(ROOT_INO), ['.', '..', 'a']);
  names.create(ROOT_INO, ...name('b'), 0o644);
  names.remove(ROOT_INO, ...name('a'));
  t.same(list(ROOT_INO), ['.', '..', 'b']);
  t.equal(names.rename(ROOT_INO, ...name('b'), ROOT_INO, ...name('c', 1)), 0);
  t.same(list(ROOT_INO), ['.', '..', 'c']);
});

t.test('readdir refuses a bad inode, index or buffer; a removed directory reads empty', async (t) => {
  const { names, name, readdir, out, vnodes } = dir();
  const file = names.create(ROOT_INO, ...name('longname'), 0o644);
  const sub = names.mkdir(ROOT_INO, ...name('sub'), 0o755);
  t.equal(readdir(99, 0, out, 256), -E.EBADF);
  t.equal(readdir(file, 0, out, 256), -E.ENOTDIR);
  t.equal(readdir(ROOT_INO, -1, out, 256), -E.EINVAL);
  t.equal(readdir(ROOT_INO, 0, out, 1.5), -E.EINVAL);
  t.equal(readdir(ROOT_INO, 2, out, 7), -E.EINVAL, 'a buffer too small for the name (getdents)');
  t.equal(readdir(ROOT_INO, 2, out, 8), 8, 'exactly large enough');
  t.equal(readdir(ROOT_INO, 2, 8, 256), -E.EFAULT);
  t.equal(vnodes.open(sub, 0), 1);
  t.equal(names.rmdir(ROOT_INO, ...name('sub')), 0);
  t.equal(readdir(sub, 0, out, 256), 0, 'removed while open: no entries at all');
});
