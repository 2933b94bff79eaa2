// Small stand-ins for what the SQLite VFS's units stand on, so they run alone in one thread: simulated
// memory with a stack for the shared frames, a vfscore that records every call (its files in a Map,
// as ramfs keeps them) and a WebAssembly heap with the engine's peek/poke helpers.

import { Memory } from '../../../shm/memory.js';
import { StackFrames } from '../../../shm/stack.js';
import { RegionHeap } from '../../../shm/heap.js';
import { createRegion, describe } from '../../../shm/region.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { O_CREAT, O_EXCL, O_RDWR, STAT_BYTES, encodeStat, S_IFREG } from '../../../kernel/vfscore/flags.js';
import type { Syscalls, SyscallName } from '../../../workloads/sqlite/syscalls.js';
import { FileOps } from '../../../workloads/sqlite/file-ops.js';
import { ioMethods } from '../../../workloads/sqlite/io-methods.js';
import { Locking } from '../../../workloads/sqlite/locking.js';
import { OpenFiles } from '../../../workloads/sqlite/open-files.js';
import { ResultCodes } from '../../../workloads/sqlite/result-codes.js';
import { SharedVariables } from '../../../workloads/sqlite/shared-variables.js';
import { vfsMethods } from '../../../workloads/sqlite/vfs-methods.js';

/** The sqlite3.h constants the VFS looks up, as the engine defines them (vfs.test.ts checks them against it). */
export const SQLITE_CONSTANTS = {
  SQLITE_OK: 0,
  SQLITE_BUSY: 5,
  SQLITE_NOTFOUND: 12,
  SQLITE_FULL: 13,
  SQLITE_CANTOPEN: 14,
  SQLITE_IOERR_READ: 266,
  SQLITE_IOERR_SHORT_READ: 522,
  SQLITE_IOERR_WRITE: 778,
  SQLITE_IOERR_FSYNC: 1034,
  SQLITE_IOERR_TRUNCATE: 1546,
  SQLITE_IOERR_FSTAT: 1802,
  SQLITE_IOERR_UNLOCK: 2058,
  SQLITE_IOERR_DELETE: 2570,
  SQLITE_IOERR_ACCESS: 3338,
  SQLITE_IOERR_CHECKRESERVEDLOCK: 3594,
  SQLITE_IOERR_LOCK: 3850,
  SQLITE_IOERR_CLOSE: 4106,
  SQLITE_IOERR_DELETE_NOENT: 5898,
  SQLITE_OPEN_READONLY: 1,
  SQLITE_OPEN_READWRITE: 2,
  SQLITE_OPEN_CREATE: 4,
  SQLITE_OPEN_DELETEONCLOSE: 8,
  SQLITE_OPEN_EXCLUSIVE: 16,
  SQLITE_ACCESS_EXISTS: 0,
  SQLITE_ACCESS_READWRITE: 1,
  SQLITE_ACCESS_READ: 2,
} as const;

/** A compartment's memory and stack, with shared frames on the one stack region (MPK-light). */
export function simulatedMemory(): { memory: Memory; stack: StackFrames } {
  const stackRegion = createRegion({ id: 1, name: 'stack', kind: 'stack', key: 0, size: 256 * 1024, owner: 1 });
  const heapRegion = createRegion({ id: 2, name: 'shared-heap', kind: 'shared-heap', key: 15, size: 64 * 1024, owner: 0 });
  const memory = new Memory({
    compartment: 'sqlite',
    table: [describe(stackRegion), describe(heapRegion)],
    buffers: new Map([
      [stackRegion.id, stackRegion.buffer],
      [heapRegion.id, heapRegion.buffer],
    ]),
  });
  const stack = new StackFrames('shared', { compartment: 'sqlite', regions: { stack: stackRegion }, sharedHeap: RegionHeap.format(heapRegion) });
  return { memory, stack };
}

export interface VfscoreCall {
  readonly fn: SyscallName;
  readonly args: readonly number[];
  /** The path the call named, read from simulated memory (open, unlink, access). */
  readonly path?: string;
  /** What vfscore answered. */
  readonly rc: number;
}

