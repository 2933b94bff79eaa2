// SQLite's result codes as the engine defines them (sqlite3.h SQLITE_*), looked up by name in its C
// API, and the one rule that picks SQLITE_FULL over an I/O error code (os_unix.c: ENOSPC is "full").

import { ERRNO } from '../../kernel/newlib/errno.js';

export class ResultCodes {
  readonly OK: number;
  readonly BUSY: number;
  readonly FULL: number;
  readonly CANTOPEN: number;
  readonly NOTFOUND: number;
  readonly #capi: Readonly<Record<string, unknown>>;

  /** Looks up the five codes every method may answer at once, so a foreign engine fails at install. */
  constructor(capi: Readonly<Record<string, unknown>>) {
    this.#capi = capi;
    this.OK = this.code('SQLITE_OK');
    this.BUSY = this.code('SQLITE_BUSY');
    this.FULL = this.code('SQLITE_FULL');
    this.CANTOPEN = this.code('SQLITE_CANTOPEN');
    this.NOTFOUND = this.code('SQLITE_NOTFOUND');
  }

  /** The engine's value of a constant (`SQLITE_IOERR_READ`, `SQLITE_OPEN_CREATE`, ...). */
  code(name: string): number {
    const value = this.#capi[name];
    if (typeof value !== 'number') throw new TypeError(`sqlite vfs: the engine has no constant ${name}`);
    return value;
  }

  /** A failed write or its like: SQLITE_FULL when vfscore ran out of space or memory, else `specific`. */
  ioerr(rc: number, specific: string): number {
    return rc === -ERRNO.ENOSPC || rc === -ERRNO.ENOMEM ? this.FULL : this.code(specific);
  }
}
