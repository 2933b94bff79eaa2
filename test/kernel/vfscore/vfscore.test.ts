// vfscore over ramfs, booted for real: each POSIX call and its errnos, byte-exact round trips, the
// console fds, the per-operation uksched mutex, EFAULT where isolation hides a buffer, and a
// fast-check model test of random operation sequences, under fcalls, intel-pku and vmept layouts.

import t, { type Test } from 'tap';
import fc from 'fast-check';
import { FsDriver, Ref, type Batch, type Results } from '../../fixtures/fs/driver.js';
import { FsModel, type Command, type Expected, type Path } from '../../fixtures/fs/model.js';
import type { FsLayout } from '../../fixtures/fs/registry.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { makeAddress } from '../../../shm/address.js';
import {
  MAX_FILES, O_APPEND, O_CREAT, O_DIRECTORY, O_EXCL, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, R_OK, S_IFCHR, S_IFDIR, S_IFMT, S_IFREG,
  SEEK_CUR, SEEK_END, SEEK_SET, STAT_BYTES, W_OK, X_OK,
} from '../../../kernel/vfscore/flags.js';

const E = ERRNO;
const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (seed + i * 7 + (i >> 8)) & 255);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const UNMAPPED = 8; // region 0 is never mapped: NULL + 8
const LAYOUTS: FsLayout[] = ['fcalls', 'mpk-ramfs', 'mpk-vfs', 'ept-vfs'];
/** Layouts that run every test; the others run the tests marked `everywhere` (gates, isolation, mutex). */
const FULL: FsLayout[] = ['fcalls', 'mpk-ramfs'];

