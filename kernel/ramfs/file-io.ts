// ramfs's data vnode operations (FlexOS/OSv ramfs_read, ramfs_write, ramfs_truncate): bytes move
// between the caller's buffer and a file's blocks (blocks.ts), with offsets checked up front and a
// fault on the caller's buffer returned as -EFAULT.

import { ERRNO } from '../newlib/errno.js';
import { MAX_FILE_BYTES } from './blocks.js';
import type { CallerMemory } from './caller-memory.js';
import type { VnodeDeps, VnodeTable } from './vnode.js';

const E = ERRNO;
const validOffset = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

export class FileIo {
  readonly #vnodes: VnodeTable;
  readonly #caller: CallerMemory;

  constructor(deps: VnodeDeps) {
    this.#vnodes = deps.vnodes;
    this.#caller = deps.caller;
  }

  /** (ino, buf, len, offset) -> bytes read, 0 at or past the end. */
  read(ino: number, buffer: number, length: number, offset: number): number {
    const file = this.#vnodes.fileOf(ino);
    if (typeof file === 'number') return file;
    if (!validOffset(length) || !validOffset(offset)) return -E.EINVAL;
    const n = Math.min(length, file.data.size - offset);
    if (n <= 0) return 0;
    // FlexOS's ramfs copies with newlib's memcpy; here a memory view copies, with the same protection check.
    const target = this.#caller.view(buffer, n, 'write');
    if (typeof target === 'number') return target;
    file.data.readInto(target, offset);
    return n;
  }

  /** (ino, buf, len, offset) -> bytes written: short when the heap runs out, then -ENOSPC. */
  write(ino: number, buffer: number, length: number, offset: number): number {
    const file = this.#vnodes.fileOf(ino);
    if (typeof file === 'number') return file;
    if (!validOffset(length) || !validOffset(offset)) return -E.EINVAL;
    if (length === 0) return 0;
    if (offset + length > MAX_FILE_BYTES) return -E.EFBIG;
    const source = this.#caller.view(buffer, length, 'read');
    if (typeof source === 'number') return source;
    const n = file.data.writeFrom(source, offset);
    if (n > 0) this.#vnodes.touch(file);
    return n > 0 ? n : -E.ENOSPC;
  }

  truncate(ino: number, length: number): number {
    const file = this.#vnodes.fileOf(ino);
    if (typeof file === 'number') return file;
    if (!validOffset(length)) return -E.EINVAL;
    if (length > MAX_FILE_BYTES) return -E.EFBIG;
    file.data.truncate(length);
    this.#vnodes.touch(file);
    return 0;
  }

  /** Bytes in a regular file (vfscore's lseek SEEK_END and O_APPEND). */
  size(ino: number): number {
    const file = this.#vnodes.fileOf(ino);
    return typeof file === 'number' ? file : file.data.size;
  }
}