/** vfscore as seen by its caller: every call recorded in order, files in a Map, errnos as vfscore returns them. */
export class RecordingVfscore {
  readonly calls: VfscoreCall[] = [];
  readonly files = new Map<string, Uint8Array>();
  /** A call answers this (a -errno) instead of running, once per entry. */
  readonly failures = new Map<SyscallName, number[]>();
  /** pread and pwrite move at most this many bytes per call (a short count, as POSIX allows). */
  maxIo = Infinity;
  readonly #fds = new Map<number, string>();
  readonly #memory: Memory;
  #nextFd = 3;

  constructor(memory: Memory) {
    this.#memory = memory;
  }

  /** Makes the next call of `fn` return `rc`. */
  fail(fn: SyscallName, rc: number): void {
    const queue = this.failures.get(fn) ?? [];
    queue.push(rc);
    this.failures.set(fn, queue);
  }

  /** The recorded calls as short strings (`fcntl(3,6,0)`, `unlink("/db-journal")`), for sequences in assertions. */
  trace(): string[] {
    return this.calls.map((c) => {
      // A path call's (address, length) is shown as the path it named.
      const args = c.path === undefined ? c.args.map(String) : [JSON.stringify(c.path), ...c.args.slice(2).map(String)];
      return `${c.fn}(${args.join(',')})`;
    });
  }

  /** The calls' function names only. */
  names(): SyscallName[] {
    return this.calls.map((c) => c.fn);
  }

  readonly syscalls: Syscalls = {
    open: (p, n, flags, mode) =>
      this.#call('open', [p, n, flags, mode], this.#path(p, n), (path) => {
        const exists = this.files.has(path);
        if (exists && flags & O_EXCL && flags & O_CREAT) return -ERRNO.EEXIST;
        if (!exists && !(flags & O_CREAT)) return -ERRNO.ENOENT;
        if (!exists) this.files.set(path, new Uint8Array(0));
        const fd = this.#nextFd++;
        this.#fds.set(fd, path);
        return fd;
      }),
    close: (fd) => this.#call('close', [fd], undefined, () => (this.#fds.delete(fd) ? 0 : -ERRNO.EBADF)),
    pread: (fd, buf, count, offset) =>
      this.#call('pread', [fd, buf, count, offset], undefined, () => {
        const data = this.#file(fd);
        if (!data) return -ERRNO.EBADF;
        const bytes = data.subarray(Math.min(offset, data.length), Math.min(offset + Math.min(count, this.maxIo), data.length));
        this.#memory.writeBytes(buf, bytes);
        return bytes.length;
      }),
    pwrite: (fd, buf, count, offset) =>
      this.#call('pwrite', [fd, buf, count, offset], undefined, () => {
        const path = this.#fds.get(fd);
        const data = this.#file(fd);
        if (path === undefined || !data) return -ERRNO.EBADF;
        const put = Math.min(count, this.maxIo);
        const grown = new Uint8Array(Math.max(data.length, offset + put));
        grown.set(data);
        grown.set(this.#memory.readBytes(buf, put), offset);
        this.files.set(path, grown);
        return put;
      }),
    fsync: (fd) => this.#call('fsync', [fd], undefined, () => (this.#fds.has(fd) ? 0 : -ERRNO.EBADF)),
    ftruncate: (fd, length) =>
      this.#call('ftruncate', [fd, length], undefined, () => {
        const path = this.#fds.get(fd);
        const data = this.#file(fd);
        if (path === undefined || !data) return -ERRNO.EBADF;
        const cut = new Uint8Array(length);
        cut.set(data.subarray(0, length));
        this.files.set(path, cut);
        return 0;
      }),
    fstat: (fd, st) =>
      this.#call('fstat', [fd, st], undefined, () => {
        const data = this.#file(fd);
        if (!data) return -ERRNO.EBADF;
        encodeStat({ size: data.length, mtimeMs: 0, ctimeMs: 0, mode: S_IFREG | 0o644, nlink: 1, ino: fd, blksize: 4096, blocks: 0, dev: 0 }, this.#memory.view(st, STAT_BYTES));
        return 0;
      }),
    unlink: (p, n) => this.#call('unlink', [p, n], this.#path(p, n), (path) => (this.files.delete(path) ? 0 : -ERRNO.ENOENT)),
    access: (p, n, mode) => this.#call('access', [p, n, mode], this.#path(p, n), (path) => (this.files.has(path) ? 0 : -ERRNO.ENOENT)),
    fcntl: (fd, cmd, arg) => this.#call('fcntl', [fd, cmd, arg], undefined, () => (this.#fds.has(fd) ? 0 : -ERRNO.EBADF)),
  };

  #path(p: number, n: number): string {
    return this.#memory.readString(p, n);
  }

  #file(fd: number): Uint8Array | undefined {
    const path = this.#fds.get(fd);
    return path === undefined ? undefined : this.files.get(path);
  }

  #call(fn: SyscallName, args: number[], path: string | undefined, body: (path: string) => number): number {
    const failed = this.failures.get(fn)?.shift();
    const rc = failed ?? body(path ?? '');
    this.calls.push(path === undefined ? { fn, args, rc } : { fn, args, path, rc });
    return rc;
  }
}

