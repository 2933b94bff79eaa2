// sqlite3_io_methods alone in one thread over a recording vfscore: each method makes exactly the
// vfscore calls os_unix.c makes (reads and writes loop until done, lock changes are fcntl), turns
// errnos into SQLite's I/O error codes, counts itself, and swallows exceptions as the fault.

import t from 'tap';
import { GateTimeoutError } from '../../../kernel/abi/errors.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { F_GETLK, F_SETLK } from '../../../kernel/vfscore/flags.js';
import { SQLITE_FILE_OPS, type SqliteFileOp } from '../../../workloads/sqlite/exports.js';
import { SQLITE_LOCK_EXCLUSIVE, SQLITE_LOCK_NONE, SQLITE_LOCK_RESERVED, SQLITE_LOCK_SHARED } from '../../../workloads/sqlite/locking.js';
import { SQLITE_CONSTANTS as C, vfsUnits } from './fakes.js';

const countOf = (counts: Float64Array, op: SqliteFileOp): number => counts[SQLITE_FILE_OPS.indexOf(op)]!;
const heapBytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (seed + 13 * i) & 255);

t.test('xWrite then xRead: one pwrite and one pread at the offset, the bytes round-trip', async (t) => {
  const u = vfsUnits();
  const { pFile, fd } = u.open('/db');
  const pSrc = u.wasm.alloc(4096);
  u.wasm.bytes.set(heapBytes(4096, 1), pSrc);
  t.equal(u.io.xWrite(pFile, pSrc, 4096, 8192n), C.SQLITE_OK, 'a bigint offset is taken');
  const pDest = u.wasm.alloc(4096);
  t.equal(u.io.xRead(pFile, pDest, 4096, 8192), C.SQLITE_OK);
  t.same(u.wasm.bytes.subarray(pDest, pDest + 4096), heapBytes(4096, 1));
  t.same(u.vfscore.names(), ['pwrite', 'pread']);
  t.same(u.vfscore.calls.map((c) => [c.args[0], c.args[2], c.args[3]]), [[fd, 4096, 8192], [fd, 4096, 8192]], '(fd, count, offset)');
  t.equal(countOf(u.ops.counts, 'write'), 1);
  t.equal(countOf(u.ops.counts, 'read'), 1);
});

t.test('xRead loops over partial preads and stops at the end of the file', async (t) => {
  const u = vfsUnits();
  const { pFile } = u.open('/db');
  const pSrc = u.wasm.alloc(8);
  u.wasm.bytes.set(heapBytes(8, 5), pSrc);
  u.io.xWrite(pFile, pSrc, 8, 0);
  u.vfscore.calls.length = 0;
  u.vfscore.maxIo = 3;
  const pDest = u.wasm.alloc(12);
  u.wasm.bytes.fill(0xee, pDest, pDest + 12);
  t.equal(u.io.xRead(pFile, pDest, 12, 0), C.SQLITE_IOERR_SHORT_READ, 'fewer bytes than asked: a short read');
  t.same(u.vfscore.calls.map((c) => [c.args[2], c.args[3]]), [[12, 0], [9, 3], [6, 6], [4, 8]], '(count, offset): 3 + 3 + 2, then end of file');
  const iobuf = u.vfscore.calls[0]!.args[1]!;
  t.same(u.vfscore.calls.map((c) => c.args[1]! - iobuf), [0, 3, 6, 8], 'each pread continues in the iobuf where the last stopped');
  t.same(u.wasm.bytes.subarray(pDest, pDest + 8), heapBytes(8, 5), 'what was read');
  t.same([...u.wasm.bytes.subarray(pDest + 8, pDest + 12)], [0, 0, 0, 0], 'the tail zeroed, as SQLite requires');
});

t.test('xRead: a pread error is SQLITE_IOERR_READ', async (t) => {
  const u = vfsUnits();
  const { pFile } = u.open('/db');
  u.vfscore.fail('pread', -ERRNO.EIO);
  t.equal(u.io.xRead(pFile, u.wasm.alloc(8), 8, 0), C.SQLITE_IOERR_READ);
});

