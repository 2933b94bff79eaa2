// The console behind fds 0-2 (Unikraft vfscore's stdio): stdin is always at end of file, stdout and
// stderr go to the host console, fstat answers a character device. A fault on the caller's buffer
// is the caller's -EFAULT.

import type { Memory } from '../../shm/memory.js';
import { ProtectionFault } from '../abi/errors.js';
import { ERRNO } from '../newlib/errno.js';
import { S_IFCHR, STAT_BYTES, encodeStat } from './flags.js';

export interface ConsoleDeps {
  readonly memory: Pick<Memory, 'readString' | 'view'>;
  /** The host console (FlexOS: the platform console behind newlib's printf). */
  log(text: string): void;
}

/** Runs `body` on the caller's memory; a protection fault there is the caller's -EFAULT. */
function guarded(body: () => number): number {
  try {
    return body();
  } catch (error) {
    if (error instanceof ProtectionFault) return -ERRNO.EFAULT;
    throw error;
  }
}

export class Console {
  readonly #deps: ConsoleDeps;

  constructor(deps: ConsoleDeps) {
    this.#deps = deps;
  }

  /** stdout and stderr: the text goes to the host console whole; returns the length. */
  write(buffer: number, length: number): number {
    if (length === 0) return 0;
    return guarded(() => {
      this.#deps.log(this.#deps.memory.readString(buffer, length));
      return length;
    });
  }

  /** fstat of fds 0-2: a character device (crw--w----, as a Linux tty). */
  stat(statAddress: number): number {
    return guarded(() => {
      encodeStat({ size: 0, mtimeMs: 0, ctimeMs: 0, mode: S_IFCHR | 0o620, nlink: 1, ino: 0, blksize: 1024, blocks: 0, dev: 0 }, this.#deps.memory.view(statAddress, STAT_BYTES, 'write'));
      return 0;
    });
  }
}
