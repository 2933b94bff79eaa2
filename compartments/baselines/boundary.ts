// What each baseline's boundary is, for the image build: the gate kind a call across it takes, which
// memory each side maps, and which libraries every protection domain links a copy of. The baselines
// run FlexOS's libraries unchanged; only the boundary between them differs (FLEXOS.md, "Baselines").

import type { BaselineDriver, Driver } from '../../kernel/abi/schema.js';
import { BASELINE_DRIVERS } from '../../kernel/abi/schema.js';
import type { GateKind } from '../gates/crossings.js';

/** True for unikraft, linux, sel4 and cubicleos. */
export function isBaseline(driver: Driver): driver is BaselineDriver {
  return (BASELINE_DRIVERS as readonly Driver[]).includes(driver);
}

/**
 * The gate of a baseline: Unikraft has none (direct calls), a Linux process crosses into the kernel
 * with a system call, seL4 components call each other over IPC, CubicleOS through its trampolines.
 */
export function baselineGateKind(driver: BaselineDriver): GateKind {
  switch (driver) {
    case 'unikraft':
      return 'function';
    case 'linux':
      return 'syscall';
    case 'sel4':
      return 'ipc';
    case 'cubicleos':
      return 'cubicle';
  }
}

/**
 * Libraries every protection domain links its own copy of: the C library and the locks and threads
 * (the Linux kernel has its own memcpy, mutexes and clock, and user space reads the time through the
 * vDSO; every Genode component links its libc and base library, while the timer is a service). A
 * call into one from another domain is a function call there; the simulator still runs it where the
 * library is placed, and prices it as one.
 */
const LINKED_IN_EVERY_DOMAIN: Readonly<Record<'linux' | 'sel4', readonly string[]>> = {
  linux: ['newlib', 'uksched', 'ukschedcoop', 'uktime'],
  sel4: ['newlib', 'uksched', 'ukschedcoop'],
};

/** The kind of a call from one compartment into `callee` in another, under `driver`. */
export function crossingKind(driver: BaselineDriver, callee: string): GateKind {
  if ((driver === 'linux' || driver === 'sel4') && LINKED_IN_EVERY_DOMAIN[driver].includes(callee)) return 'function';
  return baselineGateKind(driver);
}

/**
 * The memory a baseline compartment maps, in the terms of FlexOS's own mechanisms: Unikraft maps
 * everything (one address space); a process and the kernel, or seL4 components, have separate page
 * tables and share only what is mapped on both sides (as vmept's VMs); CubicleOS is MPK (as intel-pku).
 */
export function baselineMapping(driver: BaselineDriver): 'all' | 'own-and-shared' | 'pkru' {
  if (driver === 'unikraft') return 'all';
  return driver === 'cubicleos' ? 'pkru' : 'own-and-shared';
}
