// vfscore's operations on an open fd alone, over an fd table, a fake console and fake ramfs vnode
// operations that record each call: the file position, O_APPEND, the console fds, and the checks that
// refuse a call before it reaches ramfs (so a refused call crosses no gate).

import t from 'tap';
import { Console } from '../../../kernel/vfscore/console.js';
import { FdTable, type OpenFile } from '../../../kernel/vfscore/fdtable.js';
import { FileOps } from '../../../kernel/vfscore/file-ops.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { O_APPEND, O_RDONLY, O_RDWR, O_WRONLY, SEEK_CUR, SEEK_END, SEEK_SET } from '../../../kernel/vfscore/flags.js';
import { FakeMemory, fakeVnops } from '../../fixtures/fs/fakes.js';

const E = ERRNO;
const SIZE = 100;
const FILE = 3;
const DIR = 4;
const APPEND = 5;
const READ_ONLY = 6;
const WRITE_ONLY = 7;

function opened() {
  const memory = new FakeMemory();
  const logged: string[] = [];
  const { vop, calls } = fakeVnops(memory, {
    read: (_ino, _buffer, length, offset) => Math.max(0, Math.min(length, SIZE - offset)),
    write: (_ino, _buffer, length) => length,
    size: () => SIZE,
    getattr: () => 0,
    truncate: () => 0,
    close: () => 0,
    readdir: (_ino, index) => (index < 3 ? 1 : 0),
  });
  const fds = new FdTable();
  const install = (fd: number, kind: OpenFile['kind'], flags: number): void => fds.install(fd, { kind, ino: fd * 10, flags, pos: 0 });
  install(FILE, 'file', O_RDWR);
  install(DIR, 'dir', O_RDONLY);
  install(APPEND, 'file', O_WRONLY | O_APPEND);
  install(READ_ONLY, 'file', O_RDONLY);
  install(WRITE_ONLY, 'file', O_WRONLY);
  const files = new FileOps({ fds, vop, console: new Console({ memory, log: (text) => logged.push(text) }) });
  return { memory, fds, files, calls, logged, buf: memory.at(0) };
}

t.test('read and write go at the file position and move it by what ramfs moved', async (t) => {
  const { files, calls, fds, buf } = opened();
  t.equal(files.write(FILE, buf, 60), 60);
  t.equal(files.read(FILE, buf, 60), 40, 'from position 60: the 40 bytes left');
  t.equal(files.read(FILE, buf, 60), 0, 'at the end');
  t.equal(fds.get(FILE)?.pos, 100);
  t.same(calls, [`write(30,${buf},60,0)`, `read(30,${buf},60,60)`, `read(30,${buf},60,100)`]);
});

t.test('pread and pwrite use their offset and leave the position alone', async (t) => {
  const { files, calls, fds, buf } = opened();
  t.equal(files.pread(FILE, buf, 10, 95), 5);
  t.equal(files.pwrite(FILE, buf, 10, 7), 10);
  t.equal(fds.get(FILE)?.pos, 0);
  t.equal(files.pread(FILE, buf, 10, -1), -E.EINVAL);
  t.equal(files.pwrite(FILE, buf, 10, 0.5), -E.EINVAL);
  t.same(calls, [`read(30,${buf},10,95)`, `write(30,${buf},10,7)`]);
});

t.test('O_APPEND writes at the end, asking ramfs for the size first; pwrite too (as Linux)', async (t) => {
  const { files, calls, fds, buf } = opened();
  t.equal(files.write(APPEND, buf, 5), 5);
  t.equal(fds.get(APPEND)?.pos, SIZE + 5);
  t.equal(files.pwrite(APPEND, buf, 5, 0), 5);
  t.same(calls, ['size(50)', `write(50,${buf},5,100)`, 'size(50)', `write(50,${buf},5,100)`]);
});

t.test('read, write, pread and pwrite refuse by fd, direction, kind and length before calling ramfs', async (t) => {
  const { files, calls, buf } = opened();
  for (const [what, rc, want] of [
    ['read of a free fd', files.read(9, buf, 1), -E.EBADF],
    ['read of a write-only fd', files.read(WRITE_ONLY, buf, 1), -E.EBADF],
    ['write to a read-only fd', files.write(READ_ONLY, buf, 1), -E.EBADF],
    ['pwrite to stdin', files.pwrite(0, buf, 1, 0), -E.EBADF],
    ['read of a directory', files.read(DIR, buf, 1), -E.EISDIR],
    ['a negative length', files.write(FILE, buf, -1), -E.EINVAL],
    ['a fractional length', files.pread(FILE, buf, 0.5, 0), -E.EINVAL],
  ] as const) {
    t.equal(rc, want, what);
  }
  t.same(calls, [], 'none reached ramfs');
});

