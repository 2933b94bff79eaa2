// SQLite's VFS on the library OS (FlexOS: os_unix.c over vfscore): every open, read, write, truncate,
// sync, size, delete and access becomes a vfscore call, with paths and buffers in shared stack frames,
// so a gate to an isolated vfscore/ramfs is paid per file operation, as on FlexOS.

import type { LibraryContext } from '../../kernel/abi/context.js';
import { FlexosError } from '../../kernel/abi/errors.js';
import { ERRNO } from '../../kernel/newlib/errno.js';
import { F_GETLK, F_OK, F_SETLK, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, R_OK, STAT_BYTES, STAT_SIZE, W_OK } from '../../kernel/vfscore/flags.js';
import { SQLITE_FILE_OPS, type SqliteFileOp } from './exports.js';

/** The slice of the sqlite3 WebAssembly API the VFS uses (its published typings miss a few members). */
export interface Engine {
  readonly capi: Record<string, number> & {
    sqlite3_vfs_find(name: string | null): number;
    sqlite3_vfs: new (pointer?: number) => VfsStruct;
    sqlite3_io_methods: new () => { pointer: number; $iVersion: number };
    sqlite3_file: (new (pointer: number) => { $pMethods: number; dispose(): void }) & { structInfo: { sizeof: number } };
  };
  readonly wasm: {
    heap8u(): Uint8Array;
    poke32(address: number, value: number): unknown;
    poke64(address: number, value: bigint): unknown;
    poke(address: number, value: number, type: 'double'): unknown;
    cstrToJs(address: number): string | null;
  };
  readonly vfs: { installVfs(options: Record<string, unknown>): unknown };
}
interface VfsStruct {
  pointer: number;
  $iVersion: number;
  $szOsFile: number;
  $mxPathname: number;
  $xRandomness: number;
  dispose(): void;
}

// SQLite's lock levels (sqlite3.h SQLITE_LOCK_*).
const NONE = 0;
const SHARED = 1;
const RESERVED = 2;
const PENDING = 3;
const EXCLUSIVE = 4;

interface OpenFile {
  readonly fd: number;
  readonly path: string;
  readonly deleteOnClose: boolean;
  lock: number;
}

/**
 * ramfs has no locks (and Unikraft's vfscore stubs fcntl(F_SETLK)), so SQLite's lock levels are
 * kept here, per path, with os_unix.c's rules: SHARED is refused while a writer is PENDING or
 * EXCLUSIVE, one RESERVED at a time, EXCLUSIVE once the other readers have gone. Within one image
 * that is exactly the contention there can be.
 */
interface PathLocks {
  shared: number;
  reserved: OpenFile | null;
  pending: OpenFile | null;
  exclusive: OpenFile | null;
}

const encoder = new TextEncoder();
const SECTOR_BYTES = 4096; // os_unix.c: SQLITE_DEFAULT_SECTOR_SIZE
const MAX_PATH = 512;
let installed = 0;

export interface FlexosVfs {
  readonly name: string;
  /** File operations since boot, by SQLITE_FILE_OPS index. */
  readonly counts: Float64Array;
  /** The first non-SQLite failure (a gate or shutdown error) a VFS method swallowed, cleared. */
  takeFault(): unknown;
}

