// CPU pinning of the current thread. On this kind of machine the kernel packs runnable threads onto
// one vCPU, so two unpinned spinners can share a core and a round trip becomes milliseconds.
// The thread id comes from /proc/thread-self; taskset applies the mask to that one thread.

import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { PinPolicy } from './config/schema.js';

export function currentThreadId(): number | null {
  try {
    const link = readlinkSync('/proc/thread-self'); // "PID/task/TID"
    const tid = Number(link.split('/').pop());
    return Number.isInteger(tid) ? tid : null;
  } catch {
    return null;
  }
}

/** Pins the calling thread to `cpu`; false when the platform does not allow it (no taskset, no /proc). */
export function pinCurrentThread(cpu: number): boolean {
  const tid = currentThreadId();
  if (tid === null) return false;
  try {
    execFileSync('taskset', ['-p', '-c', String(cpu), String(tid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The CPU for compartment `index` (1-based): `one-core` keeps every compartment on CPU 0 and leaves
 * the others to the load generator; `spread` deals them round-robin; `none` leaves the kernel to it.
 */
export function cpuFor(policy: PinPolicy, index: number): number | null {
  if (policy === 'none') return null;
  if (policy === 'one-core') return 0;
  return (index - 1) % availableParallelism();
}

/** The CPU a load generator should get beside the image: the last one, when there are several. */
export function loadGeneratorCpu(policy: PinPolicy): number | null {
  const cpus = availableParallelism();
  return policy === 'one-core' && cpus > 1 ? cpus - 1 : null;
}
