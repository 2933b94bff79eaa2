// SQLite's lock levels (sqlite3.h SQLITE_LOCK_*) mapped onto fcntl: os_unix.c takes each lock change
// with fcntl(F_SETLK) and checks with F_GETLK, so every change crosses into vfscore; but ramfs has no
// locks (and Unikraft's vfscore stubs F_SETLK), so the levels themselves are kept here, per path.

import type { ImportedFunction } from '../../kernel/abi/context.js';
import { F_GETLK, F_SETLK } from '../../kernel/vfscore/flags.js';
import type { OpenFile } from './open-files.js';
import type { ResultCodes } from './result-codes.js';

export const SQLITE_LOCK_NONE = 0;
export const SQLITE_LOCK_SHARED = 1;
export const SQLITE_LOCK_RESERVED = 2;
export const SQLITE_LOCK_PENDING = 3;
export const SQLITE_LOCK_EXCLUSIVE = 4;

/**
 * The holders of one path's locks (os_unix.c: unixInodeInfo), with its rules: SHARED is refused
 * while a writer is PENDING or EXCLUSIVE, one RESERVED at a time, EXCLUSIVE once the other readers
 * have gone. Within one image that is exactly the contention there can be.
 */
interface PathLocks {
  shared: number;
  reserved: OpenFile | null;
  pending: OpenFile | null;
  exclusive: OpenFile | null;
}

export interface LockingOptions {
  /** vfscore's fcntl(fd, cmd, arg). */
  readonly fcntl: ImportedFunction;
  readonly codes: ResultCodes;
}

export class Locking {
  readonly #fcntl: ImportedFunction;
  readonly #codes: ResultCodes;
  readonly #paths = new Map<string, PathLocks>();

  constructor(options: LockingOptions) {
    this.#fcntl = options.fcntl;
    this.#codes = options.codes;
  }

  /** xLock: raises `file` to `level`; one F_SETLK unless the level is already held, then the rules. */
  lock(file: OpenFile, level: number): number {
    const { OK, BUSY } = this.#codes;
    if (file.lock >= level) return OK;
    if (this.#posixLock(file.fd, F_SETLK) < 0) return this.#codes.code('SQLITE_IOERR_LOCK');
    const l = this.#locksOf(file.path);
    if (level === SQLITE_LOCK_SHARED) {
      if (l.pending || l.exclusive) return BUSY;
      l.shared++;
    } else if (level === SQLITE_LOCK_RESERVED) {
      if (file.lock !== SQLITE_LOCK_SHARED || l.reserved) return BUSY;
      l.reserved = file;
    } else if (level === SQLITE_LOCK_EXCLUSIVE) {
      if (l.pending && l.pending !== file) return BUSY;
      l.pending = file; // new readers are refused from now on
      if (l.shared > 1) {
        file.lock = SQLITE_LOCK_PENDING;
        return BUSY;
      }
      l.exclusive = file;
    } else {
      return this.#codes.code('SQLITE_IOERR_LOCK'); // PENDING is never asked for directly
    }
    file.lock = level;
    return OK;
  }

  /** xUnlock: lowers `file` to `level` (SHARED or NONE); always one F_SETLK, as os_unix.c. */
  unlock(file: OpenFile, level: number): number {
    if (this.#posixLock(file.fd, F_SETLK) < 0) return this.#codes.code('SQLITE_IOERR_UNLOCK');
    this.release(file, level);
    return this.#codes.OK;
  }

  /** xCheckReservedLock: one F_GETLK, then whether any connection holds RESERVED or above on the path. */
  checkReservedLock(file: OpenFile): { readonly rc: number; readonly reserved: boolean } {
    if (this.#posixLock(file.fd, F_GETLK) < 0) return { rc: this.#codes.code('SQLITE_IOERR_CHECKRESERVEDLOCK'), reserved: false };
    const l = this.#locksOf(file.path);
    return { rc: this.#codes.OK, reserved: !!(l.reserved || l.pending || l.exclusive) };
  }

  /** Lowers `file` to `level` without crossing: closing the fd is what drops POSIX locks (xClose). */
  release(file: OpenFile, level: number): void {
    if (file.lock <= level) return;
    const l = this.#locksOf(file.path);
    if (l.reserved === file) l.reserved = null;
    if (l.pending === file) l.pending = null;
    if (l.exclusive === file) l.exclusive = null;
    if (level === SQLITE_LOCK_NONE) l.shared--;
    file.lock = level;
  }

  /** The lock call as it crosses into vfscore (os_unix.c: osFcntl(fd, F_SETLK / F_GETLK, &lock)). */
  #posixLock(fd: number, cmd: number): number {
    return this.#fcntl(fd, cmd, 0);
  }

  #locksOf(path: string): PathLocks {
    let l = this.#paths.get(path);
    if (!l) this.#paths.set(path, (l = { shared: 0, reserved: null, pending: null, exclusive: null }));
    return l;
  }
}
