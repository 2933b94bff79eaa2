// SQLite's result codes as the VFS looks them up: by name in the engine's C API, a missing one a
// TypeError (at install for the five every method may answer), and SQLITE_FULL for ENOSPC/ENOMEM.

import t from 'tap';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { ResultCodes } from '../../../workloads/sqlite/result-codes.js';
import { SQLITE_CONSTANTS as C } from './fakes.js';

t.test('codes come from the engine by name', async (t) => {
  const codes = new ResultCodes(C);
  t.same([codes.OK, codes.BUSY, codes.FULL, codes.CANTOPEN, codes.NOTFOUND], [0, 5, 13, 14, 12]);
  t.equal(codes.code('SQLITE_IOERR_READ'), 266);
  t.throws(() => codes.code('SQLITE_NOPE'), TypeError);
  const { SQLITE_BUSY: _, ...withoutBusy } = C;
  t.throws(() => new ResultCodes(withoutBusy), { name: 'TypeError', message: /SQLITE_BUSY/ }, 'an engine without a core code fails at install');
});

t.test('no space or no memory is SQLITE_FULL; any other errno the specific I/O error', async (t) => {
  const codes = new ResultCodes(C);
  t.equal(codes.ioerr(-ERRNO.ENOSPC, 'SQLITE_IOERR_WRITE'), C.SQLITE_FULL);
  t.equal(codes.ioerr(-ERRNO.ENOMEM, 'SQLITE_IOERR_WRITE'), C.SQLITE_FULL);
  t.equal(codes.ioerr(-ERRNO.EIO, 'SQLITE_IOERR_WRITE'), C.SQLITE_IOERR_WRITE);
});
