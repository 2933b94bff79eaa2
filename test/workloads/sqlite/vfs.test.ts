// installFlexosVfs with the real engine in one thread, over a recording vfscore: the units wired
// together make os_unix.c's calls, 26 per autocommit INSERT with the default journal, lock
// changes among them as fcntl(F_SETLK); the constants the unit tests use are the engine's own.

import { NO_WORK } from '../../../kernel/abi/work.js';
import t, { type Test } from 'tap';
import init from '@sqlite.org/sqlite-wasm';
import type { LibraryContext } from '../../../kernel/abi/context.js';
import { GateTimeoutError } from '../../../kernel/abi/errors.js';
import { F_SETLK } from '../../../kernel/vfscore/flags.js';
import { SQLITE_FILE_OPS } from '../../../workloads/sqlite/exports.js';
import { installFlexosVfs, type Engine } from '../../../workloads/sqlite/vfs.js';
import { RecordingVfscore, SQLITE_CONSTANTS, simulatedMemory } from './fakes.js';
import type { SyscallName } from '../../../workloads/sqlite/syscalls.js';

const sqlite3 = await init();
(sqlite3 as unknown as { config: { warn: (...args: unknown[]) => void } }).config.warn = () => undefined;
const engine = sqlite3 as unknown as Engine;

/** A LibraryContext with what the VFS uses of it: memory, stack, the compartment and imports. */
function install(t: Test) {
  const { memory, stack } = simulatedMemory();
  const vfscore = new RecordingVfscore(memory);
  /** The next call of `fn` throws `error` instead of reaching vfscore, as a gate that timed out. */
  const pending: { failNext?: { fn: SyscallName; error: Error } } = {};
  const ctx = {
    memory,
    stack,
    compartment: { name: 'comp1', index: 1 },
    import: (library: string, fn: string) => {
      if (library === 'uktime' && fn === 'uk_time_now_ms') return () => 1700000000000;
      const call = vfscore.syscalls[fn as SyscallName];
      return (...args: number[]) => {
        if (pending.failNext?.fn === fn) {
          const { error } = pending.failNext;
          delete pending.failNext;
          throw error;
        }
        return call(...args);
      };
    },
    work: NO_WORK,
  } as unknown as LibraryContext;
  const vfs = installFlexosVfs(engine, ctx);
  const db = new sqlite3.oo1.DB({ filename: '/flexos.db', flags: 'c', vfs: vfs.name });
  t.teardown(() => db.close());
  db.exec('CREATE TABLE IF NOT EXISTS tab(id INTEGER PRIMARY KEY, text TEXT)');
  return { vfs, vfscore, db, pending };
}

const total = (counts: Float64Array): number => counts.reduce((a, b) => a + b, 0);

t.test('the constants the unit tests use are the engine\'s', async (t) => {
  for (const [name, value] of Object.entries(SQLITE_CONSTANTS)) t.equal(engine.capi[name], value, name);
});

t.test('each install registers a VFS of its own name, not the default', async (t) => {
  const a = install(t);
  const b = install(t);
  t.match(a.vfs.name, /^flexos\d*$/);
  t.not(a.vfs.name, b.vfs.name);
  t.not(sqlite3.capi.sqlite3_vfs_find(null), sqlite3.capi.sqlite3_vfs_find(a.vfs.name), 'the default VFS is left as it was');
});

t.test('an autocommit INSERT is 26 vfscore calls in os_unix.c\'s order, five of them fcntl(F_SETLK) on the database', async (t) => {
  const { vfs, vfscore, db } = install(t);
  const dbFd = vfscore.calls.find((c) => c.fn === 'open' && c.path === '/flexos.db')!.rc;
  for (let i = 0; i < 3; i++) {
    const from = vfscore.calls.length;
    const before = total(vfs.counts);
    db.exec(`INSERT INTO tab(text) VALUES ('row ${i}')`);
    const calls = vfscore.calls.slice(from);
    t.same(calls.map((c) => c.fn), [
      'fcntl', 'access', 'pread', 'access', 'fstat', // SHARED; hot journal? WAL? change counter, size
      'fcntl', 'open', 'pwrite', 'pwrite', 'pwrite', 'pwrite', // RESERVED; the journal: header, page 1
      'fcntl', 'pwrite', 'pwrite', 'pwrite', 'pread', 'fsync', 'pwrite', 'fsync', // EXCLUSIVE; page 2, journal synced, header
      'pwrite', 'pwrite', 'fsync', 'close', 'unlink', // the database written and synced, the journal deleted
      'fcntl', 'fcntl', // back to SHARED, to NONE
    ], `INSERT ${i}`);
    t.equal(total(vfs.counts) - before, 26, 'one counted file operation per call');
    t.same(calls.filter((c) => c.fn === 'fcntl').map((c) => c.args), Array.from({ length: 5 }, () => [dbFd, F_SETLK, 0]));
  }
  t.equal(db.selectValue('PRAGMA integrity_check'), 'ok');
  t.ok(vfscore.files.get('/flexos.db')!.length >= 8192, 'the database is on vfscore');
  t.notOk(vfscore.files.has('/flexos.db-journal'), 'the journal is deleted');
});

t.test('a failure SQLite cannot see (a gate error) is kept for the caller; SQLite sees an I/O error', async (t) => {
  const gateDown = new GateTimeoutError('sqlite -> vfscore.fsync: no answer');
  const { vfs, db, pending } = install(t);
  pending.failNext = { fn: 'fsync', error: gateDown };
  t.throws(() => db.exec("INSERT INTO tab(text) VALUES ('lost')"), { message: /disk I\/O error/ });
  t.equal(vfs.takeFault(), gateDown);
  t.equal(vfs.takeFault(), null);
  t.equal(db.selectValue("SELECT count(*) FROM tab WHERE text = 'lost'"), 0, 'the transaction rolled back');
});

t.test('counts are by SQLITE_FILE_OPS index', async (t) => {
  const { vfs } = install(t);
  t.equal(vfs.counts.length, SQLITE_FILE_OPS.length);
  t.ok(vfs.counts[SQLITE_FILE_OPS.indexOf('open')]! >= 1, 'the database was opened');
});
