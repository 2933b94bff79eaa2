// ramfs: the in-memory filesystem under vfscore (FlexOS/Unikraft lib/ramfs, from OSv). The inode
// tree is library-private state in this compartment's JS heap; file data lives in 4 KiB blocks of
// the compartment's private heap region (blocks.ts). At init it unpacks the `initrd` device if one is attached.

import type { LibraryContext, LibraryInstance } from '../abi/context.js';
import { FlexosError, OutOfMemoryError, ProtectionFault } from '../abi/errors.js';
import { ERRNO } from '../newlib/errno.js';
import { NAME_MAX, O_ACCMODE, O_CREAT, O_DIRECTORY, O_RDONLY, S_IFDIR, S_IFREG, STAT_BYTES, encodeStat } from '../vfscore/flags.js';
import { BLOCK_BYTES, FileData, MAX_FILE_BYTES } from './blocks.js';
import { decodeCpio, type InitrdEntry } from './cpio.js';

export const ROOT_INO = 1;
const RAMFS_DEV = 1;

interface NodeBase {
  readonly ino: number;
  mode: number;
  nlink: number;
  /** Open references held by vfscore; an unlinked node lives on until the last one closes. */
  opens: number;
  mtimeMs: number;
  ctimeMs: number;
}
interface FileNode extends NodeBase {
  readonly kind: 'file';
  readonly data: FileData;
}
interface DirNode extends NodeBase {
  readonly kind: 'dir';
  parent: number;
  /** Name (its bytes as a latin1 string, so names round-trip byte for byte) -> ino. */
  readonly entries: Map<string, number>;
  /** ".", "..", then the entries, rebuilt after a change: readdir walks by index. */
  listing: string[] | null;
}
type Node = FileNode | DirNode;

const keyOf = (bytes: Uint8Array): string => String.fromCharCode(...bytes);
const bytesOf = (key: string): Uint8Array => Uint8Array.from(key, (c) => c.charCodeAt(0));
const encoder = new TextEncoder();
const isSpecial = (key: string): boolean => key === '.' || key === '..';
const validOffset = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

/** A fault on the caller's buffer is the caller's error (-EFAULT), not ramfs's crash. */
function efault(error: unknown): number {
  if (error instanceof ProtectionFault) return -ERRNO.EFAULT;
  throw error;
}

