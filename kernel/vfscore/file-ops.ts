// vfscore's operations on an open fd (Unikraft vfscore fops.c and the fd half of syscalls.c): data
// moves at the file position or an offset, seeks, stat, truncation, directory reads, close. Checks
// that need no vnode come first, so a refused call crosses no gate to ramfs.

import { ERRNO } from '../newlib/errno.js';
import type { Console } from './console.js';
import type { FdTable, OpenFile } from './fdtable.js';
import { O_ACCMODE, O_APPEND, O_RDONLY, O_WRONLY, SEEK_CUR, SEEK_END, SEEK_SET } from './flags.js';
import type { Vnops } from './vnops.js';

export interface FileOpsDeps {
  readonly fds: FdTable;
  readonly vop: Pick<Vnops, 'close' | 'read' | 'write' | 'size' | 'getattr' | 'truncate' | 'readdir'>;
  readonly console: Console;
}

const E = ERRNO;
const validCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

export class FileOps {
  readonly #fds: FdTable;
  readonly #vop: FileOpsDeps['vop'];
  readonly #console: Console;

  constructor(deps: FileOpsDeps) {
    this.#fds = deps.fds;
    this.#vop = deps.vop;
    this.#console = deps.console;
  }

  close(fd: number): number {
    const f = this.#fds.get(fd);
    if (!f) return -E.EBADF;
    this.#fds.remove(fd);
    return f.kind === 'console' ? 0 : this.#vop.close(f.ino);
  }

  read(fd: number, buffer: number, length: number): number {
    const f = this.#dataFile(fd, length, false);
    if (typeof f === 'number') return f;
    if (f.kind === 'console') return 0;
    const n = this.#vop.read(f.ino, buffer, length, f.pos);
    if (n > 0) f.pos += n;
    return n;
  }

  write(fd: number, buffer: number, length: number): number {
    const f = this.#dataFile(fd, length, true);
    if (typeof f === 'number') return f;
    if (f.kind === 'console') return this.#console.write(buffer, length);
    const at = this.#writeOffset(f, f.pos);
    if (at < 0) return at;
    const n = this.#vop.write(f.ino, buffer, length, at);
    if (n >= 0) f.pos = at + n;
    return n;
  }

  /** read at `offset`; the file position is unchanged. */
  pread(fd: number, buffer: number, length: number, offset: number): number {
    const f = this.#dataFile(fd, length, false);
    if (typeof f === 'number') return f;
    if (f.kind === 'console') return -E.ESPIPE;
    if (!validCount(offset)) return -E.EINVAL;
    return this.#vop.read(f.ino, buffer, length, offset);
  }

  pwrite(fd: number, buffer: number, length: number, offset: number): number {
    const f = this.#dataFile(fd, length, true);
    if (typeof f === 'number') return f;
    if (f.kind === 'console') return -E.ESPIPE;
    if (!validCount(offset)) return -E.EINVAL;
    const at = this.#writeOffset(f, offset);
    return at < 0 ? at : this.#vop.write(f.ino, buffer, length, at);
  }

  lseek(fd: number, offset: number, whence: number): number {
    const f = this.#fds.get(fd);
    if (!f) return -E.EBADF;
    if (f.kind === 'console') return -E.ESPIPE;
    if (!Number.isSafeInteger(offset)) return -E.EINVAL;
    let base: number;
    if (whence === SEEK_SET) base = 0;
    else if (whence === SEEK_CUR) base = f.pos;
    else if (whence === SEEK_END && f.kind === 'file') base = this.#vop.size(f.ino);
    else return -E.EINVAL;
    if (base < 0) return base;
    const pos = base + offset;
    if (!validCount(pos)) return -E.EINVAL;
    f.pos = pos;
    return pos;
  }

  fstat(fd: number, statAddress: number): number {
    const f = this.#fds.get(fd);
    if (!f) return -E.EBADF;
    return f.kind === 'console' ? this.#console.stat(statAddress) : this.#vop.getattr(f.ino, statAddress);
  }

  // FlexOS: VOP_FSYNC is vop_nullop for ramfs; nothing to flush.
  fsync(fd: number): number {
    return this.#fds.get(fd) ? 0 : -E.EBADF;
  }

  ftruncate(fd: number, length: number): number {
    const f = this.#fds.get(fd);
    if (!f) return -E.EBADF;
    if (!validCount(length) || f.kind !== 'file' || (f.flags & O_ACCMODE) === O_RDONLY) return -E.EINVAL;
    return this.#vop.truncate(f.ino, length);
  }

  /** The next entry's name of a directory fd; 0 at the end. */
  readdir(fd: number, buffer: number, length: number): number {
    const f = this.#fds.get(fd);
    if (!f) return -E.EBADF;
    if (f.kind !== 'dir') return -E.ENOTDIR;
    const n = this.#vop.readdir(f.ino, f.pos, buffer, length);
    if (n > 0) f.pos++;
    return n;
  }

  closedir(fd: number): number {
    return this.#fds.get(fd)?.kind === 'dir' ? this.close(fd) : -E.EBADF;
  }

  /** Checks shared by read, pread, write and pwrite; returns the open file or a negative errno. */
  #dataFile(fd: number, length: number, writing: boolean): OpenFile | number {
    const f = this.#fds.get(fd);
    if (!f) return -E.EBADF;
    if ((f.flags & O_ACCMODE) === (writing ? O_RDONLY : O_WRONLY)) return -E.EBADF;
    if (f.kind === 'dir') return -E.EISDIR;
    if (!validCount(length)) return -E.EINVAL;
    return f;
  }

  /** Where a write lands: O_APPEND writes at the end, pwrite too (as Linux does). */
  #writeOffset(f: OpenFile, offset: number): number {
    return f.flags & O_APPEND ? this.#vop.size(f.ino) : offset;
  }
}
