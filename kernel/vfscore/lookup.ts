// vfscore's path lookup over the one mount (Unikraft vfscore lookup.c and mount.c): ramfs mounted at /
// at init, and namei(), which walks a path from the caller's memory one component at a time
// through ramfs's lookup vnode operation, leaving the last component to the operation.

import type { ImportedFunction } from '../abi/context.js';
import { FlexosError, ProtectionFault } from '../abi/errors.js';
import type { Memory } from '../../shm/memory.js';
import { ERRNO } from '../newlib/errno.js';
import { NAME_MAX, PATH_MAX } from './flags.js';
import type { Vnops } from './vnops.js';

/** A path split into the directory that holds its last component and that component's bytes. */
export interface Resolved {
  readonly parent: number;
  readonly name: number;
  /** 0: the path names the root itself. */
  readonly nameLength: number;
  readonly trailingSlash: boolean;
}

export interface PathLookupDeps {
  readonly memory: Pick<Memory, 'view'>;
  readonly vop: Pick<Vnops, 'mount' | 'lookup'>;
}

const E = ERRNO;
const SLASH = 0x2f;

export class PathLookup {
  readonly #memory: Pick<Memory, 'view'>;
  readonly #mount: ImportedFunction;
  readonly #lookup: ImportedFunction;
  #root = 0;

  constructor(deps: PathLookupDeps) {
    this.#memory = deps.memory;
    this.#mount = deps.vop.mount;
    this.#lookup = deps.vop.lookup;
  }

  /** The root directory's inode (0 until mounted). */
  get root(): number {
    return this.#root;
  }

  /** VFS_MOUNT of ramfs at /; a failure stops the boot. */
  mount(): void {
    this.#root = this.#mount();
    if (this.#root <= 0) throw new FlexosError('FLEXOS_ERR_BOOT', `vfscore: mounting ramfs at / failed (${this.#root})`);
  }

  /** FlexOS: namei(). Every component but the last is looked up (and must be a directory). */
  resolve(path: number, length: number): Resolved | number {
    if (!Number.isSafeInteger(length) || length < 0) return -E.EINVAL;
    let bytes: Uint8Array;
    try {
      bytes = this.#memory.view(path, length, 'read');
    } catch (error) {
      if (error instanceof ProtectionFault) return -E.EFAULT;
      throw error;
    }
    const nul = bytes.indexOf(0); // a C string: the length is an upper bound
    const end = nul < 0 ? length : nul;
    if (end === 0) return -E.ENOENT;
    if (end >= PATH_MAX) return -E.ENAMETOOLONG;
    const components: [number, number][] = [];
    for (let i = 0; i < end; ) {
      if (bytes[i] === SLASH) {
        i++;
        continue;
      }
      let j = i;
      while (j < end && bytes[j] !== SLASH) j++;
      if (j - i > NAME_MAX) return -E.ENAMETOOLONG;
      components.push([i, j - i]);
      i = j;
    }
    const last = components.pop();
    let dir = this.#root; // no chdir in the unikernel: relative paths start at the root too
    for (const [start, size] of components) {
      const ino = this.#lookup(dir, path + start, size, 1);
      if (ino < 0) return ino;
      dir = ino;
    }
    return { parent: dir, name: last ? path + last[0] : 0, nameLength: last ? last[1] : 0, trailingSlash: last !== undefined && bytes[end - 1] === SLASH };
  }

  /** The inode a resolved path names (the root for "/"); a trailing slash asks for a directory. */
  lookup(r: Resolved, wantDir = r.trailingSlash): number {
    return r.nameLength === 0 ? this.#root : this.#lookup(r.parent, r.name, r.nameLength, wantDir ? 1 : 0);
  }
}
