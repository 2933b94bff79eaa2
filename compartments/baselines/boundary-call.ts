// The caller's half of a baseline boundary, around a gate call: a Linux system call copies its
// buffers into kernel memory and back (copy_from_user / copy_to_user), an seL4/Genode RPC marshals
// its arguments and moves bulk data through a buffer both components map, and a CubicleOS call opens
// a window on each buffer it passes and closes it afterwards (one protection-key change each).

import type { FunctionSignature } from '../../kernel/abi/library.js';
import type { WorkMeter } from '../../kernel/abi/work.js';
import type { Allocator } from '../../shm/heap.js';
import type { Memory } from '../../shm/memory.js';
import type { Image, ImportEntry } from '../host/image.js';
import { ERRNO } from '../../kernel/newlib/errno.js';
import { bufferBytes, SYSCALL_BUFFERS, type BufferArg } from './buffers.js';

/** Genode's RPC framework marshals the opcode and each argument, a machine word each, into the IPC message. */
const GENODE_WORD_BYTES = 8;

export interface BoundaryCallOptions {
  readonly kind: 'syscall' | 'ipc' | 'cubicle';
  readonly signature: FunctionSignature;
  /** The call's buffers (buffers.ts); syscall and ipc copy them. */
  readonly buffers: readonly BufferArg[];
  /** The caller compartment's view of memory: the copies are checked accesses like any other. */
  readonly memory: Memory;
  /** Where the callee's copy of a buffer lives: memory both sides map (the kernel's, the shared dataspace). */
  readonly bounce: Allocator;
  /** The caller library's work meter: the copies and the marshalling are priced as `copy` bytes. */
  readonly meter: WorkMeter;
  /** CubicleOS: counts one window operation (the model prices it as one WRPKRU). */
  readonly windowOperation?: () => void;
}

/** Wraps `call` (the gate) with the boundary's work; the callee sees only what crossed. */
export function boundaryCall(call: (args: number[]) => number, options: BoundaryCallOptions): (...args: number[]) => number {
  const { kind, signature, buffers, memory, bounce, meter } = options;
  if (kind === 'cubicle') {
    const pointers = signature.args.flatMap((type, i) => (type === 'addr' ? [i] : []));
    const window = options.windowOperation ?? (() => {});
    return (...args) => {
      let opened = 0;
      for (const i of pointers) {
        if ((args[i] ?? 0) === 0) continue;
        window(); // cubicle_window_open: the buffer's pages become the callee's
        opened++;
      }
      try {
        return call(args);
      } finally {
        for (let i = 0; i < opened; i++) window(); // cubicle_window_close
      }
    };
  }
  const marshalled = kind === 'ipc' ? GENODE_WORD_BYTES * (signature.args.length + 1) : 0;
  return (...args) => {
    if (marshalled > 0) meter.add('copy', marshalled);
    if (buffers.length === 0) return call(args);
    const copies: { buffer: BufferArg; user: number; kernel: number; bytes: number }[] = [];
    const passed = args.slice();
    try {
      for (const buffer of buffers) {
        const user = args[buffer.arg] ?? 0;
        const bytes = bufferBytes(buffer, args);
        if (user === 0 || bytes === 0) continue;
        const kernel = bounce.malloc(bytes);
        // No room for the kernel's copy: the call fails as a failed kernel allocation does, before the callee runs.
        if (kernel === 0) return -ERRNO.ENOMEM;
        copies.push({ buffer, user, kernel, bytes });
        if (buffer.direction !== 'out') {
          memory.view(kernel, bytes, 'write').set(memory.view(user, bytes, 'read'));
          meter.add('copy', bytes);
        }
        passed[buffer.arg] = kernel;
      }
      const result = call(passed);
      for (const { buffer, user, kernel, bytes } of copies) {
        if (buffer.direction === 'in') continue;
        const back = buffer.filledByReturn ? Math.min(bytes, Math.max(0, result)) : bytes;
        if (back === 0) continue;
        memory.view(user, back, 'write').set(memory.view(kernel, back, 'read'));
        meter.add('copy', back);
      }
      return result;
    } finally {
      for (const { kernel } of copies) bounce.free(kernel);
    }
  };
}

/** What the runtime hands `importBoundary`: the caller compartment's memory, the bounce heap, the meter, the window counter. */
export interface ImportBoundaryOptions {
  readonly memory: Memory;
  readonly bounce: Allocator;
  readonly meter: WorkMeter;
  /** Counts one crossing on `edge` (CubicleOS's window edge). */
  readonly count: (edge: number) => void;
}

/** The import `entry` of a baseline image wrapped with its boundary's work, or undefined when the call is a plain gate. */
export function importBoundary(
  image: Pick<Image, 'descriptors'>,
  entry: Pick<ImportEntry, 'callee' | 'fn' | 'kind' | 'windowEdge'>,
  call: (args: number[]) => number,
  options: ImportBoundaryOptions,
): ((...args: number[]) => number) | undefined {
  const kind = entry.kind;
  if (kind !== 'syscall' && kind !== 'ipc' && kind !== 'cubicle') return undefined;
  const signature = image.descriptors[entry.callee]?.exports[entry.fn];
  if (!signature) return undefined;
  const windowEdge = entry.windowEdge;
  return boundaryCall(call, {
    kind,
    signature,
    buffers: SYSCALL_BUFFERS[`${entry.callee}.${entry.fn}`] ?? [],
    memory: options.memory,
    bounce: options.bounce,
    meter: options.meter,
    ...(windowEdge === undefined ? {} : { windowOperation: () => options.count(windowEdge) }),
  });
}