for (const layout of LAYOUTS) {
  t.test(`vfscore on ramfs, layout ${layout}`, async (t) => {
    const d = await FsDriver.boot(layout);
    t.teardown(() => d.shutdown());
    const test = (name: string, body: (t: Test) => Promise<void>, options: { everywhere?: boolean } = {}): void => {
      if (FULL.includes(layout) || options.everywhere) t.test(name, body);
    };

    test('write, read, pread, pwrite and lseek move the exact bytes and the file position', async (t) => {
      const b = d.batch();
      const data = bytes(10000);
      const patch = bytes(100, 99);
      const fd = b.call('open', ...b.path('/rt'), O_CREAT | O_RDWR, 0o640);
      const w = b.call('write', fd, ...b.data(data));
      const seek0 = b.call('lseek', fd, 0, SEEK_SET);
      const out = b.out(20000);
      const r = b.call('read', fd, out, 20000);
      const eof = b.call('read', fd, out, 10);
      const pw = b.call('pwrite', fd, ...b.data(patch), 4090);
      const out2 = b.out(300);
      const pr = b.call('pread', fd, out2, 300, 4000);
      const end = b.call('lseek', fd, 0, SEEK_END);
      const back = b.call('lseek', fd, -10, SEEK_CUR);
      const out3 = b.out(100);
      const tail = b.call('read', fd, out3, 100);
      const st = b.out(STAT_BYTES);
      const fs = b.call('fstat', fd, st);
      const cl = b.call('close', fd);
      const res = await b.run();
      t.equal(res.rc(w), 10000, 'write returns the count');
      t.equal(res.rc(seek0), 0);
      t.equal(res.rc(r), 10000, 'read stops at the end of the file');
      t.same(res.bytes(out, 10000), data, 'read returns what was written');
      t.equal(res.rc(eof), 0, 'then end of file');
      t.equal(res.rc(pw), 100);
      const expected = data.slice();
      expected.set(patch, 4090);
      t.equal(res.rc(pr), 300);
      t.same(res.bytes(out2, 300), expected.slice(4000, 4300), 'pwrite across a block boundary lands exactly');
      t.equal(res.rc(end), 10000, 'SEEK_END; pread and pwrite left the position alone');
      t.equal(res.rc(back), 9990, 'SEEK_CUR');
      t.equal(res.rc(tail), 10);
      t.same(res.bytes(out3, 10), expected.slice(9990));
      t.equal(res.rc(fs), 0);
      const s = res.stat(st);
      t.equal(s.size, 10000);
      t.equal(s.mode, S_IFREG | 0o640, 'type and the mode given to open');
      t.equal(s.nlink, 1);
      t.ok(s.ino > 1 && s.blksize === 4096 && s.blocks === 24, 'inode number, block size, 3 blocks of 4 KiB');
      t.equal(res.rc(cl), 0);
    }, { everywhere: true });

    test('open refuses with the POSIX errno', async (t) => {
      const b = d.batch();
      const name255 = 'n'.repeat(255);
      const cases: [string, ReturnType<Batch['call']>, number][] = [];
      const open = (what: string, path: string, flags: number, want: number): void => void cases.push([what, b.call('open', ...b.path(path), flags, 0o644), want]);
      b.call('mkdir', ...b.path('/o'), 0o755);
      b.call('close', b.call('open', ...b.path('/o/f'), O_CREAT | O_WRONLY, 0o644));
      open('missing file', '/o/missing', O_RDONLY, -E.ENOENT);
      open('missing directory on the way', '/nope/f', O_CREAT | O_RDWR, -E.ENOENT);
      open('a file used as a directory', '/o/f/x', O_RDONLY, -E.ENOTDIR);
      open('a directory for writing', '/o', O_WRONLY, -E.EISDIR);
      open('O_CREAT on a directory', '/o', O_CREAT | O_RDONLY, -E.EISDIR);
      open('O_CREAT | O_EXCL on an existing file', '/o/f', O_CREAT | O_EXCL | O_RDWR, -E.EEXIST);
      open('O_CREAT | O_EXCL on the root', '/', O_CREAT | O_EXCL | O_RDONLY, -E.EEXIST);
      open('O_DIRECTORY on a file', '/o/f', O_RDONLY | O_DIRECTORY, -E.ENOTDIR);
      open('a trailing slash on a file', '/o/f/', O_RDONLY, -E.ENOTDIR);
      open('O_CREAT with a trailing slash', '/o/new/', O_CREAT | O_RDWR, -E.EISDIR);
      open('access mode 3', '/o/f', 3, -E.EINVAL);
      open('a 256-byte name', `/o/${name255}n`, O_CREAT | O_RDWR, -E.ENAMETOOLONG);
      open('a 4096-byte path', '/' + 'a/'.repeat(2047) + 'b', O_RDONLY, -E.ENAMETOOLONG);
      const empty = b.call('open', b.out(1), 0, O_RDONLY, 0);
      const long = b.call('open', ...b.path(`/o/${name255}`), O_CREAT | O_RDWR, 0o644);
      const dots = b.call('open', ...b.path('o/./../o//f'), O_RDONLY, 0);
      const cstr = b.call('open', ...b.path('/o/f\0trailing garbage'), O_RDONLY, 0);
      const root = b.call('open', ...b.path('/'), O_RDONLY, 0);
      for (const fd of [long, dots, cstr, root]) b.call('close', fd);
      const res = await b.run();
      for (const [what, ref, want] of cases) t.equal(res.rc(ref), want, what);
      t.equal(res.rc(empty), -E.ENOENT, 'an empty path');
      t.ok(res.rc(long) >= 3, 'a 255-byte name is fine');
      t.ok(res.rc(dots) >= 3, 'relative paths start at the root; "." and ".." and "//" resolve');
      t.ok(res.rc(cstr) >= 3, 'the path ends at a NUL like a C string');
      t.ok(res.rc(root) >= 3, 'the root opens read-only');
    });

    test('data calls refuse bad descriptors, directions, offsets and whence values', async (t) => {
      const b = d.batch();
      const out = b.out(16);
      const [buf, len] = b.data(text('hello'));
      const rd = b.call('open', ...b.path('/rt'), O_RDONLY, 0);
      const wr = b.call('open', ...b.path('/rt'), O_WRONLY, 0);
      const dir = b.call('open', ...b.path('/'), O_RDONLY, 0);
      const checks: [string, ReturnType<Batch['call']>, number][] = [
        ['close of a never-opened fd', b.call('close', 999), -E.EBADF],
        ['a negative fd', b.call('read', -1, out, 1), -E.EBADF],
        ['an fd beyond the table', b.call('read', MAX_FILES + 5, out, 1), -E.EBADF],
        ['read on a write-only fd', b.call('read', wr, out, 1), -E.EBADF],
        ['write on a read-only fd', b.call('write', rd, buf, len), -E.EBADF],
        ['read on a directory', b.call('read', dir, out, 1), -E.EISDIR],
        ['pread at a negative offset', b.call('pread', rd, out, 1, -1), -E.EINVAL],
        ['read of a negative length', b.call('read', rd, out, -1), -E.EINVAL],
        ['lseek before the start', b.call('lseek', rd, -1, SEEK_SET), -E.EINVAL],
        ['lseek with a bad whence', b.call('lseek', rd, 0, 7), -E.EINVAL],
        ['SEEK_END on a directory', b.call('lseek', dir, 0, SEEK_END), -E.EINVAL],
        ['ftruncate on a read-only fd', b.call('ftruncate', rd, 0), -E.EINVAL],
        ['ftruncate to a negative length', b.call('ftruncate', wr, -5), -E.EINVAL],
        ['ftruncate on a directory', b.call('ftruncate', dir, 0), -E.EINVAL],
        ['fsync of an open fd', b.call('fsync', rd), 0],
        ['fsync of a closed fd', b.call('fsync', 998), -E.EBADF],
        ['readdir on a file', b.call('readdir', rd, out, 16), -E.ENOTDIR],
        ['closedir on a file', b.call('closedir', rd), -E.EBADF],
        ['close', b.call('close', rd), 0],
        ['close twice', b.call('close', rd), -E.EBADF],
        ['lseek on the console', b.call('lseek', 1, 0, SEEK_SET), -E.ESPIPE],
        ['pread on the console', b.call('pread', 0, out, 1, 0), -E.ESPIPE],
      ];
      b.call('close', wr);
      b.call('close', dir);
      const res = await b.run();
      for (const [what, ref, want] of checks) t.equal(res.rc(ref), want, what);
    });

    test('O_APPEND writes at the end (pwrite too, as on Linux); O_TRUNC and ftruncate cut and zero-fill', async (t) => {
      const b = d.batch();
      const fd1 = b.call('open', ...b.path('/ap'), O_CREAT | O_WRONLY | O_TRUNC, 0o644);
      b.call('write', fd1, ...b.data(text('abc')));
      b.call('close', fd1);
      const fd2 = b.call('open', ...b.path('/ap'), O_WRONLY | O_APPEND, 0);
      b.call('lseek', fd2, 0, SEEK_SET);
      const w = b.call('write', fd2, ...b.data(text('def')));
      const pos = b.call('lseek', fd2, 0, SEEK_CUR);
      const pw = b.call('pwrite', fd2, ...b.data(text('X')), 0);
      b.call('close', fd2);
      const appended = b.out(16);
      const fd3 = b.call('open', ...b.path('/ap'), O_RDONLY, 0);
      const r = b.call('read', fd3, appended, 16);
      b.call('close', fd3);
      const fd4 = b.call('open', ...b.path('/ap'), O_RDWR | O_TRUNC, 0);
      const st = b.out(STAT_BYTES);
      b.call('fstat', fd4, st);
      b.call('write', fd4, ...b.data(text('hello')));
      const t1 = b.call('ftruncate', fd4, 2);
      const t2 = b.call('ftruncate', fd4, 6);
      const cut = b.out(16);
      const r2 = b.call('pread', fd4, cut, 16, 0);
      b.call('close', fd4);
      const res = await b.run();
      t.equal(res.rc(w), 3);
      t.equal(res.rc(pos), 6, 'the position follows the append');
      t.equal(res.rc(pw), 1);
      t.equal(res.rc(r), 7);
      t.equal(res.text(appended, 7), 'abcdefX');
      t.equal(res.stat(st).size, 0, 'O_TRUNC empties the file');
      t.equal(res.rc(t1), 0);
      t.equal(res.rc(t2), 0);
      t.equal(res.rc(r2), 6);
      t.same(res.bytes(cut, 6), Uint8Array.from([104, 101, 0, 0, 0, 0]), 'growing after a cut reads zeros, not the old bytes');
    });

    test('directories: mkdir, readdir, rmdir, rename and their errnos', async (t) => {
      const b = d.batch();
      const ok = (what: string, ref: ReturnType<Batch['call']>): [string, ReturnType<Batch['call']>, number] => [what, ref, 0];
      const checks: [string, ReturnType<Batch['call']>, number][] = [];
      const c = (what: string, fn: string, paths: string[], extra: number[], want: number): void =>
        void checks.push([what, b.call(fn, ...paths.flatMap((p) => b.path(p)), ...extra), want]);
      c('mkdir', 'mkdir', ['/t'], [0o750], 0);
      c('mkdir of an existing name', 'mkdir', ['/t'], [0o755], -E.EEXIST);
      c('mkdir with a trailing slash', 'mkdir', ['/t/u/'], [0o755], 0);
      checks.push(ok('create a file', b.call('close', b.call('open', ...b.path('/t/f'), O_CREAT | O_WRONLY, 0o644))));
      const before = b.list('/t', 8);
      const st = b.out(STAT_BYTES);
      c('stat', 'stat', ['/t'], [st], 0);
      c('rmdir of a non-empty directory', 'rmdir', ['/t'], [], -E.ENOTEMPTY);
      c('rmdir of a file', 'rmdir', ['/t/f'], [], -E.ENOTDIR);
      c('rmdir of "."', 'rmdir', ['/t/u/.'], [], -E.EINVAL);
      c('rmdir of the root', 'rmdir', ['/'], [], -E.EBUSY);
      c('mkdir of the root', 'mkdir', ['/'], [0o755], -E.EEXIST);
      c('unlink of the root', 'unlink', ['/'], [], -E.EISDIR);
      c('unlink of a directory', 'unlink', ['/t/u'], [], -E.EISDIR);
      c('unlink of "file/"', 'unlink', ['/t/f/'], [], -E.ENOTDIR);
      c('unlink of a missing file', 'unlink', ['/t/zz'], [], -E.ENOENT);
      c('rename a directory under itself', 'rename', ['/t/u', '/t/u/v'], [], -E.EINVAL);
      c('rename a file over a directory', 'rename', ['/t/f', '/t/u'], [], -E.EISDIR);
      c('rename a directory over a file', 'rename', ['/t/u', '/t/f'], [], -E.ENOTDIR);
      c('mkdir', 'mkdir', ['/t/ne'], [0o755], 0);
      c('mkdir', 'mkdir', ['/t/ne/k'], [0o755], 0);
      c('rename a directory over a non-empty one', 'rename', ['/t/u', '/t/ne'], [], -E.ENOTEMPTY);
      c('rename onto the root', 'rename', ['/t/u', '/'], [], -E.EBUSY);
      c('rename of a missing file', 'rename', ['/t/zz', '/t/yy'], [], -E.ENOENT);
      c('rename a file', 'rename', ['/t/f', '/t/g'], [], 0);
      c('the old name is gone', 'stat', ['/t/f'], [st], -E.ENOENT);
      c('rename a directory', 'rename', ['/t/u', '/t/w'], [], 0);
      c('rename onto itself', 'rename', ['/t/g', '/t/g'], [], 0);
      c('opendir of a file', 'opendir', ['/t/g'], [], -E.ENOTDIR);
      c('opendir of a missing directory', 'opendir', ['/t/u'], [], -E.ENOENT);
      const after = b.list('/t', 8);
      const dirfd = b.call('opendir', ...b.path('/t'));
      const tiny = b.out(4);
      const dot = b.call('readdir', dirfd, tiny, 1);
      const dotdot = b.call('readdir', dirfd, tiny, 1);
      const rewind = b.call('lseek', dirfd, 0, SEEK_SET);
      const again = b.call('readdir', dirfd, tiny, 1);
      b.call('closedir', dirfd);
      c('rmdir', 'rmdir', ['/t/w'], [], 0);
      c('rmdir', 'rmdir', ['/t/ne/k'], [], 0);
      c('rmdir', 'rmdir', ['/t/ne'], [], 0);
      const st2 = b.out(STAT_BYTES);
      c('stat after rmdir', 'stat', ['/t'], [st2], 0);
      const res = await b.run();
      for (const [what, ref, want] of checks) t.equal(res.rc(ref), want, what);
      t.same(before(res), ['.', '..', 'u', 'f'], 'readdir: ".", "..", then the entries');
      t.same(after(res), ['.', '..', 'ne', 'g', 'w'], 'readdir after the renames');
      t.equal(res.stat(st).mode, S_IFDIR | 0o750);
      t.equal(res.stat(st).nlink, 3, 'a directory with one subdirectory has 3 links');
      t.equal(res.stat(st2).nlink, 2, 'and 2 once it is gone');
      t.equal(res.rc(dot), 1);
      t.equal(res.rc(dotdot), -E.EINVAL, 'a name longer than the buffer');
      t.equal(res.rc(rewind), 0);
      t.equal(res.rc(again), 1, 'lseek to 0 rewinds a directory');
    });

    test('unlink while open: the data stays readable through the fd and is freed at the last close', async (t) => {
      const heapBefore = await d.ramfsHeapUsed();
      const b = d.batch();
      const data = bytes(20000, 5);
      const fd = b.call('open', ...b.path('/gone'), O_CREAT | O_RDWR, 0o600);
      b.call('write', fd, ...b.data(data));
      const ul = b.call('unlink', ...b.path('/gone'));
      const st = b.out(STAT_BYTES);
      const stat = b.call('stat', ...b.path('/gone'), st);
      const again = b.call('open', ...b.path('/gone'), O_CREAT | O_RDWR, 0o600);
      const out = b.out(20000);
      const r = b.call('pread', fd, out, 20000, 0);
      const fst = b.out(STAT_BYTES);
      b.call('fstat', fd, fst);
      const w = b.call('pwrite', fd, ...b.data(text('still writable')), 0);
      const fresh = b.out(8);
      const r2 = b.call('pread', again, fresh, 8, 0);
      b.call('close', fd);
      b.call('close', again);
      b.call('unlink', ...b.path('/gone'));
      const res = await b.run();
      t.equal(res.rc(ul), 0);
      t.equal(res.rc(stat), -E.ENOENT, 'the name is gone');
      t.equal(res.rc(r), 20000);
      t.same(res.bytes(out, 20000), data, 'the open fd still reads the data');
      t.equal(res.stat(fst).nlink, 0, 'no links left');
      t.equal(res.rc(w), 14);
      t.equal(res.rc(r2), 0, 'a new file of the same name is a different, empty file');
      t.equal(await d.ramfsHeapUsed(), heapBefore, 'every block went back to the heap');
    });

    test('access: existence, and X_OK needs an execute bit', async (t) => {
      const b = d.batch();
      b.call('close', b.call('open', ...b.path('/plain'), O_CREAT | O_WRONLY, 0o644));
      b.call('close', b.call('open', ...b.path('/tool'), O_CREAT | O_WRONLY, 0o755));
      const r = [
        b.call('access', ...b.path('/absent'), 0),
        b.call('access', ...b.path('/plain'), R_OK | W_OK),
        b.call('access', ...b.path('/plain'), X_OK),
        b.call('access', ...b.path('/tool'), X_OK),
        b.call('access', ...b.path('/'), X_OK),
        b.call('access', ...b.path('/plain'), 8),
      ];
      const res = await b.run();
      t.same(r.map((x) => res.rc(x)), [-E.ENOENT, 0, -E.EACCES, 0, 0, -E.EINVAL]);
    });

    test('fds 0-2 are the console: stdin at end of file, stdout to the host console', async (t) => {
      const b = d.batch();
      const line = text(`# vfscore console on ${layout}\n`);
      const w = b.call('write', 1, ...b.data(line));
      const r = b.call('read', 0, b.out(4), 4);
      const wr = b.call('write', 0, ...b.data(line));
      const st = b.out(STAT_BYTES);
      const fs = b.call('fstat', 2, st);
      const res = await b.run();
      t.equal(res.rc(w), line.length);
      t.equal(res.rc(r), 0);
      t.equal(res.rc(wr), -E.EBADF, 'stdin is read-only');
      t.equal(res.rc(fs), 0);
      t.equal(res.stat(st).mode & S_IFMT, S_IFCHR);
    });

    test('EFAULT for paths and buffers the filesystem cannot reach', async (t) => {
      const b = d.batch();
      const fd = b.call('open', ...b.path('/ef'), O_CREAT | O_RDWR, 0o644);
      b.call('write', fd, ...b.data(text('0123456789')));
      const r = [
        b.call('open', UNMAPPED, 4, O_RDONLY, 0),
        b.call('write', fd, UNMAPPED, 10),
        b.call('pread', fd, UNMAPPED, 10, 0),
        b.call('pread', fd, makeAddress(4000, 0), 10, 0),
        b.call('fstat', fd, UNMAPPED),
        b.call('stat', ...b.path('/ef'), UNMAPPED),
        b.call('write', 1, UNMAPPED, 4),
        b.call('readdir', b.call('opendir', ...b.path('/')), UNMAPPED, 64),
      ];
      b.call('closedir', new Ref(r[7]!.index - 1));
      const zero = b.call('pread', fd, UNMAPPED, 0, 0);
      b.call('close', fd);
      const res = await b.run();
      t.same(r.map((x) => res.rc(x)), r.map(() => -E.EFAULT), 'every bad address is -EFAULT, never a crash');
      t.equal(res.rc(zero), 0, 'a zero-length read touches nothing');
      const fd2 = await d.run('open', '/ef', O_RDWR, 0);
      const written = await d.call('writePrivate', fd2, 64);
      if (d.isolatesRamfs) t.equal(written, -E.EFAULT, 'a buffer on the app private heap is out of the filesystem compartment reach');
      else t.equal(written, 64, 'without isolation the app private heap is reachable');
      t.equal(await d.run('close', fd2), 0);
    }, { everywhere: true });

    test('data annotated shared on the stack reaches the filesystem under this stack strategy', async (t) => {
      t.equal(await d.call('stackRoundTrip', 9000), 0, `${d.machine.image.config.stack} strategy`);
    }, { everywhere: true });

    test('EMFILE once the fd table is full', async (t) => {
      const [path, length] = d.batch().path('/many'); // only to place the path in the scratch area
      const rc = await d.call('exhaustFds', path, length);
      t.equal(Math.floor(rc / 100), MAX_FILES - 3, 'every fd but the console');
      t.equal(rc % 100, E.EMFILE);
    });

    test('every operation takes the vfscore mutex once and releases it, errors included', async (t) => {
      const [taken0, held0] = await d.mutexStats();
      const b = d.batch();
      const fd = b.call('open', ...b.path('/mx'), O_CREAT | O_RDWR, 0o644);
      b.call('write', fd, ...b.data(text('x')));
      b.call('read', 12345, b.out(1), 1);
      b.call('unlink', ...b.path('/nope/nope'));
      b.call('close', fd);
      b.call('unlink', ...b.path('/mx'));
      await b.run();
      const [taken1, held1] = await d.mutexStats();
      t.equal(held0, 0);
      t.equal(taken1 - taken0, b.length, 'one lock per call');
      t.equal(held1, 0, 'nothing left locked');
    }, { everywhere: true });

    test('gates sit where the layout puts them', async (t) => {
      const edges = new Set(d.machine.counters.rows().filter((r) => r.count > 0).map((r) => `${r.caller}>${r.callee}`));
      const expected: Record<FsLayout, string[]> = {
        fcalls: [],
        'mpk-ramfs': ['vfscore>ramfs'],
        'mpk-vfs': ['fsapp>vfscore', 'vfscore>uksched'],
        'ept-vfs': ['fsapp>vfscore', 'vfscore>uksched'],
      };
      t.same([...edges].sort(), expected[layout]);
    }, { everywhere: true });
  });
}

