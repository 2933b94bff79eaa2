// vfscore: the VFS of the library OS (FlexOS/Unikraft lib/vfscore). Owns the file descriptor table
// (fds 0-2 are the console, as Unikraft's vfscore stdio), resolves paths one component at a time
// through ramfs's vnode operations, and holds a uksched mutex around every operation, as FlexOS does.

import type { ImportedFunction, LibraryContext, LibraryInstance } from '../abi/context.js';
import { FlexosError, ProtectionFault } from '../abi/errors.js';
import { ERRNO } from '../newlib/errno.js';
import { RAMFS_VNOPS } from './exports.js';
import {
  F_GETFL, F_GETLK, F_OK, F_SETLK, F_SETLKW, MAX_FILES, NAME_MAX, O_ACCMODE, O_APPEND, O_CREAT, O_DIRECTORY, O_EXCL, O_RDONLY, O_TRUNC, O_WRONLY, PATH_MAX,
  R_OK, S_IFCHR, SEEK_CUR, SEEK_END, SEEK_SET, STAT_BYTES, STAT_MODE, W_OK, X_OK, encodeStat, isDirectoryMode,
} from './flags.js';

interface OpenFile {
  readonly kind: 'file' | 'dir' | 'console';
  readonly ino: number;
  readonly flags: number;
  /** Byte offset for files, entry index for directories. */
  pos: number;
}

/** A path split into the directory that holds its last component and that component's bytes. */
interface Resolved {
  readonly parent: number;
  readonly name: number;
  /** 0: the path names the root itself. */
  readonly nameLength: number;
  readonly trailingSlash: boolean;
}

const E = ERRNO;
const SLASH = 0x2f;
const validCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

