// vfscore's socket files: lwip's sockets take the lowest free fd of the same table as files (so the two
// never share a number), are found again by fd while installed, and free their fd on close; vfscore's
// own file calls do not see them.

import t from 'tap';
import { FdTable } from '../../../kernel/vfscore/fdtable.js';
import { SocketFiles } from '../../../kernel/vfscore/socket-files.js';
import { MAX_FILES, O_RDONLY } from '../../../kernel/vfscore/flags.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';

const E = ERRNO;

t.test('a socket takes the lowest free fd, shared with files, and is found only once installed', async (t) => {
  const fds = new FdTable();
  const sockets = new SocketFiles(fds);
  fds.install(3, { kind: 'file', ino: 7, flags: O_RDONLY, pos: 0 });
  const fd = sockets.alloc();
  t.equal(fd, 4, 'after the console (0-2) and the open file (3)');
  t.equal(sockets.get(fd), -E.EBADF, 'allocated but not installed');
  t.equal(sockets.install(fd), 0);
  t.equal(sockets.install(fd), -E.EBADF, 'installed once');
  t.equal(sockets.get(fd), fd);
  t.equal(sockets.put(fd), 0);
  t.equal(fds.lowestFree(), 5, 'a file opened now does not take the socket’s fd');
  t.equal(fds.get(fd), undefined, "vfscore's own calls do not see the socket");
  t.equal(sockets.get(3), -E.EBADF, 'a file is no socket');
  t.equal(sockets.install(3), -E.EBADF, 'nor can one be installed over it');
  t.equal(sockets.free(3), -E.EBADF, 'nor freed as one');
  t.equal(sockets.free(fd), 0);
  t.equal(sockets.get(fd), -E.EBADF, 'gone after close');
  t.equal(sockets.put(fd), -E.EBADF);
  t.equal(fds.lowestFree(), fd, 'and the fd is free again');
});

t.test('a full table refuses a socket with EMFILE', async (t) => {
  const sockets = new SocketFiles(new FdTable());
  for (let i = 3; i < MAX_FILES; i++) t.equal(sockets.alloc(), i, `fd ${i}`, { diagnostic: false });
  t.equal(sockets.alloc(), -E.EMFILE);
});
