// access(): the unikernel runs as root, so read and write are granted and only X_OK asks ramfs, via
// getattr into a stat scratch vfscore keeps in the shared heap (the `access_stat` whitelist entry
// of exports.ts), so ramfs can write it wherever it is isolated.

import type { Allocator } from '../../shm/heap.js';
import type { Memory } from '../../shm/memory.js';
import { FlexosError } from '../abi/errors.js';
import { ERRNO } from '../newlib/errno.js';
import { F_OK, R_OK, STAT_BYTES, STAT_MODE, W_OK, X_OK, isDirectoryMode } from './flags.js';
import type { PathLookup } from './lookup.js';
import type { Vnops } from './vnops.js';

export interface AccessDeps {
  readonly paths: PathLookup;
  readonly vop: Pick<Vnops, 'getattr'>;
  readonly memory: Pick<Memory, 'read32'>;
  readonly sharedHeap: Pick<Allocator, 'malloc' | 'free'>;
}

const E = ERRNO;

export class Access {
  readonly #deps: AccessDeps;
  #stat = 0;

  constructor(deps: AccessDeps) {
    this.#deps = deps;
  }

  /** Takes the stat scratch from the shared heap; an exhausted heap stops the boot. */
  init(): void {
    this.#stat = this.#deps.sharedHeap.malloc(STAT_BYTES);
    if (this.#stat === 0) throw new FlexosError('FLEXOS_ERR_OUT_OF_MEMORY', 'vfscore: the shared heap is exhausted');
  }

  stop(): void {
    if (this.#stat !== 0) this.#deps.sharedHeap.free(this.#stat);
    this.#stat = 0;
  }

  /** (path, pathLen, F_OK | R_OK | W_OK | X_OK) -> 0, or a negative errno. */
  access(path: number, length: number, mode: number): number {
    const { paths, vop, memory } = this.#deps;
    if (!Number.isInteger(mode) || (mode & ~(R_OK | W_OK | X_OK | F_OK)) !== 0) return -E.EINVAL;
    const r = paths.resolve(path, length);
    if (typeof r === 'number') return r;
    const ino = paths.lookup(r);
    if (ino < 0 || !(mode & X_OK)) return Math.min(ino, 0); // read and write are granted to root
    const rc = vop.getattr(ino, this.#stat);
    if (rc < 0) return rc;
    const st = memory.read32(this.#stat + STAT_MODE);
    return isDirectoryMode(st) || (st & 0o111) !== 0 ? 0 : -E.EACCES;
  }
}