export function create(ctx: LibraryContext): LibraryInstance {
  const vop = Object.fromEntries(RAMFS_VNOPS.map((op) => [op, ctx.import('ramfs', op)])) as Record<(typeof RAMFS_VNOPS)[number], ImportedFunction>;
  const mutexInit = ctx.import('uksched', 'uk_mutex_init');
  const lock = ctx.import('uksched', 'uk_mutex_lock');
  const unlock = ctx.import('uksched', 'uk_mutex_unlock');
  const files: (OpenFile | undefined)[] = [
    { kind: 'console', ino: 0, flags: O_RDONLY, pos: 0 },
    { kind: 'console', ino: 0, flags: O_WRONLY, pos: 0 },
    { kind: 'console', ino: 0, flags: O_WRONLY, pos: 0 },
  ];
  let root = 0;
  let mutex = 0;
  let accessStat = 0;

  /** Runs `body` on the caller's memory; a protection fault there is the caller's -EFAULT. */
  const guarded = (body: () => number): number => {
    try {
      return body();
    } catch (error) {
      if (error instanceof ProtectionFault) return -E.EFAULT;
      throw error;
    }
  };
  const fileOf = (fd: number): OpenFile | undefined => (Number.isInteger(fd) ? files[fd] : undefined);
  const lowestFreeFd = (): number => {
    for (let fd = 0; fd < MAX_FILES; fd++) if (files[fd] === undefined) return fd;
    return -E.EMFILE;
  };

  /** FlexOS: namei(). Every component but the last is looked up (and must be a directory). */
  const resolve = (path: number, length: number): Resolved | number => {
    if (!validCount(length)) return -E.EINVAL;
    let bytes: Uint8Array;
    try {
      bytes = ctx.memory.view(path, length, 'read');
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
    let dir = root; // no chdir in the unikernel: relative paths start at the root too
    for (const [start, size] of components) {
      const ino = vop.lookup(dir, path + start, size, 1);
      if (ino < 0) return ino;
      dir = ino;
    }
    return { parent: dir, name: last ? path + last[0] : 0, nameLength: last ? last[1] : 0, trailingSlash: last !== undefined && bytes[end - 1] === SLASH };
  };
  const lookup = (r: Resolved, wantDir = r.trailingSlash): number => (r.nameLength === 0 ? root : vop.lookup(r.parent, r.name, r.nameLength, wantDir ? 1 : 0));

  const open = (path: number, length: number, flags: number, mode: number): number => {
    if (!Number.isInteger(flags) || (flags & O_ACCMODE) === O_ACCMODE) return -E.EINVAL;
    const fd = lowestFreeFd(); // before touching the tree, as Linux: EMFILE creates nothing
    if (fd < 0) return fd;
    const r = resolve(path, length);
    if (typeof r === 'number') return r;
    let ino: number;
    let created = false;
    if (r.nameLength === 0) {
      if (flags & O_CREAT && flags & O_EXCL) return -E.EEXIST;
      ino = root;
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
    files[fd] = { kind: kind === 1 ? 'dir' : 'file', ino, flags, pos: 0 };
    return fd;
  };

  const close = (fd: number): number => {
    const f = fileOf(fd);
    if (!f) return -E.EBADF;
    files[fd] = undefined;
    return f.kind === 'console' ? 0 : vop.close(f.ino);
  };

  /** Checks shared by read, pread, write and pwrite; returns the open file or a negative errno. */
  const dataFile = (fd: number, length: number, writing: boolean): OpenFile | number => {
    const f = fileOf(fd);
    if (!f) return -E.EBADF;
    if ((f.flags & O_ACCMODE) === (writing ? O_RDONLY : O_WRONLY)) return -E.EBADF;
    if (f.kind === 'dir') return -E.EISDIR;
    if (!validCount(length)) return -E.EINVAL;
    return f;
  };
  /** The console: stdin is always at end of file, stdout and stderr go to the host console. */
  const consoleWrite = (buffer: number, length: number): number => {
    if (length === 0) return 0;
    return guarded(() => {
      ctx.log(ctx.memory.readString(buffer, length));
      return length;
    });
  };
  /** Where a write lands: O_APPEND writes at the end, pwrite too (as Linux does). */
  const writeOffset = (f: OpenFile, offset: number): number => (f.flags & O_APPEND ? vop.size(f.ino) : offset);

  const exports = {
    open,
    close,
    read: (fd: number, buffer: number, length: number): number => {
      const f = dataFile(fd, length, false);
      if (typeof f === 'number') return f;
      if (f.kind === 'console') return 0;
      const n = vop.read(f.ino, buffer, length, f.pos);
      if (n > 0) f.pos += n;
      return n;
    },
    write: (fd: number, buffer: number, length: number): number => {
      const f = dataFile(fd, length, true);
      if (typeof f === 'number') return f;
      if (f.kind === 'console') return consoleWrite(buffer, length);
      const at = writeOffset(f, f.pos);
      if (at < 0) return at;
      const n = vop.write(f.ino, buffer, length, at);
      if (n >= 0) f.pos = at + n;
      return n;
    },
    pread: (fd: number, buffer: number, length: number, offset: number): number => {
      const f = dataFile(fd, length, false);
      if (typeof f === 'number') return f;
      if (f.kind === 'console') return -E.ESPIPE;
      if (!validCount(offset)) return -E.EINVAL;
      return vop.read(f.ino, buffer, length, offset);
    },
    pwrite: (fd: number, buffer: number, length: number, offset: number): number => {
      const f = dataFile(fd, length, true);
      if (typeof f === 'number') return f;
      if (f.kind === 'console') return -E.ESPIPE;
      if (!validCount(offset)) return -E.EINVAL;
      const at = writeOffset(f, offset);
      return at < 0 ? at : vop.write(f.ino, buffer, length, at);
    },
    lseek: (fd: number, offset: number, whence: number): number => {
      const f = fileOf(fd);
      if (!f) return -E.EBADF;
      if (f.kind === 'console') return -E.ESPIPE;
      if (!Number.isSafeInteger(offset)) return -E.EINVAL;
      let base: number;
      if (whence === SEEK_SET) base = 0;
      else if (whence === SEEK_CUR) base = f.pos;
      else if (whence === SEEK_END && f.kind === 'file') base = vop.size(f.ino);
      else return -E.EINVAL;
      if (base < 0) return base;
      const pos = base + offset;
      if (!validCount(pos)) return -E.EINVAL;
      f.pos = pos;
      return pos;
    },
    fstat: (fd: number, statAddress: number): number => {
      const f = fileOf(fd);
      if (!f) return -E.EBADF;
      if (f.kind !== 'console') return vop.getattr(f.ino, statAddress);
      return guarded(() => {
        encodeStat({ size: 0, mtimeMs: 0, ctimeMs: 0, mode: S_IFCHR | 0o620, nlink: 1, ino: 0, blksize: 1024, blocks: 0, dev: 0 }, ctx.memory.view(statAddress, STAT_BYTES, 'write'));
        return 0;
      });
    },
    stat: (path: number, length: number, statAddress: number): number => {
      const r = resolve(path, length);
      if (typeof r === 'number') return r;
      const ino = lookup(r);
      return ino < 0 ? ino : vop.getattr(ino, statAddress);
    },
    // FlexOS: VOP_FSYNC is vop_nullop for ramfs; nothing to flush.
    fsync: (fd: number): number => (fileOf(fd) ? 0 : -E.EBADF),
    // Unikraft's vfscore answers record locks without keeping any: one image, one process.
    fcntl: (fd: number, cmd: number, _arg: number): number => {
      const f = fileOf(fd);
      if (!f) return -E.EBADF;
      if (cmd === F_GETFL) return f.flags;
      if (cmd === F_GETLK || cmd === F_SETLK || cmd === F_SETLKW) return f.kind === 'file' ? 0 : -E.EINVAL;
      return -E.EINVAL;
    },
    ftruncate: (fd: number, length: number): number => {
      const f = fileOf(fd);
      if (!f) return -E.EBADF;
      if (!validCount(length) || f.kind !== 'file' || (f.flags & O_ACCMODE) === O_RDONLY) return -E.EINVAL;
      return vop.truncate(f.ino, length);
    },
    unlink: (path: number, length: number): number => {
      const r = resolve(path, length);
      if (typeof r === 'number') return r;
      if (r.nameLength === 0) return -E.EISDIR;
      if (r.trailingSlash) {
        const ino = lookup(r); // "file/" is not a directory; "dir/" is one, which unlink refuses
        return ino < 0 ? ino : -E.EISDIR;
      }
      return vop.remove(r.parent, r.name, r.nameLength);
    },
    rename: (from: number, fromLength: number, to: number, toLength: number): number => {
      const a = resolve(from, fromLength);
      if (typeof a === 'number') return a;
      const b = resolve(to, toLength);
      if (typeof b === 'number') return b;
      if (a.nameLength === 0 || b.nameLength === 0) return -E.EBUSY;
      if (a.trailingSlash || b.trailingSlash) {
        const ino = lookup(a, true); // a trailing slash on either side: the source must be a directory
        if (ino < 0) return ino;
      }
      return vop.rename(a.parent, a.name, a.nameLength, b.parent, b.name, b.nameLength);
    },
    mkdir: (path: number, length: number, mode: number): number => {
      const r = resolve(path, length);
      if (typeof r === 'number') return r;
      if (r.nameLength === 0) return -E.EEXIST;
      const ino = vop.mkdir(r.parent, r.name, r.nameLength, mode & 0o7777);
      return ino < 0 ? ino : 0;
    },
    rmdir: (path: number, length: number): number => {
      const r = resolve(path, length);
      if (typeof r === 'number') return r;
      if (r.nameLength === 0) return -E.EBUSY;
      return vop.rmdir(r.parent, r.name, r.nameLength);
    },
    opendir: (path: number, length: number): number => open(path, length, O_RDONLY | O_DIRECTORY, 0),
    readdir: (fd: number, buffer: number, length: number): number => {
      const f = fileOf(fd);
      if (!f) return -E.EBADF;
      if (f.kind !== 'dir') return -E.ENOTDIR;
      const n = vop.readdir(f.ino, f.pos, buffer, length);
      if (n > 0) f.pos++;
      return n;
    },
    closedir: (fd: number): number => (fileOf(fd)?.kind === 'dir' ? close(fd) : -E.EBADF),
    access: (path: number, length: number, mode: number): number => {
      if (!Number.isInteger(mode) || (mode & ~(R_OK | W_OK | X_OK | F_OK)) !== 0) return -E.EINVAL;
      const r = resolve(path, length);
      if (typeof r === 'number') return r;
      const ino = lookup(r);
      if (ino < 0 || !(mode & X_OK)) return Math.min(ino, 0); // the unikernel runs as root: read and write are granted
      const rc = vop.getattr(ino, accessStat);
      if (rc < 0) return rc;
      const st = ctx.memory.read32(accessStat + STAT_MODE);
      return isDirectoryMode(st) || (st & 0o111) !== 0 ? 0 : -E.EACCES;
    },
  };

  /** FlexOS: every vfscore entry point takes the uksched mutex and releases it on the way out. */
  const locked = (body: (...args: number[]) => number) => (...args: number[]): number => {
    const rc = lock(mutex);
    if (rc < 0) return rc;
    try {
      return body(...args);
    } finally {
      unlock(mutex);
    }
  };

  return {
    init() {
      mutex = mutexInit();
      if (mutex < 0) throw new FlexosError('FLEXOS_ERR_BOOT', `vfscore: uk_mutex_init failed (${mutex})`);
      root = vop.mount();
      if (root <= 0) throw new FlexosError('FLEXOS_ERR_BOOT', `vfscore: mounting ramfs at / failed (${root})`);
      accessStat = ctx.sharedHeap.malloc(STAT_BYTES);
      if (accessStat === 0) throw new FlexosError('FLEXOS_ERR_OUT_OF_MEMORY', 'vfscore: the shared heap is exhausted');
    },
    stop() {
      if (accessStat !== 0) ctx.sharedHeap.free(accessStat);
      accessStat = 0;
    },
    exports: Object.fromEntries(Object.entries(exports).map(([name, body]) => [name, locked(body as (...args: number[]) => number)])),
  };
}