export function create(ctx: LibraryContext): LibraryInstance {
  const E = ERRNO;
  const store = { memory: ctx.memory, heap: ctx.heap };
  const nodes = new Map<number, Node>();
  let nextIno = ROOT_INO;

  const now = (): number => Date.now();
  const newDir = (parent: number, mode: number): DirNode => {
    const t = now();
    const ino = nextIno++;
    const node: DirNode = { kind: 'dir', ino, mode: S_IFDIR | (mode & 0o7777), nlink: 2, opens: 0, mtimeMs: t, ctimeMs: t, parent: parent || ino, entries: new Map(), listing: null };
    nodes.set(ino, node);
    return node;
  };
  const newFile = (mode: number): FileNode => {
    const t = now();
    const node: FileNode = { kind: 'file', ino: nextIno++, mode: S_IFREG | (mode & 0o7777), nlink: 1, opens: 0, mtimeMs: t, ctimeMs: t, data: new FileData(store) };
    nodes.set(node.ino, node);
    return node;
  };
  const root = newDir(0, 0o755);

  const touch = (node: Node): void => {
    node.mtimeMs = node.ctimeMs = now();
    if (node.kind === 'dir') node.listing = null;
  };
  /** Frees a node nobody can reach any more: no name links it and vfscore holds no open reference. */
  const reap = (node: Node): void => {
    if (node.nlink > 0 || node.opens > 0) return;
    if (node.kind === 'file') node.data.release();
    nodes.delete(node.ino);
  };
  /** Drops the name `key` of `node` in `dir`. */
  const unlinkEntry = (dir: DirNode, key: string, node: Node): void => {
    dir.entries.delete(key);
    if (node.kind === 'dir') dir.nlink--;
    node.nlink = 0;
    touch(dir);
    reap(node);
  };

  /** A live directory, or -ENOENT (gone) / -ENOTDIR. */
  const dirOf = (ino: number): DirNode | number => {
    const node = nodes.get(ino);
    if (!node || node.nlink === 0) return -E.ENOENT;
    return node.kind === 'dir' ? node : -E.ENOTDIR;
  };
  const fileOf = (ino: number): FileNode | number => {
    const node = nodes.get(ino);
    if (!node) return -E.EBADF;
    return node.kind === 'file' ? node : -E.EISDIR;
  };
  /** A name component from the caller's memory. */
  const nameAt = (address: number, length: number): string | number => {
    if (length === 0) return -E.ENOENT;
    if (!Number.isInteger(length) || length < 0) return -E.EINVAL;
    if (length > NAME_MAX) return -E.ENAMETOOLONG;
    let bytes: Uint8Array;
    try {
      bytes = ctx.memory.view(address, length, 'read');
    } catch (error) {
      return efault(error);
    }
    if (bytes.includes(0x2f) || bytes.includes(0)) return -E.EINVAL;
    return keyOf(bytes);
  };
  /** Resolves (dir, name) for the operations that create or drop a name. */
  const entryOf = (dirIno: number, address: number, length: number): { dir: DirNode; key: string } | number => {
    const dir = dirOf(dirIno);
    if (typeof dir === 'number') return dir;
    const key = nameAt(address, length);
    return typeof key === 'number' ? key : { dir, key };
  };

  const lookup = (dirIno: number, address: number, length: number, wantDir: number): number => {
    const at = entryOf(dirIno, address, length);
    if (typeof at === 'number') return at;
    const ino = at.key === '.' ? at.dir.ino : at.key === '..' ? at.dir.parent : at.dir.entries.get(at.key);
    if (ino === undefined) return -E.ENOENT;
    if (wantDir && nodes.get(ino)?.kind !== 'dir') return -E.ENOTDIR;
    return ino;
  };

  const makeNode = (dirIno: number, address: number, length: number, make: (dir: DirNode) => Node): number => {
    const at = entryOf(dirIno, address, length);
    if (typeof at === 'number') return at;
    if (isSpecial(at.key) || at.dir.entries.has(at.key)) return -E.EEXIST;
    const node = make(at.dir);
    at.dir.entries.set(at.key, node.ino);
    if (node.kind === 'dir') at.dir.nlink++;
    touch(at.dir);
    return node.ino;
  };

  const rename = (fromDir: number, fromAddress: number, fromLength: number, toDir: number, toAddress: number, toLength: number): number => {
    const from = entryOf(fromDir, fromAddress, fromLength);
    if (typeof from === 'number') return from;
    const to = entryOf(toDir, toAddress, toLength);
    if (typeof to === 'number') return to;
    if (isSpecial(from.key) || isSpecial(to.key)) return -E.EINVAL;
    const ino = from.dir.entries.get(from.key);
    const node = ino === undefined ? undefined : nodes.get(ino);
    if (!node) return -E.ENOENT;
    if (node.kind === 'dir') {
      // A directory cannot move under itself.
      for (let d: DirNode | undefined = to.dir; d; d = d.parent === d.ino ? undefined : (nodes.get(d.parent) as DirNode | undefined)) {
        if (d.ino === node.ino) return -E.EINVAL;
      }
    }
    const existingIno = to.dir.entries.get(to.key);
    if (existingIno === node.ino) return 0;
    const existing = existingIno === undefined ? undefined : nodes.get(existingIno);
    if (existing) {
      if (node.kind === 'dir' && existing.kind !== 'dir') return -E.ENOTDIR;
      if (node.kind === 'file' && existing.kind === 'dir') return -E.EISDIR;
      if (existing.kind === 'dir' && existing.entries.size > 0) return -E.ENOTEMPTY;
      unlinkEntry(to.dir, to.key, existing);
    }
    from.dir.entries.delete(from.key);
    to.dir.entries.set(to.key, node.ino);
    if (node.kind === 'dir') {
      node.parent = to.dir.ino;
      from.dir.nlink--;
      to.dir.nlink++;
    }
    touch(from.dir);
    touch(to.dir);
    node.ctimeMs = now();
    return 0;
  };

  const read = (ino: number, buffer: number, length: number, offset: number): number => {
    const file = fileOf(ino);
    if (typeof file === 'number') return file;
    if (!validOffset(length) || !validOffset(offset)) return -E.EINVAL;
    const n = Math.min(length, file.data.size - offset);
    if (n <= 0) return 0;
    // FlexOS's ramfs copies with newlib's memcpy; here a memory view copies, with the same protection check.
    let target: Uint8Array;
    try {
      target = ctx.memory.view(buffer, n, 'write');
    } catch (error) {
      return efault(error);
    }
    file.data.readInto(target, offset);
    return n;
  };

  const write = (ino: number, buffer: number, length: number, offset: number): number => {
    const file = fileOf(ino);
    if (typeof file === 'number') return file;
    if (!validOffset(length) || !validOffset(offset)) return -E.EINVAL;
    if (length === 0) return 0;
    if (offset + length > MAX_FILE_BYTES) return -E.EFBIG;
    let source: Uint8Array;
    try {
      source = ctx.memory.view(buffer, length, 'read');
    } catch (error) {
      return efault(error);
    }
    const n = file.data.writeFrom(source, offset);
    if (n > 0) touch(file);
    return n > 0 ? n : -E.ENOSPC;
  };

  const getattr = (ino: number, statAddress: number): number => {
    const node = nodes.get(ino);
    if (!node) return -E.ENOENT;
    let target: Uint8Array;
    try {
      target = ctx.memory.view(statAddress, STAT_BYTES, 'write');
    } catch (error) {
      return efault(error);
    }
    const isFile = node.kind === 'file';
    encodeStat(
      {
        size: isFile ? node.data.size : 0,
        mtimeMs: node.mtimeMs,
        ctimeMs: node.ctimeMs,
        mode: node.mode,
        nlink: node.nlink,
        ino: node.ino,
        blksize: BLOCK_BYTES,
        blocks: isFile ? (node.data.allocatedBlocks * BLOCK_BYTES) / 512 : 0,
        dev: RAMFS_DEV,
      },
      target,
    );
    return 0;
  };

  const readdir = (ino: number, index: number, buffer: number, length: number): number => {
    const node = nodes.get(ino);
    if (!node) return -E.EBADF;
    if (node.kind !== 'dir') return -E.ENOTDIR;
    if (!validOffset(index) || !validOffset(length)) return -E.EINVAL;
    if (node.nlink === 0) return 0; // removed while open: empty
    node.listing ??= ['.', '..', ...node.entries.keys()];
    const key = node.listing[index];
    if (key === undefined) return 0;
    const bytes = bytesOf(key);
    if (bytes.length > length) return -E.EINVAL; // getdents: the buffer is too small for the entry
    try {
      ctx.memory.writeBytes(buffer, bytes);
    } catch (error) {
      return efault(error);
    }
    return bytes.length;
  };

  /** Adds an initrd entry to the tree, creating missing parent directories (FlexOS: ukcpio_extract). */
  const populate = (entry: InitrdEntry): void => {
    const keys = entry.path.split('/').map((c) => keyOf(encoder.encode(c)));
    const last = keys.pop() as string;
    let dir = root;
    for (const key of keys) {
      const existing = nodes.get(dir.entries.get(key) ?? 0);
      if (existing?.kind === 'dir') {
        dir = existing;
        continue;
      }
      if (existing) throw new FlexosError('FLEXOS_ERR_BOOT', `ramfs: initrd entry ${entry.path} lies under a file`);
      const made = newDir(dir.ino, 0o755);
      dir.entries.set(key, made.ino);
      dir.nlink++;
      dir = made;
    }
    const existing = nodes.get(dir.entries.get(last) ?? 0);
    if (existing?.kind === 'dir' && entry.isDirectory) {
      // Already made as the parent of an earlier entry: take the archive's mode and time.
      existing.mode = S_IFDIR | ((entry.mode ?? 0o755) & 0o7777);
      existing.mtimeMs = existing.ctimeMs = entry.mtimeMs;
      return;
    }
    if (existing?.kind === 'dir' && existing.entries.size > 0) throw new FlexosError('FLEXOS_ERR_BOOT', `ramfs: initrd file ${entry.path} replaces a directory`);
    if (existing) unlinkEntry(dir, last, existing);
    const node = entry.isDirectory ? newDir(dir.ino, entry.mode ?? 0o755) : newFile(entry.mode ?? 0o644);
    dir.entries.set(last, node.ino);
    if (node.kind === 'dir') dir.nlink++;
    if (node.kind === 'file' && node.data.writeFrom(entry.data, 0) < entry.data.length) {
      throw new OutOfMemoryError(`ramfs: the heap of compartment ${ctx.compartment.name} is too small for the initrd (${entry.path})`);
    }
    node.mtimeMs = node.ctimeMs = entry.mtimeMs;
    dir.listing = null;
  };

  return {
    init() {
      let device: SharedArrayBuffer;
      try {
        device = ctx.device('initrd');
      } catch {
        return; // no initrd attached: an empty root
      }
      let entries: readonly InitrdEntry[];
      try {
        entries = decodeCpio(new Uint8Array(device)).entries;
      } catch (error) {
        throw new FlexosError('FLEXOS_ERR_BOOT', `ramfs: the initrd device does not hold a cpio newc archive: ${(error as Error).message}`, { cause: error });
      }
      for (const entry of entries) populate(entry);
    },
    stop() {
      for (const node of nodes.values()) if (node.kind === 'file') node.data.release();
      nodes.clear();
    },
    exports: {
      mount: () => root.ino,
      lookup,
      create: (dir, address, length, mode) => makeNode(dir, address, length, () => newFile(mode)),
      mkdir: (dir, address, length, mode) => makeNode(dir, address, length, (parent) => newDir(parent.ino, mode)),
      remove: (dirIno, address, length) => {
        const at = entryOf(dirIno, address, length);
        if (typeof at === 'number') return at;
        if (isSpecial(at.key)) return -E.EISDIR;
        const node = nodes.get(at.dir.entries.get(at.key) ?? 0);
        if (!node) return -E.ENOENT;
        if (node.kind === 'dir') return -E.EISDIR;
        unlinkEntry(at.dir, at.key, node);
        return 0;
      },
      rmdir: (dirIno, address, length) => {
        const at = entryOf(dirIno, address, length);
        if (typeof at === 'number') return at;
        if (at.key === '.') return -E.EINVAL;
        if (at.key === '..') return -E.ENOTEMPTY;
        const node = nodes.get(at.dir.entries.get(at.key) ?? 0);
        if (!node) return -E.ENOENT;
        if (node.kind !== 'dir') return -E.ENOTDIR;
        if (node.entries.size > 0) return -E.ENOTEMPTY;
        unlinkEntry(at.dir, at.key, node);
        return 0;
      },
      rename,
      open: (ino, flags) => {
        const node = nodes.get(ino);
        if (!node || node.nlink === 0) return -E.ENOENT;
        if (node.kind === 'dir' && ((flags & O_ACCMODE) !== O_RDONLY || flags & O_CREAT)) return -E.EISDIR;
        if (node.kind === 'file' && flags & O_DIRECTORY) return -E.ENOTDIR;
        node.opens++;
        return node.kind === 'dir' ? 1 : 0;
      },
      close: (ino) => {
        const node = nodes.get(ino);
        if (!node || node.opens === 0) return -E.EBADF;
        node.opens--;
        reap(node);
        return 0;
      },
      read,
      write,
      truncate: (ino, length) => {
        const file = fileOf(ino);
        if (typeof file === 'number') return file;
        if (!validOffset(length)) return -E.EINVAL;
        if (length > MAX_FILE_BYTES) return -E.EFBIG;
        file.data.truncate(length);
        touch(file);
        return 0;
      },
      size: (ino) => {
        const file = fileOf(ino);
        return typeof file === 'number' ? file : file.data.size;
      },
      getattr,
      readdir,
    },
  };
}
