// The buffers of the system calls a Linux process makes into vfscore and lwip (and the calls an
// seL4 component makes to its file and network servers): which argument is a buffer, how long it is
// and which way its bytes go. The boundary copies exactly these (copy_from_user / copy_to_user).

import { STAT_BYTES } from '../../kernel/vfscore/flags.js';
import { FD_SET_BYTES, POLLFD_BYTES, SOCKADDR_IN_BYTES, TIMEVAL_BYTES } from '../../kernel/lwip/abi.js';

/** `in`: copied to the callee before the call; `out`: copied back after it; `inout`: both. */
export type Direction = 'in' | 'out' | 'inout';

export interface BufferArg {
  /** The argument holding the buffer's address (0-based). */
  readonly arg: number;
  /** Its length: a constant, or another argument's value times `times` (1 if absent). */
  readonly bytes: number | { readonly arg: number; readonly times?: number };
  readonly direction: Direction;
  /** `out` only: the call's return value is how many bytes it filled (read(2)): only those are copied back. */
  readonly filledByReturn?: boolean;
}

const lengthOf = (arg: number, times?: number): BufferArg['bytes'] => (times === undefined ? { arg } : { arg, times });
const path = (arg: number): BufferArg => ({ arg, bytes: lengthOf(arg + 1), direction: 'in' });
const input = (arg: number): BufferArg => ({ arg, bytes: lengthOf(arg + 1), direction: 'in' });
const filled = (arg: number): BufferArg => ({ arg, bytes: lengthOf(arg + 1), direction: 'out', filledByReturn: true });
const fixed = (arg: number, bytes: number, direction: Direction): BufferArg => ({ arg, bytes, direction });

/** `library.function` → its buffers; a call not listed passes its arguments as they are. */
export const SYSCALL_BUFFERS: Readonly<Record<string, readonly BufferArg[]>> = {
  'vfscore.open': [path(0)],
  'vfscore.read': [filled(1)],
  'vfscore.write': [input(1)],
  'vfscore.pread': [filled(1)],
  'vfscore.pwrite': [input(1)],
  'vfscore.fstat': [fixed(1, STAT_BYTES, 'out')],
  'vfscore.stat': [path(0), fixed(2, STAT_BYTES, 'out')],
  'vfscore.unlink': [path(0)],
  'vfscore.rename': [path(0), path(2)],
  'vfscore.mkdir': [path(0)],
  'vfscore.rmdir': [path(0)],
  'vfscore.opendir': [path(0)],
  'vfscore.readdir': [filled(1)],
  'vfscore.access': [path(0)],
  'lwip.bind': [input(1)],
  'lwip.accept': [fixed(1, SOCKADDR_IN_BYTES, 'out'), fixed(2, 4, 'inout')],
  'lwip.recv': [filled(1)],
  'lwip.read': [filled(1)],
  'lwip.send': [input(1)],
  'lwip.write': [input(1)],
  'lwip.setsockopt': [input(3)],
  'lwip.getsockopt': [fixed(3, 8, 'out'), fixed(4, 4, 'inout')],
  'lwip.getpeername': [fixed(1, SOCKADDR_IN_BYTES, 'out'), fixed(2, 4, 'inout')],
  'lwip.select': [fixed(1, FD_SET_BYTES, 'inout'), fixed(2, FD_SET_BYTES, 'inout'), fixed(3, FD_SET_BYTES, 'inout'), fixed(4, TIMEVAL_BYTES, 'in')],
  'lwip.poll': [{ arg: 0, bytes: lengthOf(1, POLLFD_BYTES), direction: 'inout' }],
};

/** The byte length of `buffer` in a call with `args`. */
export function bufferBytes(buffer: BufferArg, args: readonly number[]): number {
  if (typeof buffer.bytes === 'number') return buffer.bytes;
  return Math.max(0, (args[buffer.bytes.arg] ?? 0) * (buffer.bytes.times ?? 1));
}
