// ramfs's vnodes (its inodes) by number, and the bookkeeping that names and open references drive:
// link counts, times, and freeing a node nobody can reach any more. Library-private state in ramfs's
// compartment (its JS heap); a file's bytes live in blocks of the compartment's heap (blocks.ts).

import { ERRNO } from '../newlib/errno.js';
import { O_ACCMODE, O_CREAT, O_DIRECTORY, O_RDONLY, S_IFDIR, S_IFREG } from '../vfscore/flags.js';
import { FileData, type BlockStore } from './blocks.js';
import type { CallerMemory } from './caller-memory.js';

export const ROOT_INO = 1;

const E = ERRNO;

interface VnodeBase {
  readonly ino: number;
  mode: number;
  nlink: number;
  /** Open references held by vfscore; an unlinked node lives on until the last one closes. */
  opens: number;
  mtimeMs: number;
  ctimeMs: number;
}
export interface FileVnode extends VnodeBase {
  readonly kind: 'file';
  readonly data: FileData;
}
export interface DirVnode extends VnodeBase {
  readonly kind: 'dir';
  parent: number;
  /** Name (its bytes as a latin1 string, so names round-trip byte for byte) -> ino. */
  readonly entries: Map<string, number>;
  /** ".", "..", then the entries, rebuilt after a change: readdir walks by index. */
  listing: string[] | null;
}
export type Vnode = FileVnode | DirVnode;

export interface VnodeTableOptions {
  /** Where file blocks come from: ramfs's compartment heap, in simulated memory. */
  readonly store: BlockStore;
  /** Milliseconds since the epoch for mtime and ctime (Date.now unless a test fixes it). */
  readonly clock?: () => number;
}

/** What the vnode operations work on: the tree, and the memory of the caller whose names and buffers they take. */
export interface VnodeDeps {
  readonly vnodes: VnodeTable;
  readonly caller: CallerMemory;
}

export class VnodeTable {
  readonly root: DirVnode;
  readonly #nodes = new Map<number, Vnode>();
  readonly #store: BlockStore;
  readonly #clock: () => number;
  #nextIno = ROOT_INO;

  constructor(options: VnodeTableOptions) {
    this.#store = options.store;
    this.#clock = options.clock ?? (() => Date.now());
    this.root = this.newDir(0, 0o755);
  }

  now(): number {
    return this.#clock();
  }

  get(ino: number): Vnode | undefined {
    return this.#nodes.get(ino);
  }

  /** Vnodes alive, the root included (what a leak check counts). */
  get size(): number {
    return this.#nodes.size;
  }

  /** A new directory under `parent` (0: the root, its own parent); the caller links it. */
  newDir(parent: number, mode: number): DirVnode {
    const t = this.now();
    const ino = this.#nextIno++;
    const node: DirVnode = { kind: 'dir', ino, mode: S_IFDIR | (mode & 0o7777), nlink: 2, opens: 0, mtimeMs: t, ctimeMs: t, parent: parent || ino, entries: new Map(), listing: null };
    this.#nodes.set(ino, node);
    return node;
  }

  /** A new empty regular file; the caller links it. */
  newFile(mode: number): FileVnode {
    const t = this.now();
    const node: FileVnode = { kind: 'file', ino: this.#nextIno++, mode: S_IFREG | (mode & 0o7777), nlink: 1, opens: 0, mtimeMs: t, ctimeMs: t, data: new FileData(this.#store) };
    this.#nodes.set(node.ino, node);
    return node;
  }

  /** A change: new times, and a directory's listing is rebuilt on the next readdir. */
  touch(node: Vnode): void {
    node.mtimeMs = node.ctimeMs = this.now();
    if (node.kind === 'dir') node.listing = null;
  }

  /** Frees a node nobody can reach any more: no name links it and vfscore holds no open reference. */
  reap(node: Vnode): void {
    if (node.nlink > 0 || node.opens > 0) return;
    if (node.kind === 'file') node.data.release();
    this.#nodes.delete(node.ino);
  }

  /** Drops the name `key` of `node` in `dir`; the node goes once no open reference holds it. */
  unlink(dir: DirVnode, key: string, node: Vnode): void {
    dir.entries.delete(key);
    if (node.kind === 'dir') dir.nlink--;
    node.nlink = 0;
    this.touch(dir);
    this.reap(node);
  }

  /** A live directory, or -ENOENT (gone) / -ENOTDIR. */
  dirOf(ino: number): DirVnode | number {
    const node = this.#nodes.get(ino);
    if (!node || node.nlink === 0) return -E.ENOENT;
    return node.kind === 'dir' ? node : -E.ENOTDIR;
  }

  /** A regular file (unlinked but open ones included), or -EBADF / -EISDIR. */
  fileOf(ino: number): FileVnode | number {
    const node = this.#nodes.get(ino);
    if (!node) return -E.EBADF;
    return node.kind === 'file' ? node : -E.EISDIR;
  }

  /** VOP_OPEN: takes an open reference; 0 for a regular file, 1 for a directory, or a negative errno. */
  open(ino: number, flags: number): number {
    const node = this.#nodes.get(ino);
    if (!node || node.nlink === 0) return -E.ENOENT;
    if (node.kind === 'dir' && ((flags & O_ACCMODE) !== O_RDONLY || flags & O_CREAT)) return -E.EISDIR;
    if (node.kind === 'file' && flags & O_DIRECTORY) return -E.ENOTDIR;
    node.opens++;
    return node.kind === 'dir' ? 1 : 0;
  }

  /** VOP_CLOSE: drops an open reference, freeing an unlinked node with the last one. */
  close(ino: number): number {
    const node = this.#nodes.get(ino);
    if (!node || node.opens === 0) return -E.EBADF;
    node.opens--;
    this.reap(node);
    return 0;
  }

  /** Frees every file's blocks and forgets every node (the library stops). */
  release(): void {
    for (const node of this.#nodes.values()) if (node.kind === 'file') node.data.release();
    this.#nodes.clear();
  }
}