/** The engine's WebAssembly heap and the accessors the VFS uses on it (little endian, as wasm). */
export class FakeWasm {
  readonly bytes = new Uint8Array(64 * 1024);
  readonly #view = new DataView(this.bytes.buffer);
  #top = 1024;

  heap8u(): Uint8Array {
    return this.bytes;
  }
  poke32(address: number, value: number): void {
    this.#view.setInt32(address, value, true);
  }
  poke64(address: number, value: bigint): void {
    this.#view.setBigInt64(address, value, true);
  }
  poke(address: number, value: number, _type: 'double'): void {
    this.#view.setFloat64(address, value, true);
  }
  peek32(address: number): number {
    return this.#view.getInt32(address, true);
  }
  peek64(address: number): bigint {
    return this.#view.getBigInt64(address, true);
  }
  peekDouble(address: number): number {
    return this.#view.getFloat64(address, true);
  }
  cstrToJs(address: number): string | null {
    const end = this.bytes.indexOf(0, address);
    return new TextDecoder().decode(this.bytes.subarray(address, end));
  }
  /** `bytes` zeroed bytes of the heap, 8-aligned. */
  alloc(bytes: number): number {
    const address = this.#top;
    this.#top += (bytes + 7) & ~7;
    return address;
  }
  /** A NUL-terminated copy of `text` on the heap. */
  cstr(text: string): number {
    const encoded = new TextEncoder().encode(text);
    const address = this.alloc(encoded.length + 1);
    this.bytes.set(encoded, address);
    return address;
  }
}

/** Every unit of the VFS wired as vfs.ts wires them, over the fakes; `now` is uktime's clock. */
export function vfsUnits(options: { compartment?: number; now?: () => number; sys?: (recorded: Syscalls) => Syscalls } = {}) {
  const { memory, stack } = simulatedMemory();
  const vfscore = new RecordingVfscore(memory);
  const wasm = new FakeWasm();
  const sys = options.sys?.(vfscore.syscalls) ?? vfscore.syscalls;
  const codes = new ResultCodes(SQLITE_CONSTANTS);
  const ops = new FileOps();
  const files = new OpenFiles();
  const shared = new SharedVariables({ memory, stack, wasm });
  const locking = new Locking({ fcntl: sys.fcntl, codes });
  const attached: number[] = [];
  const io = ioMethods({ sys, files, locking, shared, ops, codes, wasm });
  const now = options.now ?? (() => 0);
  const vfs = vfsMethods({ sys, files, shared, ops, codes, wasm, nowMs: () => now(), attachIoMethods: (pFile) => void attached.push(pFile), compartment: options.compartment ?? 1 });
  /** Opens `path` on vfscore and registers it at a fresh pFile, as xOpen would, without recording the calls. */
  const open = (path: string, deleteOnClose = false): { pFile: number; fd: number } => {
    const fd = shared.withPath(path, (p, n) => vfscore.syscalls.open(p, n, O_CREAT | O_RDWR, 0o644));
    vfscore.calls.length = 0;
    const pFile = wasm.alloc(16);
    files.add(pFile, { fd, path, deleteOnClose, lock: 0 });
    return { pFile, fd };
  };
  return { memory, stack, vfscore, wasm, codes, ops, files, shared, locking, io, vfs, attached, open };
}