/** Registers the VFS (not as the default) and returns its name and counters. */
export function installFlexosVfs(engine: Engine, ctx: LibraryContext): FlexosVfs {
  const { capi, wasm } = engine;
  const memory = ctx.memory;
  const stack = ctx.stack;
  const sys = {
    open: ctx.import('vfscore', 'open'),
    close: ctx.import('vfscore', 'close'),
    pread: ctx.import('vfscore', 'pread'),
    pwrite: ctx.import('vfscore', 'pwrite'),
    fsync: ctx.import('vfscore', 'fsync'),
    ftruncate: ctx.import('vfscore', 'ftruncate'),
    fstat: ctx.import('vfscore', 'fstat'),
    unlink: ctx.import('vfscore', 'unlink'),
    access: ctx.import('vfscore', 'access'),
    fcntl: ctx.import('vfscore', 'fcntl'),
  };
  /** os_unix.c takes its locks with fcntl(F_SETLK) (F_GETLK to check): the call crosses into vfscore; the lock levels are kept here. */
  const posixLock = (fd: number, cmd: number): number => sys.fcntl(fd, cmd, 0);
  const nowMs = ctx.import('uktime', 'uk_time_now_ms');
  const code = (name: string): number => {
    const value = capi[name];
    if (typeof value !== 'number') throw new TypeError(`sqlite vfs: the engine has no constant ${name}`);
    return value;
  };
  const [OK, BUSY, FULL, CANTOPEN, NOTFOUND] = ['SQLITE_OK', 'SQLITE_BUSY', 'SQLITE_FULL', 'SQLITE_CANTOPEN', 'SQLITE_NOTFOUND'].map(code) as [number, number, number, number, number];
  const counts = new Float64Array(SQLITE_FILE_OPS.length);
  const opIndex = new Map<SqliteFileOp, number>(SQLITE_FILE_OPS.map((op, i) => [op, i]));
  const files = new Map<number, OpenFile>();
  const locks = new Map<string, PathLocks>();
  let fault: unknown = null;
  let tempFiles = 0;

  /** Counts the operation and turns any exception into `onError` (a throw must never unwind through WebAssembly). */
  const op = (name: SqliteFileOp, onError: number, body: () => number): number => {
    counts[opIndex.get(name)!]! += 1;
    try {
      return body();
    } catch (error) {
      fault ??= error;
      return onError;
    }
  };
  const ioerr = (rc: number, specific: string): number => (rc === -ERRNO.ENOSPC || rc === -ERRNO.ENOMEM ? FULL : code(specific));
  /** A path as (address, length) in a shared frame: vfscore may be in another compartment. */
  const withPath = (path: string, body: (address: number, length: number) => number): number =>
    stack.frame(() => {
      const bytes = encoder.encode(path);
      const address = stack.shared(bytes.length);
      memory.writeBytes(address, bytes);
      return body(address, bytes.length);
    });
  const fileOf = (pFile: number): OpenFile => {
    const f = files.get(pFile);
    if (!f) throw new FlexosError('FLEXOS_ERR_BAD_ARGUMENT', `sqlite vfs: no open file at 0x${pFile.toString(16)}`);
    return f;
  };
  const locksOf = (path: string): PathLocks => {
    let l = locks.get(path);
    if (!l) locks.set(path, (l = { shared: 0, reserved: null, pending: null, exclusive: null }));
    return l;
  };
  const unlock = (f: OpenFile, level: number): void => {
    if (f.lock <= level) return;
    const l = locksOf(f.path);
    if (l.reserved === f) l.reserved = null;
    if (l.pending === f) l.pending = null;
    if (l.exclusive === f) l.exclusive = null;
    if (level === NONE) l.shared--;
    f.lock = level;
  };

  const io = new capi.sqlite3_io_methods();
  io.$iVersion = 1;
  const ioMethods = {
    xClose: (pFile: number) =>
      op('close', code('SQLITE_IOERR_CLOSE'), () => {
        const f = fileOf(pFile);
        unlock(f, NONE);
        files.delete(pFile);
        const rc = sys.close(f.fd);
        if (f.deleteOnClose) withPath(f.path, (p, n) => sys.unlink(p, n));
        return rc < 0 ? code('SQLITE_IOERR_CLOSE') : OK;
      }),
    xRead: (pFile: number, pDest: number, amount: number, offset: number | bigint) =>
      op('read', code('SQLITE_IOERR_READ'), () => {
        const f = fileOf(pFile);
        const at = Number(offset);
        const done = stack.frame(() => {
          const buf = stack.shared(amount);
          let got = 0;
          while (got < amount) {
            const n = sys.pread(f.fd, buf + got, amount - got, at + got);
            if (n < 0) return n;
            if (n === 0) break;
            got += n;
          }
          wasm.heap8u().set(memory.view(buf, got, 'read'), Number(pDest));
          return got;
        });
        if (done < 0) return code('SQLITE_IOERR_READ');
        if (done < amount) {
          wasm.heap8u().fill(0, Number(pDest) + done, Number(pDest) + amount); // SQLite requires the tail zeroed
          return code('SQLITE_IOERR_SHORT_READ');
        }
        return OK;
      }),
    xWrite: (pFile: number, pSrc: number, amount: number, offset: number | bigint) =>
      op('write', code('SQLITE_IOERR_WRITE'), () => {
        const f = fileOf(pFile);
        const at = Number(offset);
        const rc = stack.frame(() => {
          const buf = stack.shared(amount);
          memory.view(buf, amount, 'write').set(wasm.heap8u().subarray(Number(pSrc), Number(pSrc) + amount));
          for (let put = 0; put < amount; ) {
            const n = sys.pwrite(f.fd, buf + put, amount - put, at + put);
            if (n <= 0) return n < 0 ? n : -ERRNO.EIO;
            put += n;
          }
          return 0;
        });
        return rc < 0 ? ioerr(rc, 'SQLITE_IOERR_WRITE') : OK;
      }),
    xTruncate: (pFile: number, size: number | bigint) =>
      op('truncate', code('SQLITE_IOERR_TRUNCATE'), () => (sys.ftruncate(fileOf(pFile).fd, Number(size)) < 0 ? code('SQLITE_IOERR_TRUNCATE') : OK)),
    // FlexOS: ramfs's VOP_FSYNC is a no-op, but the call still crosses into vfscore.
    xSync: (pFile: number, _flags: number) => op('sync', code('SQLITE_IOERR_FSYNC'), () => (sys.fsync(fileOf(pFile).fd) < 0 ? code('SQLITE_IOERR_FSYNC') : OK)),
    xFileSize: (pFile: number, pSize: number) =>
      op('size', code('SQLITE_IOERR_FSTAT'), () => {
        const f = fileOf(pFile);
        const size = stack.frame(() => {
          const st = stack.shared(STAT_BYTES);
          const rc = sys.fstat(f.fd, st);
          return rc < 0 ? rc : memory.read64(st + STAT_SIZE);
        });
        if (size < 0) return code('SQLITE_IOERR_FSTAT');
        wasm.poke64(pSize, BigInt(size));
        return OK;
      }),
    xLock: (pFile: number, level: number) =>
      op('lock', code('SQLITE_IOERR_LOCK'), () => {
        const f = fileOf(pFile);
        if (f.lock >= level) return OK;
        if (posixLock(f.fd, F_SETLK) < 0) return code('SQLITE_IOERR_LOCK');
        const l = locksOf(f.path);
        if (level === SHARED) {
          if (l.pending || l.exclusive) return BUSY;
          l.shared++;
        } else if (level === RESERVED) {
          if (f.lock !== SHARED || l.reserved) return BUSY;
          l.reserved = f;
        } else if (level === EXCLUSIVE) {
          if (l.pending && l.pending !== f) return BUSY;
          l.pending = f; // new readers are refused from now on
          if (l.shared > 1) {
            f.lock = PENDING;
            return BUSY;
          }
          l.exclusive = f;
        } else {
          return code('SQLITE_IOERR_LOCK'); // PENDING is never asked for directly
        }
        f.lock = level;
        return OK;
      }),
    xUnlock: (pFile: number, level: number) =>
      op('unlock', code('SQLITE_IOERR_UNLOCK'), () => {
        if (posixLock(fileOf(pFile).fd, F_SETLK) < 0) return code('SQLITE_IOERR_UNLOCK');
        unlock(fileOf(pFile), level);
        return OK;
      }),
    xCheckReservedLock: (pFile: number, pOut: number) =>
      op('checklock', code('SQLITE_IOERR_CHECKRESERVEDLOCK'), () => {
        if (posixLock(fileOf(pFile).fd, F_GETLK) < 0) return code('SQLITE_IOERR_CHECKRESERVEDLOCK');
        const l = locksOf(fileOf(pFile).path);
        wasm.poke32(pOut, l.reserved || l.pending || l.exclusive ? 1 : 0);
        return OK;
      }),
    xFileControl: (_pFile: number, _op: number, _arg: number) => NOTFOUND,
    xSectorSize: (_pFile: number) => SECTOR_BYTES,
    xDeviceCharacteristics: (_pFile: number) => 0, // as os_unix.c for a plain file: the default journal
  };
  engine.vfs.installVfs({ io: { struct: io, methods: ioMethods } });

  const vfs = new capi.sqlite3_vfs();
  const fallback = new capi.sqlite3_vfs(capi.sqlite3_vfs_find(null));
  vfs.$iVersion = 2;
  vfs.$szOsFile = capi.sqlite3_file.structInfo.sizeof;
  vfs.$mxPathname = MAX_PATH;
  vfs.$xRandomness = fallback.$xRandomness; // the engine's own entropy source
  fallback.dispose();
  const absolute = (name: string): string => (name.startsWith('/') ? name : `/${name}`);
  const vfsMethods = {
    xOpen: (_pVfs: number, zName: number, pFile: number, flags: number, pOutFlags: number) =>
      op('open', CANTOPEN, () => {
        const name = zName ? wasm.cstrToJs(zName) : null;
        const path = name ? absolute(name) : `/etilqs_${ctx.compartment.index}_${++tempFiles}`;
        let oflags = flags & code('SQLITE_OPEN_READWRITE') ? O_RDWR : O_RDONLY;
        if (flags & code('SQLITE_OPEN_CREATE')) oflags |= O_CREAT;
        if (flags & code('SQLITE_OPEN_EXCLUSIVE')) oflags |= O_EXCL;
        const fd = withPath(path, (p, n) => sys.open(p, n, oflags, 0o644));
        if (fd < 0) return CANTOPEN;
        files.set(pFile, { fd, path, deleteOnClose: name === null || (flags & code('SQLITE_OPEN_DELETEONCLOSE')) !== 0, lock: NONE });
        const file = new capi.sqlite3_file(pFile);
        file.$pMethods = io.pointer;
        file.dispose();
        if (pOutFlags) wasm.poke32(pOutFlags, flags);
        return OK;
      }),
    xDelete: (_pVfs: number, zName: number, _syncDir: number) =>
      op('delete', code('SQLITE_IOERR_DELETE'), () => {
        const rc = withPath(absolute(wasm.cstrToJs(zName) ?? ''), (p, n) => sys.unlink(p, n));
        if (rc === -ERRNO.ENOENT) return code('SQLITE_IOERR_DELETE_NOENT');
        return rc < 0 ? code('SQLITE_IOERR_DELETE') : OK;
      }),
    xAccess: (_pVfs: number, zName: number, flags: number, pOut: number) =>
      op('access', code('SQLITE_IOERR_ACCESS'), () => {
        const mode = flags === code('SQLITE_ACCESS_READWRITE') ? R_OK | W_OK : flags === code('SQLITE_ACCESS_READ') ? R_OK : F_OK;
        const rc = withPath(absolute(wasm.cstrToJs(zName) ?? ''), (p, n) => sys.access(p, n, mode));
        wasm.poke32(pOut, rc === 0 ? 1 : 0);
        return OK;
      }),
    xFullPathname: (_pVfs: number, zName: number, nOut: number, zOut: number) => {
      const bytes = encoder.encode(absolute(wasm.cstrToJs(zName) ?? ''));
      if (bytes.length >= nOut) return CANTOPEN;
      const heap = wasm.heap8u();
      heap.set(bytes, zOut);
      heap[zOut + bytes.length] = 0;
      return OK;
    },
    // os_unix.c: unixCurrentTime[Int64]() reads gettimeofday (uktime in FlexOS).
    xCurrentTime: (_pVfs: number, pOut: number) => {
      wasm.poke(pOut, 2440587.5 + nowMs() / 864e5, 'double');
      return OK;
    },
    xCurrentTimeInt64: (_pVfs: number, pOut: number) => {
      wasm.poke64(pOut, 210866760000000n + BigInt(nowMs()));
      return OK;
    },
    // One connection per image: a busy handler that sleeps could never see the lock released.
    xSleep: (_pVfs: number, _us: number) => 0,
    xGetLastError: (_pVfs: number, _n: number, _out: number) => 0,
  };
  const name = `flexos${installed++ === 0 ? '' : installed}`;
  engine.vfs.installVfs({ vfs: { struct: vfs, name, methods: vfsMethods } });

  return {
    name,
    counts,
    takeFault() {
      const f = fault;
      fault = null;
      return f;
    },
  };
}

