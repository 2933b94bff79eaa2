// vfscore's file descriptor table (Unikraft vfscore's fdtable): one open file per fd, the lowest free
// fd for each new open (as POSIX requires), fds 0-2 the console (Unikraft's vfscore stdio).
// Sockets take their fds from this table too (socket-files.ts), as lib-lwip's do in FlexOS, but
// vfscore's own calls see only files: here the apps read and close sockets through lwip.
// Private to vfscore's compartment; ramfs only ever sees inode numbers.

import { ERRNO } from '../newlib/errno.js';
import { MAX_FILES, O_RDONLY, O_WRONLY } from './flags.js';

export interface OpenFile {
  readonly kind: 'file' | 'dir' | 'console' | 'socket';
  readonly ino: number;
  readonly flags: number;
  /** Byte offset for files, entry index for directories. */
  pos: number;
}

export class FdTable {
  readonly #files: (OpenFile | undefined)[] = [
    { kind: 'console', ino: 0, flags: O_RDONLY, pos: 0 },
    { kind: 'console', ino: 0, flags: O_WRONLY, pos: 0 },
    { kind: 'console', ino: 0, flags: O_WRONLY, pos: 0 },
  ];

  /** The open file of `fd`, or undefined for a free, out-of-range or non-integer fd, or a socket's. */
  get(fd: number): OpenFile | undefined {
    const f = this.entry(fd);
    return f?.kind === 'socket' ? undefined : f;
  }

  /** Whatever holds `fd`, a socket's file included. */
  entry(fd: number): OpenFile | undefined {
    return Number.isInteger(fd) ? this.#files[fd] : undefined;
  }

  /** The lowest free fd, or -EMFILE when all MAX_FILES are taken. */
  lowestFree(): number {
    for (let fd = 0; fd < MAX_FILES; fd++) if (this.#files[fd] === undefined) return fd;
    return -ERRNO.EMFILE;
  }

  /** Installs `file` at `fd` (one lowestFree returned). */
  install(fd: number, file: OpenFile): void {
    this.#files[fd] = file;
  }

  /** Frees `fd`; the caller closes what it held. */
  remove(fd: number): void {
    this.#files[fd] = undefined;
  }
}