t.test('xWrite loops over partial pwrites; no space is SQLITE_FULL; a write of nothing is an I/O error', async (t) => {
  const u = vfsUnits();
  const { pFile } = u.open('/db');
  u.vfscore.maxIo = 5;
  const pSrc = u.wasm.alloc(12);
  u.wasm.bytes.set(heapBytes(12, 9), pSrc);
  t.equal(u.io.xWrite(pFile, pSrc, 12, 100), C.SQLITE_OK);
  t.same(u.vfscore.calls.map((c) => [c.args[2], c.args[3]]), [[12, 100], [7, 105], [2, 110]], '(count, offset)');
  t.same(u.vfscore.files.get('/db')!.subarray(100), heapBytes(12, 9));
  u.vfscore.fail('pwrite', -ERRNO.ENOSPC);
  t.equal(u.io.xWrite(pFile, pSrc, 12, 0), C.SQLITE_FULL);
  u.vfscore.fail('pwrite', -ERRNO.ENOMEM);
  t.equal(u.io.xWrite(pFile, pSrc, 12, 0), C.SQLITE_FULL);
  u.vfscore.fail('pwrite', -ERRNO.EIO);
  t.equal(u.io.xWrite(pFile, pSrc, 12, 0), C.SQLITE_IOERR_WRITE);
  u.vfscore.fail('pwrite', 0);
  t.equal(u.io.xWrite(pFile, pSrc, 12, 0), C.SQLITE_IOERR_WRITE, 'pwrite returning 0 would loop forever');
});

t.test('xTruncate, xSync and xFileSize: one ftruncate, fsync, fstat each; the size as a 64-bit integer', async (t) => {
  const u = vfsUnits();
  const { pFile, fd } = u.open('/db');
  const pSrc = u.wasm.alloc(100);
  u.io.xWrite(pFile, pSrc, 100, 0);
  u.vfscore.calls.length = 0;
  t.equal(u.io.xTruncate(pFile, 40n), C.SQLITE_OK);
  t.equal(u.io.xSync(pFile, 0), C.SQLITE_OK);
  const pSize = u.wasm.alloc(8);
  t.equal(u.io.xFileSize(pFile, pSize), C.SQLITE_OK);
  t.equal(u.wasm.peek64(pSize), 40n);
  t.same(u.vfscore.trace().slice(0, 2), [`ftruncate(${fd},40)`, `fsync(${fd})`]);
  t.equal(u.vfscore.names()[2], 'fstat');
  u.vfscore.fail('ftruncate', -ERRNO.EIO);
  u.vfscore.fail('fsync', -ERRNO.EIO);
  u.vfscore.fail('fstat', -ERRNO.EIO);
  t.equal(u.io.xTruncate(pFile, 0), C.SQLITE_IOERR_TRUNCATE);
  t.equal(u.io.xSync(pFile, 0), C.SQLITE_IOERR_FSYNC);
  u.wasm.poke64(pSize, 7n);
  t.equal(u.io.xFileSize(pFile, pSize), C.SQLITE_IOERR_FSTAT);
  t.equal(u.wasm.peek64(pSize), 7n, 'the size is left alone on an error');
});

t.test('xLock, xUnlock and xCheckReservedLock cross as fcntl on the file\'s fd', async (t) => {
  const u = vfsUnits();
  const { pFile, fd } = u.open('/db');
  const pOut = u.wasm.alloc(4);
  t.equal(u.io.xLock(pFile, SQLITE_LOCK_SHARED), C.SQLITE_OK);
  t.equal(u.io.xCheckReservedLock(pFile, pOut), C.SQLITE_OK);
  t.equal(u.wasm.peek32(pOut), 0);
  t.equal(u.io.xLock(pFile, SQLITE_LOCK_RESERVED), C.SQLITE_OK);
  t.equal(u.io.xCheckReservedLock(pFile, pOut), C.SQLITE_OK);
  t.equal(u.wasm.peek32(pOut), 1);
  t.equal(u.io.xLock(pFile, SQLITE_LOCK_EXCLUSIVE), C.SQLITE_OK);
  t.equal(u.io.xUnlock(pFile, SQLITE_LOCK_NONE), C.SQLITE_OK);
  t.same(u.vfscore.trace(), [F_SETLK, F_GETLK, F_SETLK, F_GETLK, F_SETLK, F_SETLK].map((cmd) => `fcntl(${fd},${cmd},0)`));
  t.same(['lock', 'unlock', 'checklock'].map((op) => countOf(u.ops.counts, op as SqliteFileOp)), [3, 1, 2]);
  u.vfscore.fail('fcntl', -ERRNO.EIO);
  u.wasm.poke32(pOut, 9);
  t.equal(u.io.xCheckReservedLock(pFile, pOut), C.SQLITE_IOERR_CHECKRESERVEDLOCK);
  t.equal(u.wasm.peek32(pOut), 9, 'nothing written on an error');
});

