// vfscore's path lookup alone, over a fake memory and fake ramfs vnode operations: the mount at init,
// then namei() splitting a C-string path into components, looking up every one but the last (each
// must be a directory) and stopping at the first error, with the length limits checked before any call.

import t from 'tap';
import { PathLookup } from '../../../kernel/vfscore/lookup.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { FakeMemory, fakeVnops } from '../../fixtures/fs/fakes.js';

const E = ERRNO;
const ROOT = 1;
/** The fake tree: (dir ino, name) -> ino; 2 "etc" and 3 "etc/ssl" are directories, 4 "etc/hostname" a file. */
const TREE: Record<string, number> = { '1/etc': 2, '2/ssl': 3, '2/hostname': 4, '2/.': 2, '2/..': 1 };
const DIRS = new Set([1, 2, 3]);

function namei(mount = ROOT) {
  const memory = new FakeMemory();
  const { vop, calls } = fakeVnops(memory, {
    mount: () => mount,
    lookup: (dir, name, length, wantDir) => {
      const ino = TREE[`${dir}/${memory.readString(name, length)}`];
      if (ino === undefined) return -E.ENOENT;
      return wantDir && !DIRS.has(ino) ? -E.ENOTDIR : ino;
    },
  });
  const paths = new PathLookup({ memory, vop });
  const put = (path: string): [number, number] => memory.put(memory.at(0), path);
  return { memory, paths, calls, put };
}

t.test('mount takes the root from ramfs; a failed mount stops the boot', async (t) => {
  const { paths, calls } = namei();
  t.equal(paths.root, 0, 'nothing mounted before init');
  paths.mount();
  t.equal(paths.root, ROOT);
  t.same(calls, ['mount()']);
  t.throws(() => namei(-ERRNO.EIO).paths.mount(), { code: 'FLEXOS_ERR_BOOT', message: `vfscore: mounting ramfs at / failed (${-ERRNO.EIO})` });
  t.throws(() => namei(0).paths.mount(), { code: 'FLEXOS_ERR_BOOT' }, 'inode 0 is no root');
});

t.test('every component but the last is looked up as a directory; the last is left to the operation', async (t) => {
  const { paths, calls, put, memory } = namei();
  paths.mount();
  const [path] = put('/etc/ssl/cert.pem');
  const r = paths.resolve(path, 17);
  t.same(calls.slice(1), ['lookup(1,"etc",1)', 'lookup(2,"ssl",1)']);
  if (typeof r === 'number') throw new TypeError(`resolve failed: ${r}`);
  t.equal(r.parent, 3);
  t.equal(memory.readString(r.name, r.nameLength), 'cert.pem');
  t.equal(r.trailingSlash, false);
});

t.test('slashes: repeated ones collapse, a trailing one is remembered, relative paths start at the root', async (t) => {
  const { paths, put, memory } = namei();
  paths.mount();
  for (const [path, parent, name, trailing] of [
    ['//etc//hostname', 2, 'hostname', false],
    ['etc/ssl/', 2, 'ssl', true],
    ['/etc/./../etc', 1, 'etc', false],
  ] as const) {
    const r = paths.resolve(...put(path));
    if (typeof r === 'number') throw new TypeError(`${path}: ${r}`);
    t.same([r.parent, memory.readString(r.name, r.nameLength), r.trailingSlash], [parent, name, trailing], path);
  }
});

t.test('"/" names the root itself: no last component and no call', async (t) => {
  const { paths, calls, put } = namei();
  paths.mount();
  const r = paths.resolve(...put('///'));
  t.same(r, { parent: ROOT, name: 0, nameLength: 0, trailingSlash: false });
  t.equal(paths.lookup(r as Exclude<typeof r, number>), ROOT);
  t.same(calls, ['mount()']);
});

t.test('a path is a C string: the length is an upper bound, a NUL ends it', async (t) => {
  const { paths, put, memory } = namei();
  paths.mount();
  const r = paths.resolve(...put('/etc/hostname\0/garbage'));
  t.equal(typeof r !== 'number' && memory.readString(r.name, r.nameLength), 'hostname');
  t.equal(paths.resolve(...put('\0etc')), -E.ENOENT, 'a NUL first: an empty path');
});

t.test('lengths, faults and a missing or non-directory component refuse the path', async (t) => {
  const { paths, calls, put, memory } = namei();
  paths.mount();
  t.equal(paths.resolve(memory.at(0), 0), -E.ENOENT, 'an empty path');
  t.equal(paths.resolve(memory.at(0), -1), -E.EINVAL);
  t.equal(paths.resolve(memory.at(0), 2.5), -E.EINVAL);
  t.equal(paths.resolve(8, 4), -E.EFAULT, 'a path the caller cannot point vfscore at');
  t.equal(paths.resolve(...put('/' + 'a/'.repeat(2047) + 'b')), -E.ENAMETOOLONG, 'PATH_MAX bytes');
  t.equal(paths.resolve(...put(`/etc/${'n'.repeat(256)}/x`)), -E.ENAMETOOLONG, 'a component over NAME_MAX');
  t.same(calls, ['mount()'], 'none of those reached ramfs');
  t.equal(paths.resolve(...put('/nope/x/y')), -E.ENOENT);
  t.equal(paths.resolve(...put('/etc/hostname/x')), -E.ENOTDIR);
  t.same(calls.slice(1), ['lookup(1,"nope",1)', 'lookup(1,"etc",1)', 'lookup(2,"hostname",1)'], 'the walk stops at the first error');
});

t.test('lookup of a resolved path asks for a directory when the path had a trailing slash', async (t) => {
  const { paths, calls, put } = namei();
  paths.mount();
  const file = paths.resolve(...put('/etc/hostname'));
  const slashed = paths.resolve(...put('/etc/hostname/'));
  if (typeof file === 'number' || typeof slashed === 'number') throw new TypeError('resolve failed');
  calls.length = 0;
  t.equal(paths.lookup(file), 4);
  t.equal(paths.lookup(slashed), -E.ENOTDIR);
  t.equal(paths.lookup(file, true), -E.ENOTDIR, 'or when the caller asks');
  t.same(calls, ['lookup(2,"hostname",0)', 'lookup(2,"hostname",1)', 'lookup(2,"hostname",1)']);
});
