// The caller's buffers as ramfs sees them: names and data cross as address + length in simulated
// memory, and a protection fault on them is the caller's error (-EFAULT), never a crash of ramfs.
// Names are kept as latin1 strings of their bytes, so any byte sequence round-trips exactly.

import type { Memory } from '../../shm/memory.js';
import { ProtectionFault } from '../abi/errors.js';
import { ERRNO } from '../newlib/errno.js';
import { NAME_MAX } from '../vfscore/flags.js';

const E = ERRNO;
const SLASH = 0x2f;

/** A name's bytes as a map key (latin1: one char per byte). */
export const keyOf = (bytes: Uint8Array): string => String.fromCharCode(...bytes);
/** The bytes of a name kept by keyOf. */
export const bytesOf = (key: string): Uint8Array => Uint8Array.from(key, (c) => c.charCodeAt(0));

/** A fault on the caller's buffer is the caller's error (-EFAULT); anything else propagates. */
export function efault(error: unknown): number {
  if (error instanceof ProtectionFault) return -E.EFAULT;
  throw error;
}

export class CallerMemory {
  readonly #memory: Pick<Memory, 'view' | 'writeBytes'>;

  constructor(memory: Pick<Memory, 'view' | 'writeBytes'>) {
    this.#memory = memory;
  }

  /** A live view of the caller's [address, address + length), or -EFAULT. */
  view(address: number, length: number, access: 'read' | 'write'): Uint8Array | number {
    try {
      return this.#memory.view(address, length, access);
    } catch (error) {
      return efault(error);
    }
  }

  /** Copies `bytes` to the caller's `address`: 0, or -EFAULT. */
  write(address: number, bytes: Uint8Array): number {
    try {
      this.#memory.writeBytes(address, bytes);
      return 0;
    } catch (error) {
      return efault(error);
    }
  }

  /** One name component (no "/" or NUL, at most NAME_MAX bytes) as a key, or a negative errno. */
  name(address: number, length: number): string | number {
    if (length === 0) return -E.ENOENT;
    if (!Number.isInteger(length) || length < 0) return -E.EINVAL;
    if (length > NAME_MAX) return -E.ENAMETOOLONG;
    const bytes = this.view(address, length, 'read');
    if (typeof bytes === 'number') return bytes;
    if (bytes.includes(SLASH) || bytes.includes(0)) return -E.EINVAL;
    return keyOf(bytes);
  }
}
