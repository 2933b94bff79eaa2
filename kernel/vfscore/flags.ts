// The VFS ABI shared by vfscore, ramfs and their callers: open flags, whence values, access modes,
// file types (Linux values, as newlib on Unikraft uses) and the layout of the stat struct that
// vfscore and ramfs write into the caller's memory. Constants and pure encoders only: both sides import it.

export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_ACCMODE = 3;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_DIRECTORY = 0o200000;

/** fcntl() commands: flags, and POSIX record locks (advisory; ramfs keeps none, as Unikraft's vfscore). */
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_GETLK = 5;
export const F_SETLK = 6;
export const F_SETLKW = 7;

export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;

/** access() modes. */
export const F_OK = 0;
export const X_OK = 1;
export const W_OK = 2;
export const R_OK = 4;

/** st_mode file types. */
export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;

/** Linux limits: a path shorter than PATH_MAX bytes, each component at most NAME_MAX. */
export const PATH_MAX = 4096;
export const NAME_MAX = 255;
/** Unikraft's vfscore fd table size (CONFIG_LIBVFSCORE_NR_FILES). fds 0-2 are the console. */
export const MAX_FILES = 1024;

/**
 * The stat struct (little endian, 64 bytes), written by ramfs.getattr and vfscore.fstat:
 *
 *   offset  type  field
 *        0  f64   size (bytes)
 *        8  f64   mtime (ms since the epoch)
 *       16  f64   ctime (ms since the epoch)
 *       24  i32   mode (S_IF* | permission bits)
 *       28  i32   nlink
 *       32  i32   ino
 *       36  i32   blksize
 *       40  f64   blocks (512-byte units allocated)
 *       48  i32   dev
 *       52        reserved (12 bytes, zero)
 */
export const STAT_BYTES = 64;
export const STAT_SIZE = 0;
export const STAT_MTIME = 8;
export const STAT_CTIME = 16;
export const STAT_MODE = 24;
export const STAT_NLINK = 28;
export const STAT_INO = 32;
export const STAT_BLKSIZE = 36;
export const STAT_BLOCKS = 40;
export const STAT_DEV = 48;

export interface Stat {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  mode: number;
  nlink: number;
  ino: number;
  blksize: number;
  blocks: number;
  dev: number;
}

/** Writes `stat` into `bytes` (at least STAT_BYTES long, e.g. a memory view of the caller's struct). */
export function encodeStat(stat: Stat, bytes: Uint8Array): void {
  if (bytes.length < STAT_BYTES) throw new RangeError(`a stat struct takes ${STAT_BYTES} bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, STAT_BYTES);
  bytes.fill(0, 0, STAT_BYTES);
  view.setFloat64(STAT_SIZE, stat.size, true);
  view.setFloat64(STAT_MTIME, stat.mtimeMs, true);
  view.setFloat64(STAT_CTIME, stat.ctimeMs, true);
  view.setInt32(STAT_MODE, stat.mode, true);
  view.setInt32(STAT_NLINK, stat.nlink, true);
  view.setInt32(STAT_INO, stat.ino, true);
  view.setInt32(STAT_BLKSIZE, stat.blksize, true);
  view.setFloat64(STAT_BLOCKS, stat.blocks, true);
  view.setInt32(STAT_DEV, stat.dev, true);
}

export function decodeStat(bytes: Uint8Array): Stat {
  if (bytes.length < STAT_BYTES) throw new RangeError(`a stat struct takes ${STAT_BYTES} bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, STAT_BYTES);
  return {
    size: view.getFloat64(STAT_SIZE, true),
    mtimeMs: view.getFloat64(STAT_MTIME, true),
    ctimeMs: view.getFloat64(STAT_CTIME, true),
    mode: view.getInt32(STAT_MODE, true),
    nlink: view.getInt32(STAT_NLINK, true),
    ino: view.getInt32(STAT_INO, true),
    blksize: view.getInt32(STAT_BLKSIZE, true),
    blocks: view.getFloat64(STAT_BLOCKS, true),
    dev: view.getInt32(STAT_DEV, true),
  };
}

export const isDirectoryMode = (mode: number): boolean => (mode & S_IFMT) === S_IFDIR;
export const isRegularMode = (mode: number): boolean => (mode & S_IFMT) === S_IFREG;