// ---------------------------------------------------------------------------------------------
// Random operation sequences against a JS model. Each run works under its own directory and
// ends by removing everything, all in one batch; at the end the ramfs heap is back where it began.

// Few names, so that operations meet: a, b at the top, and under d (often a directory).
const path: fc.Arbitrary<Path> = fc.oneof(fc.tuple(fc.constantFrom('a', 'b', 'd')), fc.tuple(fc.constantFrom('d', 'a'), fc.constantFrom('a', 'b')));
const offset = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 3800, max: 4400 }), fc.integer({ min: 0, max: 9000 }));
const payload = fc.record({ length: fc.integer({ min: 0, max: 6000 }), seed: fc.integer({ min: 0, max: 255 }) }).map(({ length, seed }) => bytes(length, seed));
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 2, arbitrary: path.map((p) => ({ op: 'create' as const, p })) },
  { weight: 5, arbitrary: fc.record({ p: path, offset, data: payload }).map((c) => ({ op: 'write' as const, ...c })) },
  { weight: 4, arbitrary: fc.record({ p: path, offset, length: fc.integer({ min: 0, max: 9000 }) }).map((c) => ({ op: 'pread' as const, ...c })) },
  { weight: 3, arbitrary: fc.record({ p: path, length: offset }).map((c) => ({ op: 'truncate' as const, ...c })) },
  { weight: 2, arbitrary: path.map((p) => ({ op: 'unlink' as const, p })) },
  { weight: 2, arbitrary: fc.record({ p: path, q: path }).map((c) => ({ op: 'rename' as const, ...c })) },
  { weight: 2, arbitrary: path.map((p) => ({ op: 'mkdir' as const, p })) },
  { weight: 1, arbitrary: path.map((p) => ({ op: 'rmdir' as const, p })) },
  { weight: 1, arbitrary: path.map((p) => ({ op: 'stat' as const, p })) },
  { weight: 1, arbitrary: path.map((p) => ({ op: 'list' as const, p })) },
);