t.test('the console: stdin reads end of file, stdout and stderr write to the host, no offsets', async (t) => {
  const { files, memory, logged, calls } = opened();
  t.equal(files.read(0, memory.at(0), 10), 0);
  t.equal(files.write(1, ...memory.put(memory.at(0), 'out')), 3);
  t.equal(files.write(2, ...memory.put(memory.at(0), 'err')), 3);
  t.same(logged, ['out', 'err']);
  t.equal(files.pread(0, memory.at(0), 1, 0), -E.ESPIPE);
  t.equal(files.pwrite(1, memory.at(0), 1, 0), -E.ESPIPE);
  t.equal(files.lseek(1, 0, SEEK_SET), -E.ESPIPE);
  t.equal(files.close(2), 0);
  t.equal(files.write(2, memory.at(0), 1), -E.EBADF, 'a closed stderr');
  t.same(calls, [], 'the console never reaches ramfs');
});

t.test('lseek from the start, the position or the end; a position below 0 is refused', async (t) => {
  const { files, calls, fds } = opened();
  t.equal(files.lseek(FILE, 40, SEEK_SET), 40);
  t.equal(files.lseek(FILE, -10, SEEK_CUR), 30);
  t.equal(files.lseek(FILE, 5, SEEK_END), SIZE + 5, 'past the end is fine');
  t.equal(files.lseek(FILE, -200, SEEK_END), -E.EINVAL);
  t.equal(files.lseek(FILE, 1.5, SEEK_SET), -E.EINVAL);
  t.equal(files.lseek(FILE, 0, 3), -E.EINVAL, 'an unknown whence');
  t.equal(files.lseek(DIR, 0, SEEK_END), -E.EINVAL, 'SEEK_END of a directory');
  t.equal(files.lseek(DIR, 2, SEEK_SET), 2, 'a directory position is an entry index');
  t.equal(files.lseek(9, 0, SEEK_SET), -E.EBADF);
  t.equal(fds.get(FILE)?.pos, SIZE + 5, 'a refused seek leaves the position');
  t.same(calls, ['size(30)', 'size(30)']);
});

t.test('fstat, fsync, ftruncate and their errnos', async (t) => {
  const { files, calls, memory, buf } = opened();
  t.equal(files.fstat(FILE, memory.at(0)), 0);
  t.equal(files.fstat(0, memory.at(0)), 0, 'the console answers itself');
  t.equal(files.fstat(9, memory.at(0)), -E.EBADF);
  t.equal(files.fsync(FILE), 0);
  t.equal(files.fsync(9), -E.EBADF);
  t.equal(files.ftruncate(FILE, 10), 0);
  t.equal(files.ftruncate(READ_ONLY, 10), -E.EINVAL, 'a read-only fd');
  t.equal(files.ftruncate(DIR, 0), -E.EINVAL, 'a directory');
  t.equal(files.ftruncate(1, 0), -E.EINVAL, 'the console');
  t.equal(files.ftruncate(FILE, -1), -E.EINVAL);
  t.equal(files.ftruncate(9, 0), -E.EBADF);
  t.same(calls, [`getattr(30,${buf})`, 'truncate(30,10)']);
});

t.test('readdir walks a directory fd by entry index; closedir closes only directories', async (t) => {
  const { files, calls, fds, buf } = opened();
  const got = [1, 2, 3, 4].map(() => files.readdir(DIR, buf, 256));
  t.same(got, [1, 1, 1, 0]);
  t.equal(fds.get(DIR)?.pos, 3, 'the end does not move the index');
  t.equal(files.readdir(FILE, buf, 256), -E.ENOTDIR);
  t.equal(files.readdir(9, buf, 256), -E.EBADF);
  t.equal(files.closedir(FILE), -E.EBADF, 'closedir of a file');
  t.equal(files.closedir(DIR), 0);
  t.equal(fds.get(DIR), undefined);
  t.same(calls, [`readdir(40,0,${buf},256)`, `readdir(40,1,${buf},256)`, `readdir(40,2,${buf},256)`, `readdir(40,3,${buf},256)`, 'close(40)']);
});

t.test('close frees the fd and drops the vnode reference once', async (t) => {
  const { files, calls, fds } = opened();
  t.equal(files.close(FILE), 0);
  t.equal(files.close(FILE), -E.EBADF);
  t.equal(fds.lowestFree(), FILE);
  t.same(calls, ['close(30)']);
});
