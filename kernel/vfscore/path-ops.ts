// vfscore's operations on a path (the path half of Unikraft vfscore's syscalls.c: sys_open,
// sys_stat, sys_unlink, sys_rename, sys_mkdir, sys_rmdir): namei() finds the directory, then one
// ramfs vnode operation acts on the last component; open also takes an fd from the table.

import { ERRNO } from '../newlib/errno.js';
import type { FdTable } from './fdtable.js';
import { O_ACCMODE, O_CREAT, O_DIRECTORY, O_EXCL, O_RDONLY, O_TRUNC } from './flags.js';
import type { PathLookup } from './lookup.js';
import type { Vnops } from './vnops.js';

export interface PathOpsDeps {
  readonly fds: FdTable;
  readonly paths: PathLookup;
  readonly vop: Pick<Vnops, 'lookup' | 'create' | 'open' | 'truncate' | 'close' | 'getattr' | 'remove' | 'rename' | 'mkdir' | 'rmdir'>;
}

const E = ERRNO;

export class PathOps {
  readonly #fds: FdTable;
  readonly #paths: PathLookup;
  readonly #vop: PathOpsDeps['vop'];

  constructor(deps: PathOpsDeps) {
    this.#fds = deps.fds;
    this.#paths = deps.paths;
    this.#vop = deps.vop;
  }

  /** (path, pathLen, flags, mode) -> the lowest free fd. */
  open(path: number, length: number, flags: number, mode: number): number {
    const vop = this.#vop;
    if (!Number.isInteger(flags) || (flags & O_ACCMODE) === O_ACCMODE) return -E.EINVAL;
    const fd = this.#fds.lowestFree(); // before touching the tree, as Linux: EMFILE creates nothing
    if (fd < 0) return fd;
    const r = this.#paths.resolve(path, length);
    if (typeof r === 'number') return r;
    let ino: number;
    let created = false;
    if (r.nameLength === 0) {
      if (flags & O_CREAT && flags & O_EXCL) return -E.EEXIST;
      ino = this.#paths.root;
    } else {
      ino = vop.lookup(r.parent, r.name, r.nameLength, 0);
      if (ino === -E.ENOENT && flags & O_CREAT) {
        if (r.trailingSlash) return -E.EISDIR;
        ino = vop.create(r.parent, r.name, r.nameLength, mode & 0o7777);
        created = true;
      } else if (ino >= 0 && flags & O_CREAT && flags & O_EXCL) {
        return -E.EEXIST;
      }
      if (ino < 0) return ino;
    }
    const kind = vop.open(ino, r.trailingSlash ? flags | O_DIRECTORY : flags);
    if (kind < 0) return kind;
    if (flags & O_TRUNC && (flags & O_ACCMODE) !== O_RDONLY && kind === 0 && !created) {
      const rc = vop.truncate(ino, 0);
      if (rc < 0) {
        vop.close(ino);
        return rc;
      }
    }
    this.#fds.install(fd, { kind: kind === 1 ? 'dir' : 'file', ino, flags, pos: 0 });
    return fd;
  }

  /** (path, pathLen) -> a directory fd. */
  opendir(path: number, length: number): number {
    return this.open(path, length, O_RDONLY | O_DIRECTORY, 0);
  }

  stat(path: number, length: number, statAddress: number): number {
    const r = this.#paths.resolve(path, length);
    if (typeof r === 'number') return r;
    const ino = this.#paths.lookup(r);
    return ino < 0 ? ino : this.#vop.getattr(ino, statAddress);
  }

  unlink(path: number, length: number): number {
    const r = this.#paths.resolve(path, length);
    if (typeof r === 'number') return r;
    if (r.nameLength === 0) return -E.EISDIR;
    if (r.trailingSlash) {
      const ino = this.#paths.lookup(r); // "file/" is not a directory; "dir/" is one, which unlink refuses
      return ino < 0 ? ino : -E.EISDIR;
    }
    return this.#vop.remove(r.parent, r.name, r.nameLength);
  }

  rename(from: number, fromLength: number, to: number, toLength: number): number {
    const a = this.#paths.resolve(from, fromLength);
    if (typeof a === 'number') return a;
    const b = this.#paths.resolve(to, toLength);
    if (typeof b === 'number') return b;
    if (a.nameLength === 0 || b.nameLength === 0) return -E.EBUSY;
    if (a.trailingSlash || b.trailingSlash) {
      const ino = this.#paths.lookup(a, true); // a trailing slash on either side: the source must be a directory
      if (ino < 0) return ino;
    }
    return this.#vop.rename(a.parent, a.name, a.nameLength, b.parent, b.name, b.nameLength);
  }

  mkdir(path: number, length: number, mode: number): number {
    const r = this.#paths.resolve(path, length);
    if (typeof r === 'number') return r;
    if (r.nameLength === 0) return -E.EEXIST;
    const ino = this.#vop.mkdir(r.parent, r.name, r.nameLength, mode & 0o7777);
    return ino < 0 ? ino : 0;
  }

  rmdir(path: number, length: number): number {
    const r = this.#paths.resolve(path, length);
    if (typeof r === 'number') return r;
    if (r.nameLength === 0) return -E.EBUSY;
    return this.#vop.rmdir(r.parent, r.name, r.nameLength);
  }
}
