// SQLite's VFS on the library OS (FlexOS: os_unix.c over vfscore), assembled from its units: every file
// operation becomes a vfscore call (syscalls.ts) with paths and buffers in shared frames (shared-variables.ts),
// so a gate to an isolated vfscore/ramfs is paid per file operation, as on FlexOS.

import type { LibraryContext } from '../../kernel/abi/context.js';
import type { Engine } from './engine.js';
import { FileOps } from './file-ops.js';
import { ioMethods } from './io-methods.js';
import { Locking } from './locking.js';
import { OpenFiles } from './open-files.js';
import { ResultCodes } from './result-codes.js';
import { SharedVariables } from './shared-variables.js';
import { resolveSyscalls } from './syscalls.js';
import { engineRandomness } from './time-and-randomness.js';
import { vfsMethods } from './vfs-methods.js';

export type { Engine } from './engine.js';

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
  const sys = resolveSyscalls(ctx);
  const nowMs = ctx.import('uktime', 'uk_time_now_ms');
  const codes = new ResultCodes(capi);
  const ops = new FileOps();
  const files = new OpenFiles();
  const shared = new SharedVariables({ memory: ctx.memory, stack: ctx.stack, wasm });
  const locking = new Locking({ fcntl: sys.fcntl, codes });

  const io = new capi.sqlite3_io_methods();
  io.$iVersion = 1;
  engine.vfs.installVfs({ io: { struct: io, methods: ioMethods({ sys, files, locking, shared, ops, codes, wasm }) } });

  const vfs = new capi.sqlite3_vfs();
  vfs.$iVersion = 2;
  vfs.$szOsFile = capi.sqlite3_file.structInfo.sizeof;
  vfs.$mxPathname = MAX_PATH;
  vfs.$xRandomness = engineRandomness(capi);
  const attachIoMethods = (pFile: number): void => {
    const file = new capi.sqlite3_file(pFile);
    file.$pMethods = io.pointer;
    file.dispose();
  };
  const methods = vfsMethods({ sys, files, shared, ops, codes, wasm, nowMs, attachIoMethods, compartment: ctx.compartment.index });
  const name = `flexos${installed++ === 0 ? '' : installed}`;
  engine.vfs.installVfs({ vfs: { struct: vfs, name, methods } });

  return { name, counts: ops.counts, takeFault: () => ops.takeFault() };
}
