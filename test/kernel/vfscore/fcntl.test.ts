// fcntl alone, over an fd table: F_GETFL gives the open flags; the record locks succeed on a regular
// file without keeping any lock (as Unikraft's vfscore) and are -EINVAL elsewhere; other commands are
// -EINVAL and a bad fd -EBADF.

import t from 'tap';
import { fcntlOp } from '../../../kernel/vfscore/fcntl.js';
import { FdTable } from '../../../kernel/vfscore/fdtable.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { F_GETFL, F_GETLK, F_SETFL, F_SETLK, F_SETLKW, O_APPEND, O_RDONLY, O_WRONLY } from '../../../kernel/vfscore/flags.js';

t.test('F_GETFL, the record locks, and what fcntl refuses', async (t) => {
  const fds = new FdTable();
  fds.install(3, { kind: 'file', ino: 5, flags: O_WRONLY | O_APPEND, pos: 0 });
  fds.install(4, { kind: 'dir', ino: 6, flags: O_RDONLY, pos: 0 });
  const fcntl = fcntlOp(fds);
  t.equal(fcntl(3, F_GETFL, 0), O_WRONLY | O_APPEND);
  t.equal(fcntl(1, F_GETFL, 0), O_WRONLY, 'the console fds too');
  for (const cmd of [F_GETLK, F_SETLK, F_SETLKW]) {
    t.equal(fcntl(3, cmd, 0), 0, `lock command ${cmd} on a file`);
    t.equal(fcntl(4, cmd, 0), -ERRNO.EINVAL, `lock command ${cmd} on a directory`);
    t.equal(fcntl(0, cmd, 0), -ERRNO.EINVAL, `lock command ${cmd} on the console`);
  }
  t.equal(fcntl(3, F_SETFL, 0), -ERRNO.EINVAL, 'F_SETFL is not supported');
  t.equal(fcntl(3, 99, 0), -ERRNO.EINVAL);
  t.equal(fcntl(9, F_GETFL, 0), -ERRNO.EBADF);
});
