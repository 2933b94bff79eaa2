// The files the VFS has open (os_unix.c: the unixFile behind each sqlite3_file), by the address of
// SQLite's sqlite3_file struct in the WebAssembly heap: the vfscore fd, the path and the lock level.

import { FlexosError } from '../../kernel/abi/errors.js';

export interface OpenFile {
  readonly fd: number;
  /** The absolute path on vfscore: lock levels are kept per path. */
  readonly path: string;
  /** Unlinked on close: a temporary file, or SQLITE_OPEN_DELETEONCLOSE. */
  readonly deleteOnClose: boolean;
  /** The SQLite lock level held (SQLITE_LOCK_*). */
  lock: number;
}

export class OpenFiles {
  readonly #files = new Map<number, OpenFile>();

  add(pFile: number, file: OpenFile): void {
    this.#files.set(pFile, file);
  }

  /** The file SQLite opened at `pFile`; a method called on any other address is refused. */
  get(pFile: number): OpenFile {
    const file = this.#files.get(pFile);
    if (!file) throw new FlexosError('FLEXOS_ERR_BAD_ARGUMENT', `sqlite vfs: no open file at 0x${pFile.toString(16)}`);
    return file;
  }

  delete(pFile: number): void {
    this.#files.delete(pFile);
  }
}
