// sqlite3_vfs methods over vfscore (os_unix.c: unixOpen, unixDelete, unixAccess, unixFullPathname):
// names become absolute paths on ramfs in the shared zPath; open maps SQLite's flags onto O_*; the
// clock comes from uktime (time-and-randomness.ts); sleeping is refused.

import { ERRNO } from '../../kernel/newlib/errno.js';
import type { ImportedFunction } from '../../kernel/abi/context.js';
import { F_OK, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, R_OK, W_OK } from '../../kernel/vfscore/flags.js';
import type { WasmHeap } from './engine.js';
import type { FileOps } from './file-ops.js';
import { SQLITE_LOCK_NONE } from './locking.js';
import type { OpenFiles } from './open-files.js';
import type { ResultCodes } from './result-codes.js';
import type { SharedVariables } from './shared-variables.js';
import type { Syscalls } from './syscalls.js';
import { currentTimeMethods } from './time-and-randomness.js';

const encoder = new TextEncoder();

/** ramfs has one root and no working directory: every name is taken from `/`. */
export const absolutePath = (name: string): string => (name.startsWith('/') ? name : `/${name}`);

export interface VfsMethodsOptions {
  readonly sys: Syscalls;
  readonly files: OpenFiles;
  readonly shared: SharedVariables;
  readonly ops: FileOps;
  readonly codes: ResultCodes;
  readonly wasm: Pick<WasmHeap, 'heap8u' | 'poke' | 'poke32' | 'poke64' | 'cstrToJs'>;
  /** uktime's uk_time_now_ms. */
  readonly nowMs: ImportedFunction;
  /** Points the sqlite3_file at `pFile` to the io methods (its pMethods), once the file is open. */
  readonly attachIoMethods: (pFile: number) => void;
  /** The compartment's index, in temporary file names (os_unix.c: etilqs_ names). */
  readonly compartment: number;
}

/** The methods of the sqlite3_vfs struct, as the engine's installVfs takes them. */
export function vfsMethods(options: VfsMethodsOptions) {
  const { sys, files, shared, ops, codes, wasm, attachIoMethods, compartment } = options;
  const { OK, CANTOPEN } = codes;
  const code = (name: string): number => codes.code(name);
  let tempFiles = 0;
  return {
    xOpen: (_pVfs: number, zName: number, pFile: number, flags: number, pOutFlags: number): number =>
      ops.run('open', CANTOPEN, () => {
        const name = zName ? wasm.cstrToJs(zName) : null;
        const path = name ? absolutePath(name) : `/etilqs_${compartment}_${++tempFiles}`;
        let oflags = flags & code('SQLITE_OPEN_READWRITE') ? O_RDWR : O_RDONLY;
        if (flags & code('SQLITE_OPEN_CREATE')) oflags |= O_CREAT;
        if (flags & code('SQLITE_OPEN_EXCLUSIVE')) oflags |= O_EXCL;
        const fd = shared.withPath(path, (p, n) => sys.open(p, n, oflags, 0o644));
        if (fd < 0) return CANTOPEN;
        files.add(pFile, { fd, path, deleteOnClose: name === null || (flags & code('SQLITE_OPEN_DELETEONCLOSE')) !== 0, lock: SQLITE_LOCK_NONE });
        attachIoMethods(pFile);
        if (pOutFlags) wasm.poke32(pOutFlags, flags);
        return OK;
      }),
    xDelete: (_pVfs: number, zName: number, _syncDir: number): number =>
      ops.run('delete', code('SQLITE_IOERR_DELETE'), () => {
        const rc = shared.withPath(absolutePath(wasm.cstrToJs(zName) ?? ''), (p, n) => sys.unlink(p, n));
        if (rc === -ERRNO.ENOENT) return code('SQLITE_IOERR_DELETE_NOENT');
        return rc < 0 ? code('SQLITE_IOERR_DELETE') : OK;
      }),
    // os_unix.c: unixAccess() answers "no" for any failure of access(), not an error.
    xAccess: (_pVfs: number, zName: number, flags: number, pOut: number): number =>
      ops.run('access', code('SQLITE_IOERR_ACCESS'), () => {
        const mode = flags === code('SQLITE_ACCESS_READWRITE') ? R_OK | W_OK : flags === code('SQLITE_ACCESS_READ') ? R_OK : F_OK;
        const rc = shared.withPath(absolutePath(wasm.cstrToJs(zName) ?? ''), (p, n) => sys.access(p, n, mode));
        wasm.poke32(pOut, rc === 0 ? 1 : 0);
        return OK;
      }),
    xFullPathname: (_pVfs: number, zName: number, nOut: number, zOut: number): number => {
      const bytes = encoder.encode(absolutePath(wasm.cstrToJs(zName) ?? ''));
      if (bytes.length >= nOut) return CANTOPEN;
      const heap = wasm.heap8u();
      heap.set(bytes, zOut);
      heap[zOut + bytes.length] = 0;
      return OK;
    },
    ...currentTimeMethods({ nowMs: options.nowMs, wasm }),
    // One connection per image: a busy handler that sleeps could never see the lock released.
    xSleep: (_pVfs: number, _us: number): number => 0,
    xGetLastError: (_pVfs: number, _n: number, _out: number): number => 0,
  };
}

export type VfsMethods = ReturnType<typeof vfsMethods>;
