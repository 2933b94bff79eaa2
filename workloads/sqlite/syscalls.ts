// The VFS's system calls (os_unix.c: the aSyscall[] table): the vfscore functions every file
// operation lands in, resolved once through the image, so each is a direct call or a gate as the
// configuration placed vfscore. Nothing else in the VFS reaches another library.

import type { ImportedFunction, LibraryContext } from '../../kernel/abi/context.js';

/** vfscore's calls as sqlite declares them (exports.ts `calls.vfscore`); paths are (address, length), results -errno. */
export const SYSCALL_NAMES = ['open', 'close', 'pread', 'pwrite', 'fsync', 'ftruncate', 'fstat', 'unlink', 'access', 'fcntl'] as const;
export type SyscallName = (typeof SYSCALL_NAMES)[number];
export type Syscalls = Readonly<Record<SyscallName, ImportedFunction>>;

/** Resolves the table in SYSCALL_NAMES order. */
export function resolveSyscalls(ctx: Pick<LibraryContext, 'import'>): Syscalls {
  return Object.fromEntries(SYSCALL_NAMES.map((name) => [name, ctx.import('vfscore', name)])) as Record<SyscallName, ImportedFunction>;
}
