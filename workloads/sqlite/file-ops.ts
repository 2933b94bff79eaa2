// The VFS's file-operation counters (by SQLITE_FILE_OPS, read by the `fileops` export) and the guard
// every counted method runs in: an exception must never unwind through WebAssembly, so it becomes
// the method's error code and is kept as the fault the caller rethrows once SQLite has returned.

import { SQLITE_FILE_OPS, type SqliteFileOp } from './exports.js';

export class FileOps {
  /** File operations since install, by SQLITE_FILE_OPS index. */
  readonly counts = new Float64Array(SQLITE_FILE_OPS.length);
  readonly #index = new Map<SqliteFileOp, number>(SQLITE_FILE_OPS.map((op, i) => [op, i]));
  #fault: unknown = null;

  /** Counts `op`, runs `body` and answers `onError` instead of any exception it throws. */
  run(op: SqliteFileOp, onError: number, body: () => number): number {
    this.counts[this.#index.get(op)!]! += 1;
    try {
      return body();
    } catch (error) {
      this.#fault ??= error;
      return onError;
    }
  }

  /** The first exception a method swallowed since the last call (a gate or shutdown error), or null. */
  takeFault(): unknown {
    const fault = this.#fault;
    this.#fault = null;
    return fault;
  }
}
