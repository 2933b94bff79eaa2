// The vnode operations as vfscore holds them: ramfs's exports (RAMFS_VNOPS in exports.ts), which the
// image resolved into direct calls or gates. Each vfscore unit names the few it calls, so a unit test
// fakes only those and can count every call that would cross a gate.

import type { ImportedFunction, LibraryContext } from '../abi/context.js';
import { RAMFS_VNOPS } from './exports.js';

export type Vnop = (typeof RAMFS_VNOPS)[number];
export type Vnops = Record<Vnop, ImportedFunction>;

/** Resolves every vnode operation once, when the library is created. */
export function importVnops(ctx: Pick<LibraryContext, 'import'>): Vnops {
  return Object.fromEntries(RAMFS_VNOPS.map((op) => [op, ctx.import('ramfs', op)])) as Vnops;
}
