// sqlite3_io_methods for a file on vfscore (os_unix.c: the unixFile methods): close, read, write,
// truncate, sync and size each become vfscore calls over the shared iobuf and statbuf; lock changes
// cross as fcntl (locking.ts). Every counted method runs in FileOps' guard.

import { ERRNO } from '../../kernel/newlib/errno.js';
import type { WasmHeap } from './engine.js';
import type { FileOps } from './file-ops.js';
import { SQLITE_LOCK_NONE, type Locking } from './locking.js';
import type { OpenFiles } from './open-files.js';
import type { ResultCodes } from './result-codes.js';
import type { SharedVariables } from './shared-variables.js';
import type { Syscalls } from './syscalls.js';

const SECTOR_BYTES = 4096; // os_unix.c: SQLITE_DEFAULT_SECTOR_SIZE

export interface IoMethodsOptions {
  readonly sys: Syscalls;
  readonly files: OpenFiles;
  readonly locking: Locking;
  readonly shared: SharedVariables;
  readonly ops: FileOps;
  readonly codes: ResultCodes;
  readonly wasm: Pick<WasmHeap, 'heap8u' | 'poke32' | 'poke64'>;
}

/** The methods of the sqlite3_io_methods struct, as the engine's installVfs takes them. */
export function ioMethods(options: IoMethodsOptions) {
  const { sys, files, locking, shared, ops, codes, wasm } = options;
  const { OK, NOTFOUND } = codes;
  const code = (name: string): number => codes.code(name);
  return {
    xClose: (pFile: number): number =>
      ops.run('close', code('SQLITE_IOERR_CLOSE'), () => {
        const f = files.get(pFile);
        locking.release(f, SQLITE_LOCK_NONE);
        files.delete(pFile);
        const rc = sys.close(f.fd);
        if (f.deleteOnClose) shared.withPath(f.path, (p, n) => sys.unlink(p, n));
        return rc < 0 ? code('SQLITE_IOERR_CLOSE') : OK;
      }),
    // os_unix.c: seekAndRead() loops until the amount is read or the file ends.
    xRead: (pFile: number, pDest: number, amount: number, offset: number | bigint): number =>
      ops.run('read', code('SQLITE_IOERR_READ'), () => {
        const f = files.get(pFile);
        const at = Number(offset);
        const done = shared.readInto(Number(pDest), amount, (iobuf) => {
          let got = 0;
          while (got < amount) {
            const n = sys.pread(f.fd, iobuf + got, amount - got, at + got);
            if (n < 0) return n;
            if (n === 0) break;
            got += n;
          }
          return got;
        });
        if (done < 0) return code('SQLITE_IOERR_READ');
        if (done < amount) {
          wasm.heap8u().fill(0, Number(pDest) + done, Number(pDest) + amount); // SQLite requires the tail zeroed
          return code('SQLITE_IOERR_SHORT_READ');
        }
        return OK;
      }),
    // os_unix.c: seekAndWrite() loops until all is written; a write of nothing is an I/O error.
    xWrite: (pFile: number, pSrc: number, amount: number, offset: number | bigint): number =>
      ops.run('write', code('SQLITE_IOERR_WRITE'), () => {
        const f = files.get(pFile);
        const at = Number(offset);
        const rc = shared.writeFrom(Number(pSrc), amount, (iobuf) => {
          for (let put = 0; put < amount; ) {
            const n = sys.pwrite(f.fd, iobuf + put, amount - put, at + put);
            if (n <= 0) return n < 0 ? n : -ERRNO.EIO;
            put += n;
          }
          return 0;
        });
        return rc < 0 ? codes.ioerr(rc, 'SQLITE_IOERR_WRITE') : OK;
      }),
    xTruncate: (pFile: number, size: number | bigint): number =>
      ops.run('truncate', code('SQLITE_IOERR_TRUNCATE'), () => (sys.ftruncate(files.get(pFile).fd, Number(size)) < 0 ? code('SQLITE_IOERR_TRUNCATE') : OK)),
    // FlexOS: ramfs's VOP_FSYNC is a no-op, but the call still crosses into vfscore.
    xSync: (pFile: number, _flags: number): number =>
      ops.run('sync', code('SQLITE_IOERR_FSYNC'), () => (sys.fsync(files.get(pFile).fd) < 0 ? code('SQLITE_IOERR_FSYNC') : OK)),
    xFileSize: (pFile: number, pSize: number): number =>
      ops.run('size', code('SQLITE_IOERR_FSTAT'), () => {
        const f = files.get(pFile);
        const size = shared.statSize((statbuf) => sys.fstat(f.fd, statbuf));
        if (size < 0) return code('SQLITE_IOERR_FSTAT');
        wasm.poke64(pSize, BigInt(size));
        return OK;
      }),
    xLock: (pFile: number, level: number): number => ops.run('lock', code('SQLITE_IOERR_LOCK'), () => locking.lock(files.get(pFile), level)),
    xUnlock: (pFile: number, level: number): number => ops.run('unlock', code('SQLITE_IOERR_UNLOCK'), () => locking.unlock(files.get(pFile), level)),
    xCheckReservedLock: (pFile: number, pOut: number): number =>
      ops.run('checklock', code('SQLITE_IOERR_CHECKRESERVEDLOCK'), () => {
        const { rc, reserved } = locking.checkReservedLock(files.get(pFile));
        if (rc === OK) wasm.poke32(pOut, reserved ? 1 : 0);
        return rc;
      }),
    xFileControl: (_pFile: number, _op: number, _arg: number): number => NOTFOUND,
    xSectorSize: (_pFile: number): number => SECTOR_BYTES,
    xDeviceCharacteristics: (_pFile: number): number => 0, // as os_unix.c for a plain file: the default journal
  };
}

export type IoMethods = ReturnType<typeof ioMethods>;
