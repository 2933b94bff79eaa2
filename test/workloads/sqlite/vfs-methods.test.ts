// sqlite3_vfs methods alone in one thread over a recording vfscore: open maps SQLite's flags onto
// O_* and names temporary files, delete and access take absolute paths in the shared zPath,
// full pathnames are written NUL-terminated, each counted method costs exactly one vfscore call.

import t from 'tap';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { F_OK, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, R_OK, W_OK } from '../../../kernel/vfscore/flags.js';
import { SQLITE_FILE_OPS } from '../../../workloads/sqlite/exports.js';
import { SQLITE_LOCK_NONE } from '../../../workloads/sqlite/locking.js';
import { absolutePath } from '../../../workloads/sqlite/vfs-methods.js';
import { SQLITE_CONSTANTS as C, vfsUnits } from './fakes.js';

const RW_CREATE = C.SQLITE_OPEN_READWRITE | C.SQLITE_OPEN_CREATE;

t.test('names are taken from the root of ramfs', async (t) => {
  t.equal(absolutePath('flexos.db'), '/flexos.db');
  t.equal(absolutePath('/flexos.db'), '/flexos.db');
  t.equal(absolutePath(''), '/');
});

t.test('xOpen: one open with the flags mapped, the file registered, its io methods attached, the flags echoed', async (t) => {
  const u = vfsUnits();
  const pFile = u.wasm.alloc(16);
  const pOutFlags = u.wasm.alloc(4);
  t.equal(u.vfs.xOpen(0, u.wasm.cstr('flexos.db'), pFile, RW_CREATE, pOutFlags), C.SQLITE_OK);
  t.same(u.vfscore.trace(), [`open("/flexos.db",${O_RDWR | O_CREAT},420)`], 'absolute path, O_RDWR | O_CREAT, mode 0644');
  const file = u.files.get(pFile);
  t.same(file, { fd: 3, path: '/flexos.db', deleteOnClose: false, lock: SQLITE_LOCK_NONE });
  t.same(u.attached, [pFile]);
  t.equal(u.wasm.peek32(pOutFlags), RW_CREATE);
  t.equal(u.ops.counts[SQLITE_FILE_OPS.indexOf('open')], 1);
});

t.test('xOpen: read-only, exclusive and delete-on-close flags', async (t) => {
  const u = vfsUnits();
  u.vfscore.files.set('/ro', new Uint8Array(0));
  u.vfs.xOpen(0, u.wasm.cstr('/ro'), u.wasm.alloc(16), C.SQLITE_OPEN_READONLY, 0);
  const journal = u.wasm.alloc(16);
  u.vfs.xOpen(0, u.wasm.cstr('/j'), journal, RW_CREATE | C.SQLITE_OPEN_EXCLUSIVE | C.SQLITE_OPEN_DELETEONCLOSE, 0);
  t.same(u.vfscore.calls.map((c) => c.args[2]), [O_RDONLY, O_RDWR | O_CREAT | O_EXCL]);
  t.equal(u.files.get(journal).deleteOnClose, true);
});

t.test('xOpen without a name: a temporary file named for the compartment, deleted on close', async (t) => {
  const u = vfsUnits({ compartment: 2 });
  const first = u.wasm.alloc(16);
  const second = u.wasm.alloc(16);
  u.vfs.xOpen(0, 0, first, RW_CREATE, 0);
  u.vfs.xOpen(0, 0, second, RW_CREATE, 0);
  t.same(u.vfscore.calls.map((c) => c.path), ['/etilqs_2_1', '/etilqs_2_2']);
  t.equal(u.files.get(first).deleteOnClose, true);
});

t.test('xOpen: a refused open is SQLITE_CANTOPEN and registers nothing', async (t) => {
  const u = vfsUnits();
  const pFile = u.wasm.alloc(16);
  const pOutFlags = u.wasm.alloc(4);
  u.wasm.poke32(pOutFlags, -1);
  t.equal(u.vfs.xOpen(0, u.wasm.cstr('/missing'), pFile, C.SQLITE_OPEN_READONLY, pOutFlags), C.SQLITE_CANTOPEN);
  t.throws(() => u.files.get(pFile), { code: 'FLEXOS_ERR_BAD_ARGUMENT' });
  t.same(u.attached, []);
  t.equal(u.wasm.peek32(pOutFlags), -1, 'no flags written');
});

