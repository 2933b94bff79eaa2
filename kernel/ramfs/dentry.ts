// ramfs's directory entries: the vnode operations that find, make, drop or move a name in a directory
// (FlexOS/OSv ramfs_lookup, ramfs_create, ramfs_mkdir, ramfs_remove, ramfs_rmdir, ramfs_rename).
// A name comes from the caller's memory; the vnode it names lives in the VnodeTable.

import { ERRNO } from '../newlib/errno.js';
import type { CallerMemory } from './caller-memory.js';
import type { DirVnode, Vnode, VnodeDeps, VnodeTable } from './vnode.js';

const E = ERRNO;
const isSpecial = (key: string): boolean => key === '.' || key === '..';

export class Dentries {
  readonly #vnodes: VnodeTable;
  readonly #caller: CallerMemory;

  constructor(deps: VnodeDeps) {
    this.#vnodes = deps.vnodes;
    this.#caller = deps.caller;
  }

  /** (dir, name) -> ino; `wantDir` refuses a non-directory with -ENOTDIR. */
  lookup(dirIno: number, address: number, length: number, wantDir: number): number {
    const at = this.#entryOf(dirIno, address, length);
    if (typeof at === 'number') return at;
    const ino = at.key === '.' ? at.dir.ino : at.key === '..' ? at.dir.parent : at.dir.entries.get(at.key);
    if (ino === undefined) return -E.ENOENT;
    if (wantDir && this.#vnodes.get(ino)?.kind !== 'dir') return -E.ENOTDIR;
    return ino;
  }

  /** A new empty regular file named (dir, name): its ino. */
  create(dirIno: number, address: number, length: number, mode: number): number {
    return this.#make(dirIno, address, length, () => this.#vnodes.newFile(mode));
  }

  mkdir(dirIno: number, address: number, length: number, mode: number): number {
    return this.#make(dirIno, address, length, (parent) => this.#vnodes.newDir(parent.ino, mode));
  }

  /** unlink: drops a file's name; its data goes when the last open reference closes. */
  remove(dirIno: number, address: number, length: number): number {
    const at = this.#entryOf(dirIno, address, length);
    if (typeof at === 'number') return at;
    if (isSpecial(at.key)) return -E.EISDIR;
    const node = this.#vnodes.get(at.dir.entries.get(at.key) ?? 0);
    if (!node) return -E.ENOENT;
    if (node.kind === 'dir') return -E.EISDIR;
    this.#vnodes.unlink(at.dir, at.key, node);
    return 0;
  }

  rmdir(dirIno: number, address: number, length: number): number {
    const at = this.#entryOf(dirIno, address, length);
    if (typeof at === 'number') return at;
    if (at.key === '.') return -E.EINVAL;
    if (at.key === '..') return -E.ENOTEMPTY;
    const node = this.#vnodes.get(at.dir.entries.get(at.key) ?? 0);
    if (!node) return -E.ENOENT;
    if (node.kind !== 'dir') return -E.ENOTDIR;
    if (node.entries.size > 0) return -E.ENOTEMPTY;
    this.#vnodes.unlink(at.dir, at.key, node);
    return 0;
  }

  /** Moves a name, replacing a compatible target (POSIX rename). */
  rename(fromDir: number, fromAddress: number, fromLength: number, toDir: number, toAddress: number, toLength: number): number {
    const vnodes = this.#vnodes;
    const from = this.#entryOf(fromDir, fromAddress, fromLength);
    if (typeof from === 'number') return from;
    const to = this.#entryOf(toDir, toAddress, toLength);
    if (typeof to === 'number') return to;
    if (isSpecial(from.key) || isSpecial(to.key)) return -E.EINVAL;
    const ino = from.dir.entries.get(from.key);
    const node = ino === undefined ? undefined : vnodes.get(ino);
    if (!node) return -E.ENOENT;
    if (node.kind === 'dir') {
      // A directory cannot move under itself.
      for (let d: DirVnode | undefined = to.dir; d; d = d.parent === d.ino ? undefined : (vnodes.get(d.parent) as DirVnode | undefined)) {
        if (d.ino === node.ino) return -E.EINVAL;
      }
    }
    const existingIno = to.dir.entries.get(to.key);
    if (existingIno === node.ino) return 0;
    const existing = existingIno === undefined ? undefined : vnodes.get(existingIno);
    if (existing) {
      if (node.kind === 'dir' && existing.kind !== 'dir') return -E.ENOTDIR;
      if (node.kind === 'file' && existing.kind === 'dir') return -E.EISDIR;
      if (existing.kind === 'dir' && existing.entries.size > 0) return -E.ENOTEMPTY;
      vnodes.unlink(to.dir, to.key, existing);
    }
    from.dir.entries.delete(from.key);
    to.dir.entries.set(to.key, node.ino);
    if (node.kind === 'dir') {
      node.parent = to.dir.ino;
      from.dir.nlink--;
      to.dir.nlink++;
    }
    vnodes.touch(from.dir);
    vnodes.touch(to.dir);
    node.ctimeMs = vnodes.now();
    return 0;
  }

  /** Resolves (dir, name) for the operations that create or drop a name. */
  #entryOf(dirIno: number, address: number, length: number): { dir: DirVnode; key: string } | number {
    const dir = this.#vnodes.dirOf(dirIno);
    if (typeof dir === 'number') return dir;
    const key = this.#caller.name(address, length);
    return typeof key === 'number' ? key : { dir, key };
  }

  #make(dirIno: number, address: number, length: number, make: (dir: DirVnode) => Vnode): number {
    const at = this.#entryOf(dirIno, address, length);
    if (typeof at === 'number') return at;
    if (isSpecial(at.key) || at.dir.entries.has(at.key)) return -E.EEXIST;
    const node = make(at.dir);
    at.dir.entries.set(at.key, node.ino);
    if (node.kind === 'dir') at.dir.nlink++;
    this.#vnodes.touch(at.dir);
    return node.ino;
  }
}
