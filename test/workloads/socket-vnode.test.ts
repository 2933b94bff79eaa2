// The apps' socket reads and writes under the socket's vnode lock, over recording fakes: one lock and one unlock
// around each call, in that order, the lock released when the call throws.

import t from 'tap';
import { vnodeLocked } from '../../workloads/socket-vnode.js';

t.test('read and write each take the vnode lock once and release it, even on a throw', async (t) => {
  const log: string[] = [];
  const io = vnodeLocked(
    { init: () => (log.push('init'), 5), lock: (m) => (log.push(`lock ${m}`), 0), unlock: (m) => (log.push(`unlock ${m}`), 0) },
    {
      read: (fd, _buf, len) => (log.push(`read ${fd}`), len),
      write: (fd) => {
        log.push(`write ${fd}`);
        throw new RangeError('gone');
      },
    },
  );
  t.ok(io.init());
  t.equal(io.read(7, 0, 3), 3, 'read returns what lwip returned');
  t.throws(() => io.write(7, 0, 1), /gone/);
  t.same(log, ['init', 'lock 5', 'read 7', 'unlock 5', 'lock 5', 'write 7', 'unlock 5']);
});

t.test('init is false when uk_mutex_init fails', async (t) => {
  const io = vnodeLocked({ init: () => -12, lock: () => 0, unlock: () => 0 }, { read: () => 0, write: () => 0 });
  t.notOk(io.init());
});