t.test('xDelete: one unlink; a missing file is SQLITE_IOERR_DELETE_NOENT, other errors SQLITE_IOERR_DELETE', async (t) => {
  const u = vfsUnits();
  u.vfscore.files.set('/flexos.db-journal', new Uint8Array(1));
  t.equal(u.vfs.xDelete(0, u.wasm.cstr('flexos.db-journal'), 0), C.SQLITE_OK);
  t.equal(u.vfs.xDelete(0, u.wasm.cstr('/flexos.db-journal'), 0), C.SQLITE_IOERR_DELETE_NOENT);
  u.vfscore.fail('unlink', -ERRNO.EIO);
  t.equal(u.vfs.xDelete(0, u.wasm.cstr('/x'), 0), C.SQLITE_IOERR_DELETE);
  t.same(u.vfscore.trace(), ['unlink("/flexos.db-journal")', 'unlink("/flexos.db-journal")', 'unlink("/x")']);
  t.equal(u.ops.counts[SQLITE_FILE_OPS.indexOf('delete')], 3);
});

t.test('xAccess: one access with the mode SQLite asks for; any failure answers "no", not an error', async (t) => {
  const u = vfsUnits();
  u.vfscore.files.set('/db', new Uint8Array(0));
  const pOut = u.wasm.alloc(4);
  const ask = (name: string, flags: number): [number, number] => [u.vfs.xAccess(0, u.wasm.cstr(name), flags, pOut), u.wasm.peek32(pOut)];
  t.same(ask('/db', C.SQLITE_ACCESS_EXISTS), [C.SQLITE_OK, 1]);
  t.same(ask('/db', C.SQLITE_ACCESS_READWRITE), [C.SQLITE_OK, 1]);
  t.same(ask('db-journal', C.SQLITE_ACCESS_READ), [C.SQLITE_OK, 0]);
  t.same(u.vfscore.trace(), [`access("/db",${F_OK})`, `access("/db",${R_OK | W_OK})`, `access("/db-journal",${R_OK})`]);
});

t.test('xFullPathname: the absolute name, NUL-terminated; too long for the buffer is SQLITE_CANTOPEN', async (t) => {
  const u = vfsUnits();
  const zOut = u.wasm.alloc(16);
  t.equal(u.vfs.xFullPathname(0, u.wasm.cstr('a.db'), 16, zOut), C.SQLITE_OK);
  t.equal(u.wasm.cstrToJs(zOut), '/a.db');
  t.equal(u.vfs.xFullPathname(0, u.wasm.cstr('abcd.db'), 8, zOut), C.SQLITE_CANTOPEN, '8 bytes and the NUL do not fit in 8');
  t.equal(u.vfs.xFullPathname(0, u.wasm.cstr('abc.db'), 8, zOut), C.SQLITE_OK, '7 bytes and the NUL fit');
  t.same(u.vfscore.calls, [], 'no vfscore call');
});

t.test('xSleep and xGetLastError do nothing (one connection per image: sleeping could not help)', async (t) => {
  const u = vfsUnits();
  t.equal(u.vfs.xSleep(0, 1000), 0);
  t.equal(u.vfs.xGetLastError(0, 0, 0), 0);
});

t.test('a vfscore exception in xOpen is SQLITE_CANTOPEN and the fault', async (t) => {
  const broken = vfsUnits({ sys: (s) => ({ ...s, open: () => { throw new RangeError('sqlite -> vfscore.open: bad argument'); } }) });
  t.equal(broken.vfs.xOpen(0, broken.wasm.cstr('/db'), broken.wasm.alloc(16), RW_CREATE, 0), C.SQLITE_CANTOPEN);
  t.type(broken.ops.takeFault(), RangeError);
});