/** Queues the calls of one command; the returned function reads its outcome from the results. */
function enqueue(b: Batch, root: string, c: Command): (r: Results) => Expected {
  const at = (p: Path): string => `${root}/${p.join('/')}`;
  const opened = (flags: number, body: (fd: ReturnType<Batch['call']>) => (r: Results) => Expected): ((r: Results) => Expected) => {
    const fd = b.call('open', ...b.path(at(c.p)), flags, 0o644);
    const outcome = body(fd);
    b.call('close', fd);
    return (r) => (r.rc(fd) < 0 ? { rc: r.rc(fd) } : outcome(r));
  };
  switch (c.op) {
    case 'create':
      return opened(O_CREAT | O_WRONLY, () => () => ({ rc: 0 }));
    case 'write':
      return opened(O_CREAT | O_WRONLY, (fd) => {
        const w = b.call('pwrite', fd, ...b.data(c.data), c.offset);
        return (r) => ({ rc: r.rc(w) });
      });
    case 'pread':
      return opened(O_RDONLY, (fd) => {
        const out = b.out(c.length);
        const n = b.call('pread', fd, out, c.length, c.offset);
        return (r) => (r.rc(n) < 0 ? { rc: r.rc(n) } : { rc: r.rc(n), data: r.bytes(out, r.rc(n)) });
      });
    case 'truncate':
      return opened(O_WRONLY, (fd) => {
        const n = b.call('ftruncate', fd, c.length);
        return (r) => ({ rc: r.rc(n) });
      });
    case 'stat': {
      const st = b.out(STAT_BYTES);
      const n = b.call('stat', ...b.path(at(c.p)), st);
      return (r) => (r.rc(n) < 0 ? { rc: r.rc(n) } : { rc: 0, isDir: (r.stat(st).mode & S_IFMT) === S_IFDIR, size: r.stat(st).size });
    }
    case 'list': {
      const names = b.list(at(c.p), 8);
      return (r) => {
        const got = names(r);
        return typeof got === 'number' ? { rc: got } : { rc: 0, names: got.slice(2).sort() };
      };
    }
    case 'rename': {
      const n = b.call('rename', ...b.path(at(c.p)), ...b.path(at(c.q)));
      return (r) => ({ rc: r.rc(n) });
    }
    case 'mkdir': {
      const n = b.call('mkdir', ...b.path(at(c.p)), 0o755);
      return (r) => ({ rc: r.rc(n) });
    }
    case 'unlink':
    case 'rmdir': {
      const n = b.call(c.op, ...b.path(at(c.p)));
      return (r) => ({ rc: r.rc(n) });
    }
  }
}

