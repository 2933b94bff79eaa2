// vfscore's operations on a path alone, over an fd table, a path lookup and fake ramfs vnode
// operations on a small tree: the exact vnode calls open makes for each flag (create, exclusive,
// truncate, a trailing slash), the fd it takes, and the checks that answer without calling ramfs.

import t from 'tap';
import { FdTable } from '../../../kernel/vfscore/fdtable.js';
import { PathLookup } from '../../../kernel/vfscore/lookup.js';
import { PathOps } from '../../../kernel/vfscore/path-ops.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { MAX_FILES, O_CREAT, O_DIRECTORY, O_EXCL, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY } from '../../../kernel/vfscore/flags.js';
import { FakeMemory, fakeVnops } from '../../fixtures/fs/fakes.js';

const E = ERRNO;
const ROOT = 1;

/** A tree of /d (ino 2, a directory) and /d/f (ino 3, a file); new inodes from 10. */
function world(options: { truncate?: number } = {}) {
  const memory = new FakeMemory();
  const names = new Map<string, number>([['1/d', 2], ['2/f', 3]]);
  const dirs = new Set([1, 2]);
  let next = 10;
  const name = (dir: number, address: number, length: number): string => `${dir}/${memory.readString(address, length)}`;
  const { vop, calls } = fakeVnops(memory, {
    mount: () => ROOT,
    lookup: (dir, address, length, wantDir) => {
      const ino = names.get(name(dir, address, length));
      if (ino === undefined) return -E.ENOENT;
      return wantDir && !dirs.has(ino) ? -E.ENOTDIR : ino;
    },
    create: (dir, address, length) => (names.set(name(dir, address, length), next), next++),
    mkdir: (dir, address, length) => (names.set(name(dir, address, length), next), dirs.add(next), next++),
    open: (ino, flags) => {
      if (dirs.has(ino)) return (flags & 3) !== O_RDONLY || flags & O_CREAT ? -E.EISDIR : 1;
      return flags & O_DIRECTORY ? -E.ENOTDIR : 0;
    },
    truncate: () => options.truncate ?? 0,
    close: () => 0,
    getattr: () => 0,
    remove: () => 0,
    rmdir: () => 0,
    rename: () => 0,
  });
  const fds = new FdTable();
  const paths = new PathLookup({ memory, vop });
  paths.mount();
  calls.length = 0;
  const ops = new PathOps({ fds, paths, vop });
  const path = (text: string, slot = 0): [number, number] => memory.put(memory.at(slot * 1024), text);
  return { memory, fds, ops, calls, path };
}

t.test('open of an existing file: the walk, the lookup, VOP_OPEN, then the lowest free fd', async (t) => {
  const { ops, calls, fds, path } = world();
  t.equal(ops.open(...path('/d/f'), O_RDWR, 0), 3);
  t.same(calls, ['lookup(1,"d",1)', 'lookup(2,"f",0)', 'open(3,2)']);
  t.same(fds.get(3), { kind: 'file', ino: 3, flags: O_RDWR, pos: 0 });
  t.equal(ops.open(...path('/d'), O_RDONLY, 0), 4);
  t.equal(fds.get(4)?.kind, 'dir', 'VOP_OPEN said 1: a directory');
});

t.test('O_CREAT makes a missing file with the permission bits only, and does not truncate what it made', async (t) => {
  const { ops, calls, path } = world();
  t.equal(ops.open(...path('/d/new'), O_CREAT | O_TRUNC | O_WRONLY, 0o100644), 3);
  t.same(calls, ['lookup(1,"d",1)', 'lookup(2,"new",0)', 'create(2,"new",420)', 'open(10,577)']);
});

t.test('O_TRUNC truncates an existing file opened for writing; a failed truncate closes it again', async (t) => {
  const ok = world();
  t.equal(ok.ops.open(...ok.path('/d/f'), O_TRUNC | O_WRONLY, 0), 3);
  t.same(ok.calls.slice(2), ['open(3,513)', 'truncate(3,0)']);
  ok.calls.length = 0;
  t.equal(ok.ops.open(...ok.path('/d/f'), O_TRUNC | O_RDONLY, 0), 4, 'read-only: O_TRUNC is ignored');
  t.same(ok.calls.slice(2), ['open(3,512)']);
  const failing = world({ truncate: -E.EIO });
  t.equal(failing.ops.open(...failing.path('/d/f'), O_TRUNC | O_RDWR, 0), -E.EIO);
  t.same(failing.calls.slice(2), ['open(3,514)', 'truncate(3,0)', 'close(3)']);
  t.equal(failing.fds.get(3), undefined, 'no fd was taken');
});

