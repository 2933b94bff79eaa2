// CPU pinning of the current thread. On this kind of machine the kernel packs runnable threads onto
// one vCPU, so two unpinned spinners can share a core and a round trip becomes milliseconds.
// The thread id comes from /proc/thread-self; taskset applies the mask to that one thread, chrt
// its scheduling class.

import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { PinPolicy } from '../../kernel/abi/schema.js';

/**
 * The CPUs this process could use when it started. Pinning the process afterwards (as
 * bench-vs-real pins the simulator beside a real server) does not shrink it, so `spread` still
 * deals compartments over every CPU.
 */
export const MACHINE_CPUS = availableParallelism();

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
  return tid !== null && taskset(['-p', '-c', String(cpu), String(tid)]);
}

/**
 * Pins every thread of this process to `cpus`, a CPU or a taskset list such as "0-1" (the
 * runtime's helper threads too: V8's collector and compiler threads, libuv's pool), as `taskset -c`
 * does for a whole server; threads started later inherit it. False when the platform does not
 * allow it.
 */
export function pinProcess(cpus: number | string): boolean {
  return taskset(['-a', '-p', '-c', String(cpus), String(process.pid)]);
}

function taskset(args: readonly string[]): boolean {
  try {
    execFileSync('taskset', args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The CPUs the calling thread may run on (its affinity), or null when /proc does not say. */
export function currentThreadCpus(): number[] | null {
  try {
    const status = readFileSync('/proc/thread-self/status', 'utf8');
    const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1];
    if (list === undefined) return null;
    const cpus: number[] = [];
    for (const part of list.split(',')) {
      const [from, to = from] = part.split('-').map(Number);
      for (let c = from ?? 0; c <= (to ?? -1); c++) cpus.push(c);
    }
    return cpus;
  } catch {
    return null;
  }
}

/** Linux scheduling classes a compartment thread may ask for: `normal` (SCHED_OTHER) or `batch` (SCHED_BATCH, no wake-up preemption). */
export type ThreadScheduling = 'normal' | 'batch';

/** Puts the calling thread in a scheduling class; false when the platform does not allow it (no chrt, no /proc). */
export function scheduleCurrentThread(scheduling: ThreadScheduling): boolean {
  const tid = currentThreadId();
  if (tid === null) return false;
  const flags = scheduling === 'batch' ? ['-b', '0'] : ['-o', '0'];
  try {
    execFileSync('chrt', ['-p', ...flags, String(tid)], { stdio: 'ignore' });
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
  return (index - 1) % MACHINE_CPUS;
}

/** The CPU a load generator should get beside the image: the last one, when there are several. */
export function loadGeneratorCpu(policy: PinPolicy): number | null {
  const cpus = MACHINE_CPUS;
  return policy === 'one-core' && cpus > 1 ? cpus - 1 : null;
}