t.test('xClose drops the locks, closes, and unlinks a delete-on-close file; the pFile is gone after', async (t) => {
  const u = vfsUnits();
  const kept = u.open('/db');
  const temp = u.open('/etilqs_1_1', true);
  u.io.xLock(kept.pFile, SQLITE_LOCK_SHARED);
  u.io.xLock(kept.pFile, SQLITE_LOCK_RESERVED);
  u.vfscore.calls.length = 0;
  t.equal(u.io.xClose(kept.pFile), C.SQLITE_OK);
  t.same(u.vfscore.trace(), [`close(${kept.fd})`], 'no fcntl: the close drops POSIX locks');
  t.equal(u.io.xClose(temp.pFile), C.SQLITE_OK);
  t.same(u.vfscore.trace().slice(1), [`close(${temp.fd})`, 'unlink("/etilqs_1_1")']);
  t.notOk(u.vfscore.files.has('/etilqs_1_1'));
  const other = u.open('/db');
  t.equal(u.io.xLock(other.pFile, SQLITE_LOCK_SHARED), C.SQLITE_OK);
  t.equal(u.io.xLock(other.pFile, SQLITE_LOCK_RESERVED), C.SQLITE_OK, 'the closed file\'s RESERVED was released');
  t.equal(u.io.xClose(kept.pFile), C.SQLITE_IOERR_CLOSE, 'a closed pFile is no file');
  const failing = u.open('/db');
  u.vfscore.fail('close', -ERRNO.EIO);
  t.equal(u.io.xClose(failing.pFile), C.SQLITE_IOERR_CLOSE);
});

t.test('a method on an unknown pFile answers its error code; the FLEXOS_ERR_BAD_ARGUMENT is kept as the fault', async (t) => {
  const u = vfsUnits();
  t.equal(u.io.xSync(0x40, 0), C.SQLITE_IOERR_FSYNC);
  t.equal(u.io.xRead(0x48, 0, 1, 0), C.SQLITE_IOERR_READ);
  const fault = u.ops.takeFault() as { code?: string; message?: string };
  t.equal(fault.code, 'FLEXOS_ERR_BAD_ARGUMENT');
  t.match(fault.message, /0x40/, 'the first fault is kept');
  t.equal(u.ops.takeFault(), null, 'and cleared once taken');
  t.same(u.vfscore.calls, [], 'nothing reached vfscore');
});

t.test('a vfscore call that throws (a gate error) is the method\'s error code, the exception the fault', async (t) => {
  const gateDown = new GateTimeoutError('sqlite -> vfscore.fsync: no answer');
  const u = vfsUnits({ sys: (s) => ({ ...s, fsync: () => { throw gateDown; } }) });
  const { pFile } = u.open('/db');
  t.equal(u.io.xSync(pFile, 0), C.SQLITE_IOERR_FSYNC);
  t.equal(u.ops.takeFault(), gateDown);
});

t.test('file control, sector size and device characteristics are answered without vfscore and not counted', async (t) => {
  const u = vfsUnits();
  const { pFile } = u.open('/db');
  t.equal(u.io.xFileControl(pFile, 5, 0), C.SQLITE_NOTFOUND);
  t.equal(u.io.xSectorSize(pFile), 4096);
  t.equal(u.io.xDeviceCharacteristics(pFile), 0, 'a plain file: the default rollback journal');
  t.same(u.vfscore.calls, []);
  t.equal(u.ops.counts.reduce((a, b) => a + b, 0), 0);
});