t.test('open refuses with the POSIX errno, most before reaching ramfs', async (t) => {
  const { ops, calls, path, fds } = world();
  t.equal(ops.open(...path('/d/f'), 3, 0), -E.EINVAL, 'access mode 3');
  t.equal(ops.open(...path('/d/f'), 1.5, 0), -E.EINVAL, 'flags that are no integer');
  t.equal(ops.open(...path('/'), O_CREAT | O_EXCL, 0), -E.EEXIST, 'O_EXCL on the root');
  t.same(calls, []);
  t.equal(ops.open(...path('/d/f'), O_CREAT | O_EXCL | O_RDWR, 0), -E.EEXIST);
  t.equal(ops.open(...path('/d/new/'), O_CREAT | O_RDWR, 0), -E.EISDIR, 'O_CREAT with a trailing slash');
  t.equal(ops.open(...path('/d/missing'), O_RDONLY, 0), -E.ENOENT);
  t.equal(ops.open(...path('/d/f/'), O_RDONLY, 0), -E.ENOTDIR, 'a trailing slash asks VOP_OPEN for a directory');
  t.equal(calls.at(-1), `open(3,${O_DIRECTORY})`);
  for (let fd = 3; fd < MAX_FILES; fd++) fds.install(fd, { kind: 'file', ino: 3, flags: O_RDONLY, pos: 0 });
  calls.length = 0;
  t.equal(ops.open(...path('/d/new'), O_CREAT | O_RDWR, 0), -E.EMFILE);
  t.same(calls, [], 'a full table creates nothing');
});

t.test('opendir is open(O_RDONLY | O_DIRECTORY)', async (t) => {
  const { ops, calls, path } = world();
  t.equal(ops.opendir(...path('/d')), 3);
  t.equal(ops.opendir(...path('/d/f')), -E.ENOTDIR);
  t.same(calls.filter((c) => c.startsWith('open')), [`open(2,${O_DIRECTORY})`, `open(3,${O_DIRECTORY})`]);
});

t.test('stat, unlink, mkdir, rmdir and rename: one vnode call after the walk, the root refused first', async (t) => {
  const { ops, calls, path, memory } = world();
  const st = memory.at(4096);
  t.equal(ops.stat(...path('/d/f'), st), 0);
  t.equal(ops.stat(...path('/'), st), 0, 'stat of the root asks for no lookup');
  t.equal(ops.unlink(...path('/d/f')), 0);
  t.equal(ops.mkdir(...path('/d/sub'), 0o40755), 0, 'mkdir returns 0, not the inode');
  t.equal(ops.rmdir(...path('/d/sub')), 0);
  t.equal(ops.rename(...path('/d/f'), ...path('/d/g', 1)), 0);
  t.same(calls, [
    'lookup(1,"d",1)', 'lookup(2,"f",0)', `getattr(3,${st})`,
    `getattr(1,${st})`,
    'lookup(1,"d",1)', 'remove(2,"f")',
    'lookup(1,"d",1)', 'mkdir(2,"sub",493)',
    'lookup(1,"d",1)', 'rmdir(2,"sub")',
    'lookup(1,"d",1)', 'lookup(1,"d",1)', 'rename(2,"f",2,"g")',
  ]);
  calls.length = 0;
  t.equal(ops.unlink(...path('/')), -E.EISDIR);
  t.equal(ops.mkdir(...path('/'), 0o755), -E.EEXIST);
  t.equal(ops.rmdir(...path('/')), -E.EBUSY);
  t.equal(ops.rename(...path('/'), ...path('/x', 1)), -E.EBUSY);
  t.same(calls, [], 'the root is never handed to ramfs by name');
});

t.test('a trailing slash: unlink refuses a directory and a file alike; rename wants a directory source', async (t) => {
  const { ops, calls, path } = world();
  t.equal(ops.unlink(...path('/d/')), -E.EISDIR, '"dir/" is a directory');
  t.equal(ops.unlink(...path('/d/f/')), -E.ENOTDIR, '"file/" is not a directory');
  t.equal(ops.rename(...path('/d/f/'), ...path('/d/g', 1)), -E.ENOTDIR);
  t.equal(ops.rename(...path('/d/f'), ...path('/d/g/', 1)), -E.ENOTDIR, 'a slash on the target checks the source too');
  t.notOk(calls.some((c) => c.startsWith('remove') || c.startsWith('rename')), 'nothing was removed or moved');
});
