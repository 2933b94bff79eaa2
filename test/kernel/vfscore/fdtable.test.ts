// vfscore's fd table alone: fds 0-2 are the console from the start, each open takes the lowest free
// fd (a closed one is reused first), anything but a live integer fd is no file, and the table is
// full at MAX_FILES (-EMFILE).

import t from 'tap';
import { FdTable } from '../../../kernel/vfscore/fdtable.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { MAX_FILES, O_RDONLY, O_RDWR, O_WRONLY } from '../../../kernel/vfscore/flags.js';

const file = (ino: number) => ({ kind: 'file' as const, ino, flags: O_RDWR, pos: 0 });

t.test('fds 0-2 are the console: stdin read-only, stdout and stderr write-only', async (t) => {
  const fds = new FdTable();
  t.same([0, 1, 2].map((fd) => [fds.get(fd)?.kind, fds.get(fd)?.flags]), [['console', O_RDONLY], ['console', O_WRONLY], ['console', O_WRONLY]]);
  t.equal(fds.lowestFree(), 3);
});

t.test('the lowest free fd is handed out, a closed one first', async (t) => {
  const fds = new FdTable();
  for (const ino of [10, 11, 12]) fds.install(fds.lowestFree(), file(ino));
  t.equal(fds.get(4)?.ino, 11);
  fds.remove(4);
  t.equal(fds.get(4), undefined);
  t.equal(fds.lowestFree(), 4);
  fds.remove(0);
  t.equal(fds.lowestFree(), 0, 'a closed stdin is reused too');
});

t.test('a non-integer, negative or unknown fd is no file', async (t) => {
  const fds = new FdTable();
  for (const fd of [-1, 1.5, NaN, 3, MAX_FILES, 2 ** 40]) t.equal(fds.get(fd), undefined, `fd ${fd}`);
});

t.test('the table is full at MAX_FILES', async (t) => {
  const fds = new FdTable();
  for (let i = 3; i < MAX_FILES; i++) fds.install(fds.lowestFree(), file(i));
  t.equal(fds.lowestFree(), -ERRNO.EMFILE);
  fds.remove(500);
  t.equal(fds.lowestFree(), 500);
});
