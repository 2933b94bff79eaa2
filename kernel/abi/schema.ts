// The validated configuration (the kraft.yaml of this project) and its defaults.
// Everything downstream (image build, boot, cost model, exploration) reads this shape;
// only parse.ts produces it, so every FlexOS rule has been checked by the time anyone sees one.

import type { HardeningOption } from './library.js';
import type { StackStrategy } from '../../shm/stack.js';

export type { StackStrategy } from '../../shm/stack.js';
/**
 * FlexOS's mechanisms (fcalls, intel-pku, vmept) and the baselines the paper compares against, run
 * on the same libraries with their own boundary: `unikraft` (no gate layer), `linux` (a process over
 * a system-call boundary, "PT2"), `sel4` (components over microkernel IPC, "PT3"), `cubicleos` (MPK
 * with trampolines and windows). compartments/baselines/ says what each boundary does.
 */
export type Driver = 'fcalls' | 'intel-pku' | 'vmept' | BaselineDriver;
export type BaselineDriver = 'unikraft' | 'linux' | 'sel4' | 'cubicleos';
/** How a compartment waiting on a gate waits (compartments/runtime/wait-policy.ts). */
export type WaitPolicy = 'yield' | 'spin' | 'park' | 'adaptive';
/** CPU pinning of compartment threads. */
export type PinPolicy = 'one-core' | 'spread' | 'none';

export const BASELINE_DRIVERS: readonly BaselineDriver[] = ['unikraft', 'linux', 'sel4', 'cubicleos'];
export const DRIVERS: readonly Driver[] = ['fcalls', 'intel-pku', 'vmept', ...BASELINE_DRIVERS];
export const WAIT_POLICIES: readonly WaitPolicy[] = ['yield', 'spin', 'park', 'adaptive'];
export const PIN_POLICIES: readonly PinPolicy[] = ['one-core', 'spread', 'none'];

export interface CompartmentConfig {
  readonly name: string;
  /** 1-based, declaration order after dropping trailing unused compartments. */
  readonly index: number;
  readonly driver: Driver;
  readonly isDefault: boolean;
  /** Resource limits of the compartment's thread (`limits: {memory_mb}`); absent: Node's defaults. */
  readonly limits?: CompartmentLimits;
}

export interface CompartmentLimits {
  /** The JS heap of the compartment's worker (its old generation), in MiB. */
  readonly memoryMb: number;
}

/** Bounds of `limits.memory_mb`: below ~16 MiB a worker cannot even load its libraries. */
export const MEMORY_LIMIT_MB = Object.freeze({ min: 16, max: 65536 });

export interface LibraryPlacement {
  readonly name: string;
  readonly compartment: string;
  /** Shorthands expanded, deduplicated, sorted. */
  readonly hardening: readonly HardeningOption[];
}

export interface GateCycles {
  readonly function: number;
  readonly 'mpk-light': number;
  readonly 'mpk-dss': number;
  readonly ept: number;
}

/** What the baselines' boundaries cost, in cycles (DEFAULT_BOUNDARY_CYCLES names each figure's source). */
export interface BoundaryCycles {
  /** A Linux system call round trip. */
  readonly syscall: number;
  /** An seL4 IPC call and its reply. */
  readonly ipc: number;
  /** A CubicleOS trampoline, there and back. */
  readonly cubicle: number;
  /** One CubicleOS window operation (open or close): one protection-key change. */
  readonly 'pkru-window': number;
}

/** Paper Fig. 11: a Linux system call round trip on the Xeon Silver 4114, with and without KPTI, in cycles. */
export const SYSCALL_CYCLES = Object.freeze({ kpti: 470, noKpti: 146 });

/**
 * seL4's published x86-64 IPC fastpath figures (https://sel4.systems/performance.html, sel4bench's
 * IPC benchmark, Skylake-class Xeon, 0-length message, hot cache): about 630 cycles one way, 629 for
 * the call and 638 for the reply as quoted from those pages by github.com/cthiel42/RL4's README (the
 * stored copy of the page itself stops before its table). A gate is a call and its reply: 1267 cycles.
 */
export const SEL4_IPC_CYCLES = Object.freeze({ call: 629, reply: 638 });

