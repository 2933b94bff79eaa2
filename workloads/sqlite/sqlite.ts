// The SQLite application on the library OS: the real engine (sqlite-wasm, SQLite 3.54) with its
// files on ramfs through vfscore (vfs.ts), the paper's INSERT benchmark, arbitrary SQL for the
// host, and the integrity check run after every benchmark.

import init from '@sqlite.org/sqlite-wasm';
import type { LibraryContext, LibraryInstance } from '../../kernel/abi/context.js';
import { FlexosError } from '../../kernel/abi/errors.js';
import { installFlexosVfs, type Engine } from './vfs.js';
import { SQLITE_BENCH_TABLE, SQLITE_DB_PATH, SQLITE_ERROR, SQLITE_MISUSE } from './exports.js';

// The runtime imports this module before calling create(), so the engine is compiled and
// instantiated here, once per compartment thread: create() and init() can then stay synchronous.
const sqlite3 = await init();
const engine = sqlite3 as unknown as Engine;
// oo1 warns on the console for every failed step; the result code and message reach the caller instead.
(sqlite3 as unknown as { config: { warn: (...args: unknown[]) => void } }).config.warn = () => undefined;

type Database = InstanceType<typeof sqlite3.oo1.DB>;
/** sqlite3.h: the number of virtual machine operations a statement has run. */
const SQLITE_STMTSTATUS_VM_STEP = 4;
const stmtStatus = (sqlite3.capi as unknown as { sqlite3_stmt_status: (stmt: number, op: number, reset: number) => number }).sqlite3_stmt_status;
type Value = string | number | bigint | null | Uint8Array | undefined;

const encoder = new TextEncoder();
const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
/** The sqlite3 shell's list mode: NULL as nothing, blobs as X'..' literals. */
const show = (v: Value): string => (v === null || v === undefined ? '' : v instanceof Uint8Array ? `X'${hex(v)}'` : String(v));
const resultCodeOf = (error: unknown): number | null => {
  const rc = (error as { resultCode?: unknown } | null)?.resultCode;
  return typeof rc === 'number' ? rc : null;
};

/** Statements one by one, cut where sqlite3_complete() says one ends (the sqlite3 shell's rule). */
export function splitStatements(text: string): string[] {
  const statements: string[] = [];
  let start = 0;
  for (let i = text.indexOf(';'); i >= 0; i = text.indexOf(';', i + 1)) {
    const candidate = text.slice(start, i + 1);
    if (sqlite3.capi.sqlite3_complete(candidate)) {
      statements.push(candidate);
      start = i + 1;
    }
  }
  if (text.slice(start).trim() !== '') statements.push(text.slice(start));
  return statements;
}

export function create(ctx: LibraryContext): LibraryInstance {
  const memory = ctx.memory;
  const vfs = installFlexosVfs(engine, ctx);
  let db: Database | null = null;
  let scratch = 0;
  let scratchBytes = 0;

  /** A failure the VFS swallowed (a gate error, shutdown) is the real outcome: rethrow it. */
  const rethrowFault = (): void => {
    const fault = vfs.takeFault();
    if (fault !== null) throw fault;
  };
  const database = (): Database => {
    if (!db) throw new FlexosError('FLEXOS_ERR_BOOT', 'sqlite: the database is not open (init has not run)');
    return db;
  };
  /** Runs SQLite work: -(result code) for an SQL error; any other exception propagates. */
  const run = (body: (db: Database) => number, onError?: (message: string) => void): number => {
    const d = database();
    try {
      const rc = body(d);
      rethrowFault();
      return rc;
    } catch (error) {
      rethrowFault();
      const rc = resultCodeOf(error);
      if (rc === null) throw error;
      const message = sqlite3.capi.sqlite3_errmsg(d.pointer as number); // before ROLLBACK resets it
      // An error inside an explicit transaction leaves it open: roll back, as the shell's user expects.
      if (sqlite3.capi.sqlite3_get_autocommit(d.pointer as number) === 0) d.exec('ROLLBACK');
      onError?.(message);
      return -(rc || SQLITE_ERROR);
    }
  };

  const exports = {
    // The paper's benchmark: each INSERT a statement of its own, in its own transaction.
    bench: (count: number): number => {
      if (!Number.isSafeInteger(count) || count < 0) return -SQLITE_MISUSE;
      return run((d) => {
        for (let i = 1; i <= count; i++) {
          const sql = `INSERT INTO tab(text) VALUES ('flexos-sim row ${i} of ${count}')`;
          // What oo1's exec does for one statement, with the engine's own count of the opcodes it ran (their
          // price, timed on SQLite's C library, covers prepare, the B-tree and the pager too).
          const stmt = d.prepare(sql);
          try {
            stmt.step();
            ctx.work.add('vmstep', stmtStatus(stmt.pointer as number, SQLITE_STMTSTATUS_VM_STEP, 0));
          } finally {
            stmt.finalize();
          }
        }
        return 0;
      });
    },
    exec: (sql: number, sqlLength: number, out: number, outCap: number): number => {
      if (!Number.isSafeInteger(sqlLength) || sqlLength < 0 || !Number.isSafeInteger(outCap) || outCap < 0) return -SQLITE_MISUSE;
      const text = memory.readString(sql, sqlLength);
      const lines: string[] = [];
      const writeOut = (bytes: Uint8Array): void => memory.writeBytes(out, bytes.subarray(0, outCap));
      const rc = run(
        (d) => {
          // oo1's exec hands back the rows of the first statement only: run them one at a time.
          for (const statement of splitStatements(text)) {
            d.exec({ sql: statement, rowMode: 'array', callback: (row) => void lines.push((row as unknown as Value[]).map(show).join('|') + '\n') });
          }
          return 0;
        },
        (message) => {
          if (outCap === 0) return;
          const bytes = encoder.encode(message).subarray(0, outCap - 1);
          writeOut(bytes);
          memory.write8(out + bytes.length, 0);
        },
      );
      if (rc < 0) return rc;
      const bytes = encoder.encode(lines.join(''));
      writeOut(bytes);
      return bytes.length; // more than outCap: the output was truncated (snprintf)
    },
    integrity: (): number => run((d) => (d.selectValue('PRAGMA integrity_check') === 'ok' ? 1 : 0)),
    fileops: (address: number): number => {
      if (address !== 0) vfs.counts.forEach((n, i) => memory.write64(address + 8 * i, n));
      return vfs.counts.reduce((a, b) => a + b, 0);
    },
    scratch: (bytes: number): number => {
      if (!Number.isSafeInteger(bytes) || bytes <= 0) return 0;
      if (bytes > scratchBytes) {
        if (scratch !== 0) ctx.heap.free(scratch);
        scratch = ctx.heap.malloc(bytes);
        scratchBytes = scratch === 0 ? 0 : bytes;
      }
      return scratch;
    },
  };

  return {
    init() {
      db = new sqlite3.oo1.DB({ filename: SQLITE_DB_PATH, flags: 'c', vfs: vfs.name });
      rethrowFault();
      let reason = '';
      const rc = run(
        (d) => {
          d.exec(SQLITE_BENCH_TABLE);
          return 0;
        },
        (message) => (reason = message),
      );
      if (rc < 0) throw new FlexosError('FLEXOS_ERR_BOOT', `sqlite: creating the benchmark table failed (SQLite result code ${-rc}): ${reason}`);
    },
    stop() {
      try {
        db?.close();
      } catch {
        // shutting down: vfscore may already be gone; ramfs's memory goes with the image anyway
      }
      db = null;
      vfs.takeFault();
    },
    exports,
  };
}
