// The sqlite application library: what the image build needs to know of it. A real SQLite engine
// (WebAssembly) whose every file operation goes to vfscore through the VFS in vfs.ts, so isolating
// the filesystem costs what it costs in FlexOS's SQLite benchmark.

import type { LibraryDescriptor } from '../../kernel/abi/library.js';

/**
 * The file operations the VFS counts, in the order `fileops(addr)` writes them (one f64 each).
 * `lock`, `unlock` and `checklock` are SQLite's lock-level calls, kept in the VFS (ramfs has no locks).
 */
export const SQLITE_FILE_OPS = ['open', 'close', 'read', 'write', 'truncate', 'sync', 'size', 'lock', 'unlock', 'checklock', 'delete', 'access'] as const;
export type SqliteFileOp = (typeof SQLITE_FILE_OPS)[number];

/** The database file on ramfs and the benchmark's table (FLEXOS.md: tab(id INTEGER PRIMARY KEY, text TEXT)). */
export const SQLITE_DB_PATH = '/flexos.db';
export const SQLITE_BENCH_TABLE = 'CREATE TABLE IF NOT EXISTS tab(id INTEGER PRIMARY KEY, text TEXT)';

/** SQLite result codes the exports return negated (sqlite3.h). */
export const SQLITE_ERROR = 1;
export const SQLITE_TOOBIG = 18;
export const SQLITE_MISUSE = 21;

export const sqlite: LibraryDescriptor = {
  name: 'sqlite',
  exports: {
    /** Runs `count` INSERTs into tab, each its own autocommit transaction: 0, or -(SQLite result code). */
    bench: { args: ['int'], returns: 'int' },
    /**
     * (sql, sqlLen, out, outCap): runs the statements; the rows as text ('|' between columns, '\n'
     * after each row) go to out, truncated at outCap, and the full length is returned (snprintf).
     * On an error: SQLite's message, NUL-terminated, in out, and -(SQLite result code).
     */
    exec: { args: ['addr', 'int', 'addr', 'int'], returns: 'int' },
    /** 1 when PRAGMA integrity_check answers ok, 0 when it finds damage, -(result code) on an error. */
    integrity: { args: [], returns: 'int' },
    /** Writes the file-operation counts since boot (f64 per SQLITE_FILE_OPS entry) at addr unless 0; returns the total. */
    fileops: { args: ['addr'], returns: 'int' },
    /** A buffer of at least `bytes` in this library's heap, for the host to pass SQL and read results (0: no memory). */
    scratch: { args: ['int'], returns: 'addr' },
  },
  calls: {
    // os_unix.c's calls as they land in vfscore: open, close, pread, pwrite, fsync, ftruncate, fstat
    // (file size), unlink (journal delete), access (hot-journal check) and fcntl (F_SETLK locks).
    vfscore: ['open', 'close', 'pread', 'pwrite', 'fsync', 'ftruncate', 'fstat', 'unlink', 'access', 'fcntl'],
    // unixCurrentTimeInt64(): gettimeofday, for date('now') and friends.
    uktime: ['uk_time_now_ms'],
  },
  // FlexOS's SQLite port annotates 24 shared variables; here: the path and I/O buffers and the stat
  // struct handed to vfscore, all in shared stack frames.
  whitelist: ['zPath', 'iobuf', 'statbuf'],
  implementation: new URL('./sqlite.js', import.meta.url).href,
};