export interface CostModelConfig {
  readonly cpu: string;
  readonly clockGhz: number;
  readonly gateCycles: GateCycles;
  /** Only in an image of a baseline driver: what its boundary costs. */
  readonly boundaryCycles?: BoundaryCycles;
}

export interface GateConfig {
  readonly policy: WaitPolicy;
  readonly pin: PinPolicy;
  readonly timeoutMs: number;
}

export interface Configuration {
  readonly name: string;
  readonly driver: Driver;
  readonly compartments: readonly CompartmentConfig[];
  /** Every library in the image: the listed ones plus their dependency closure, sorted by name. */
  readonly libraries: readonly LibraryPlacement[];
  readonly stack: StackStrategy;
  /** Bytes of each compartment's private heap. */
  readonly heapSize: number;
  /** Bytes of the shared heap (protection key 15 under intel-pku). */
  readonly sharedHeapSize: number;
  readonly gates: GateConfig;
  readonly costModel: CostModelConfig;
  readonly warnings: readonly string[];
}

const MiB = 1024 * 1024;

/** Paper Fig. 11: empty-function gate latency on a Xeon Silver 4114, minimum of 10^6 calls, in cycles. */
export const DEFAULT_GATE_CYCLES: GateCycles = Object.freeze({ function: 2, 'mpk-light': 62, 'mpk-dss': 108, ept: 462 });

export const DEFAULT_BOUNDARY_CYCLES: BoundaryCycles = Object.freeze({
  // Linux with KPTI, as the paper measured it; `cost_model: {kpti: false}` or --gate-cycles syscall=146 picks the other.
  syscall: SYSCALL_CYCLES.kpti,
  ipc: SEL4_IPC_CYCLES.call + SEL4_IPC_CYCLES.reply,
  // CubicleOS's trampoline switches the PKRU and the stack both ways, as FlexOS's MPK-DSS gate does (Fig. 11).
  cubicle: DEFAULT_GATE_CYCLES['mpk-dss'],
  // One WRPKRU: half of Fig. 11's MPK-light gate, which is two of them and little else.
  'pkru-window': DEFAULT_GATE_CYCLES['mpk-light'] / 2,
});

export const DEFAULTS = Object.freeze({
  name: 'custom',
  heapSize: 64 * MiB,
  sharedHeapSize: 16 * MiB,
  gates: Object.freeze({ policy: 'yield', pin: 'one-core', timeoutMs: 10_000 } satisfies GateConfig),
  costModel: Object.freeze({ cpu: 'Xeon Silver 4114', clockGhz: 2.2, gateCycles: DEFAULT_GATE_CYCLES } satisfies CostModelConfig),
});

/** FlexOS limits: MPK keys 0-14 for compartments (key 15 is shared); at most 16 EPT VMs. */
export const MAX_COMPARTMENTS: Readonly<Record<Driver, number>> = Object.freeze({
  fcalls: Number.POSITIVE_INFINITY,
  'intel-pku': 15,
  vmept: 16,
  // Unikraft is one protection domain; a Linux process is user space and the kernel.
  unikraft: 1,
  linux: 2,
  sel4: 16,
  cubicleos: 15,
});

/** The compartment a library is placed in; TypeError if the library is not in the image. */
export function compartmentOf(config: Configuration, library: string): CompartmentConfig {
  const placement = config.libraries.find((l) => l.name === library);
  if (!placement) {
    throw new TypeError(`library ${JSON.stringify(library)} is not in image ${config.name}; libraries: ${config.libraries.map((l) => l.name).join(', ')}`);
  }
  const compartment = config.compartments.find((c) => c.name === placement.compartment);
  if (!compartment) throw new TypeError(`compartment ${JSON.stringify(placement.compartment)} of ${library} is not in image ${config.name}`);
  return compartment;
}

/** The names of the libraries placed in `compartment`, sorted. */
export function librariesIn(config: Configuration, compartment: string): string[] {
  return config.libraries.filter((l) => l.compartment === compartment).map((l) => l.name);
}

/** The compartment marked `default: true` (unlisted libraries live there). */
export function defaultCompartment(config: Configuration): CompartmentConfig {
  const found = config.compartments.find((c) => c.isDefault);
  if (!found) throw new TypeError(`image ${config.name} has no default compartment`);
  return found;
}
