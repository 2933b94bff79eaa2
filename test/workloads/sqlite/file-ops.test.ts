// The VFS's file-operation counters and guard alone: each run counts under its SQLITE_FILE_OPS
// index, an exception becomes the method's error code (never unwinding into WebAssembly), and
// the first one is kept as the fault until taken.

import t from 'tap';
import { SQLITE_FILE_OPS } from '../../../workloads/sqlite/exports.js';
import { FileOps } from '../../../workloads/sqlite/file-ops.js';
import { GateTimeoutError } from '../../../kernel/abi/errors.js';

t.test('each run counts under its operation, in SQLITE_FILE_OPS order', async (t) => {
  const ops = new FileOps();
  t.equal(ops.counts.length, SQLITE_FILE_OPS.length);
  t.equal(ops.run('write', 778, () => 0), 0, 'the body\'s result');
  ops.run('write', 778, () => 0);
  ops.run('access', 3338, () => 0);
  const counted = Object.fromEntries(SQLITE_FILE_OPS.map((op, i) => [op, ops.counts[i]]).filter(([, n]) => n !== 0));
  t.same(counted, { write: 2, access: 1 });
});

t.test('an exception is the error code; the first is kept as the fault, cleared when taken', async (t) => {
  const ops = new FileOps();
  const first = new GateTimeoutError('sqlite -> vfscore.pread: no answer');
  t.equal(ops.run('read', 266, () => { throw first; }), 266);
  t.equal(ops.run('sync', 1034, () => { throw new GateTimeoutError('later'); }), 1034);
  t.equal(ops.counts[SQLITE_FILE_OPS.indexOf('read')], 1, 'a failed operation still counts');
  t.equal(ops.takeFault(), first);
  t.equal(ops.takeFault(), null);
});
