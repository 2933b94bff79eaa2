// SQLite's lock levels mapped onto fcntl, alone in one thread over a recording fcntl: each change
// of level is one F_SETLK and a check one F_GETLK, a level already held costs no call, and the
// levels obey os_unix.c's rules between connections to one path.

import t from 'tap';
import { F_GETLK, F_SETLK } from '../../../kernel/vfscore/flags.js';
import {
  Locking, SQLITE_LOCK_EXCLUSIVE as EXCLUSIVE, SQLITE_LOCK_NONE as NONE, SQLITE_LOCK_PENDING as PENDING, SQLITE_LOCK_RESERVED as RESERVED,
  SQLITE_LOCK_SHARED as SHARED,
} from '../../../workloads/sqlite/locking.js';
import type { OpenFile } from '../../../workloads/sqlite/open-files.js';
import { ResultCodes } from '../../../workloads/sqlite/result-codes.js';
import { SQLITE_CONSTANTS as C } from './fakes.js';

const codes = new ResultCodes(C);

/** A Locking whose fcntl records (fd, cmd, arg) and answers from `answers` (0 once they run out). */
function locking(answers: number[] = []) {
  const calls: [number, number, number][] = [];
  const l = new Locking({ fcntl: (fd, cmd, arg) => (calls.push([fd!, cmd!, arg!]), answers.shift() ?? 0), codes });
  return { l, calls };
}
const file = (fd: number, path = '/db'): OpenFile => ({ fd, path, deleteOnClose: false, lock: NONE });

t.test('a write transaction crosses as five F_SETLK: SHARED, RESERVED, EXCLUSIVE, back to SHARED, to NONE', async (t) => {
  const { l, calls } = locking();
  const f = file(3);
  t.equal(l.lock(f, SHARED), C.SQLITE_OK);
  t.equal(l.lock(f, RESERVED), C.SQLITE_OK);
  t.equal(l.lock(f, EXCLUSIVE), C.SQLITE_OK);
  t.equal(f.lock, EXCLUSIVE);
  t.equal(l.unlock(f, SHARED), C.SQLITE_OK);
  t.equal(l.unlock(f, NONE), C.SQLITE_OK);
  t.equal(f.lock, NONE);
  t.same(calls, Array.from({ length: 5 }, () => [3, F_SETLK, 0]), 'one fcntl(fd, F_SETLK, 0) per change, on the file\'s fd');
});

t.test('asking for a level already held costs no crossing; unlocking always crosses', async (t) => {
  const { l, calls } = locking();
  const f = file(4);
  l.lock(f, SHARED);
  l.lock(f, SHARED);
  l.lock(f, NONE);
  t.equal(calls.length, 1, 'only the first SHARED crossed');
  l.unlock(f, SHARED);
  t.equal(calls.length, 2, 'an unlock to the level held still crosses, as os_unix.c calls fcntl');
  t.equal(f.lock, SHARED);
});

t.test('checking for a reserved lock is one F_GETLK and sees RESERVED, PENDING or EXCLUSIVE of any connection', async (t) => {
  const { l, calls } = locking();
  const reader = file(3);
  const writer = file(4);
  l.lock(reader, SHARED);
  t.same(l.checkReservedLock(reader), { rc: C.SQLITE_OK, reserved: false });
  l.lock(writer, SHARED);
  l.lock(writer, RESERVED);
  t.same(l.checkReservedLock(reader), { rc: C.SQLITE_OK, reserved: true }, 'the other connection\'s RESERVED is seen');
  t.same(l.checkReservedLock(file(5, '/other')), { rc: C.SQLITE_OK, reserved: false }, 'locks are per path');
  t.same(calls.filter(([, cmd]) => cmd === F_GETLK).map(([fd]) => fd), [3, 3, 5]);
});

t.test('a failed fcntl is the method\'s I/O error and leaves the level as it was', async (t) => {
  const { l } = locking([-5, -5, -5]);
  const f = file(3);
  t.equal(l.lock(f, SHARED), C.SQLITE_IOERR_LOCK);
  t.equal(f.lock, NONE);
  t.same(l.checkReservedLock(f), { rc: C.SQLITE_IOERR_CHECKRESERVEDLOCK, reserved: false });
  f.lock = SHARED;
  t.equal(l.unlock(f, NONE), C.SQLITE_IOERR_UNLOCK);
  t.equal(f.lock, SHARED);
});

t.test('os_unix.c\'s rules between two connections to one path', async (t) => {
  const { l } = locking();
  const a = file(3);
  const b = file(4);
  l.lock(a, SHARED);
  l.lock(b, SHARED);
  l.lock(a, RESERVED);
  t.equal(l.lock(b, RESERVED), C.SQLITE_BUSY, 'one RESERVED at a time');
  t.equal(l.lock(a, EXCLUSIVE), C.SQLITE_BUSY, 'EXCLUSIVE waits for the other reader');
  t.equal(a.lock, PENDING, 'and holds PENDING meanwhile');
  t.equal(l.lock(file(5), SHARED), C.SQLITE_BUSY, 'a new reader is refused while a writer is PENDING');
  l.unlock(b, NONE);
  t.equal(l.lock(a, EXCLUSIVE), C.SQLITE_OK, 'the other reader gone, EXCLUSIVE is granted');
  t.equal(l.lock(b, SHARED), C.SQLITE_BUSY, 'no reader under EXCLUSIVE');
  l.unlock(a, SHARED);
  t.equal(l.lock(b, SHARED), C.SQLITE_OK, 'readers again once the writer is down to SHARED');
  t.equal(l.lock(b, RESERVED), C.SQLITE_OK, 'and RESERVED is free');
});

t.test('RESERVED needs SHARED first, and PENDING is never granted on request', async (t) => {
  const { l, calls } = locking();
  const f = file(3);
  t.equal(l.lock(f, RESERVED), C.SQLITE_BUSY, 'from NONE');
  l.lock(f, SHARED);
  t.equal(l.lock(f, PENDING), C.SQLITE_IOERR_LOCK);
  t.equal(f.lock, SHARED);
  t.equal(calls.length, 3, 'each refused request still crossed once, as the fcntl comes first');
});

t.test('release lowers the level without crossing (closing the fd drops POSIX locks)', async (t) => {
  const { l, calls } = locking();
  const a = file(3);
  l.lock(a, SHARED);
  l.lock(a, RESERVED);
  l.lock(a, EXCLUSIVE);
  const before = calls.length;
  l.release(a, NONE);
  t.equal(calls.length, before, 'no fcntl');
  t.equal(a.lock, NONE);
  const b = file(4);
  t.equal(l.lock(b, SHARED), C.SQLITE_OK, 'the path is free again');
  t.equal(l.lock(b, RESERVED), C.SQLITE_OK);
  t.equal(l.lock(b, EXCLUSIVE), C.SQLITE_OK, 'and no reader is left counted');
});