const MODEL_RUNS: Partial<Record<FsLayout, number>> = { fcalls: 40, 'mpk-ramfs': 12 };

for (const [layout, numRuns] of Object.entries(MODEL_RUNS) as [FsLayout, number][]) {
  t.test(`random operation sequences match a JS model of the filesystem (${layout})`, async (t) => {
    const d = await FsDriver.boot(layout);
    t.teardown(() => d.shutdown());
    const heapBefore = await d.ramfsHeapUsed();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 8, maxLength: 40 }), async (commands) => {
        const root = `/run${run++}`;
        const model = new FsModel();
        const b = d.batch();
        b.call('mkdir', ...b.path(root), 0o755);
        const checks = commands.map((c) => ({ c, expected: model.apply(c), actual: enqueue(b, root, c) }));
        // Then read every file back whole: stale bytes anywhere show up even without a pread there.
        for (const { p, data } of model.files()) {
          const c: Command = { op: 'pread', p, offset: 0, length: data.length + 1 };
          checks.push({ c, expected: { rc: data.length, data }, actual: enqueue(b, root, c) });
        }
        for (const { p, isDir } of model.teardown()) b.call(isDir ? 'rmdir' : 'unlink', ...b.path(`${root}/${p.join('/')}`));
        const removeRoot = b.call('rmdir', ...b.path(root));
        const results = await b.run();
        for (const { c, expected, actual } of checks) {
          const got = actual(results);
          if (JSON.stringify({ ...got, data: got.data && [...got.data] }) !== JSON.stringify({ ...expected, data: expected.data && [...expected.data] })) {
            throw new Error(`${c.op} ${JSON.stringify({ ...c, data: undefined })}: expected ${JSON.stringify({ ...expected, data: expected.data?.length })}, got ${JSON.stringify({ ...got, data: got.data?.length })}`);
          }
        }
        if (results.rc(removeRoot) !== 0) throw new Error(`teardown left ${root} behind (${results.rc(removeRoot)})`);
      }),
      { numRuns, seed: 4242 + numRuns },
    );
    t.equal(await d.ramfsHeapUsed(), heapBefore, 'no block leaked across every run');
    const [, held] = await d.mutexStats();
    t.equal(held, 0);
  });
}
