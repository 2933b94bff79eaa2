// The host: plays the hypervisor. Builds the image, creates the regions (formatting the heaps),
// starts exactly one worker_thread per compartment handing each only the buffers it may map,
// initialises the libraries callees-first, runs entry points, and tears everything down.

import { Worker } from 'node:worker_threads';
import { buildImage, mayMap, type Image } from './image.js';
import { CompartmentDiedError, FlexosError } from '../../kernel/abi/errors.js';
import { WorkCounters } from '../runtime/work-counters.js';
import { CrossingCounters } from '../gates/crossings.js';
import { connectToCompartment, type Remote } from '../runtime/control-plane.js';
import { G_CONTROL, G_SHUTDOWN, H_DOORBELL, MAX_COMPARTMENTS, headerWord } from '../gates/protocol.js';
import { MACHINE_CPUS, cpuFor } from '../runtime/pinning.js';
import { createRegion, type Region, type RegionDescriptor } from '../../shm/region.js';
import { RegionHeap } from '../../shm/heap.js';
import type { Configuration } from '../../kernel/abi/schema.js';
import type { LibraryRegistry } from '../../kernel/abi/library.js';
import type { CompartmentData, CompartmentRuntime, CompartmentStatus } from '../runtime/runtime.js';
import type { InjectionSpec } from './faults.js';

type ControlApi = ReturnType<CompartmentRuntime['controlApi']>;

/** A simulated device: memory shared between the host and the compartment of the library that drives it. */
export interface DeviceAttachment {
  readonly name: string;
  readonly library: string;
  readonly buffer: SharedArrayBuffer;
  /** Wakes the driver side (at shutdown, so a compartment parked on the device unwinds). */
  wake(): void;
}

export interface BootOptions {
  readonly registry: LibraryRegistry;
  readonly devices?: readonly DeviceAttachment[];
  /** Milliseconds to wait for a compartment to stop before terminating its thread. */
  readonly stopGraceMs?: number;
  /** Fault injection: handed to the compartment that holds `inject.library`. */
  readonly inject?: InjectionSpec;
}

interface Booted {
  readonly index: number;
  readonly name: string;
  readonly worker: Worker;
  readonly control: Remote<ControlApi>;
}

const WORKER_URL = new URL('../runtime/compartment-worker.js', import.meta.url);
/** Compartments run compiled JS: loader hooks of the host (a test runner's) would only slow each worker's start. */
const WORKER_EXEC_ARGV = withoutLoaders(process.execArgv);

function withoutLoaders(argv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (/^--(import|loader|experimental-loader|require)$/.test(a)) i++; // the value is the next word
    else if (!/^--(import|loader|experimental-loader|require)=/.test(a)) kept.push(a);
  }
  return kept;
}

export class Machine {
  readonly image: Image;
  readonly regions: readonly Region[];
  readonly counters: CrossingCounters;
  /** What each library did, counted by kind (and the host's TCP/IP work for the image), for the modelled clock. */
  readonly work: WorkCounters;
  readonly #compartments: Booted[] = [];
  readonly #rpc: Int32Array;
  readonly #devices: readonly DeviceAttachment[];
  readonly #grace: number;
  #failure: Error | null = null;
  /** Compartments whose thread died, by name: calls to them reject at once with the reason. */
  readonly #dead = new Map<string, CompartmentDiedError>();
  #down: Promise<void> | null = null;

  private constructor(image: Image, regions: Region[], options: BootOptions) {
    this.image = image;
    this.regions = regions;
    this.counters = new CrossingCounters(image.edges);
    this.work = new WorkCounters(image.config.libraries.map((l) => l.name));
    this.#rpc = new Int32Array((regions.find((r) => r.kind === 'rpc') as Region).buffer);
    this.#devices = options.devices ?? [];
    this.#grace = options.stopGraceMs ?? 2000;
  }

  /** Builds the image and boots it: every compartment loaded and every library initialised. */
  static async boot(config: Configuration, options: BootOptions): Promise<Machine> {
    const image = buildImage(config, { registry: options.registry });
    if (image.compartments.length > MAX_COMPARTMENTS) throw new FlexosError('FLEXOS_ERR_BOOT', `at most ${MAX_COMPARTMENTS} compartments`);
    const regions = image.regions.map((d) => createRegion(d));
    for (const device of options.devices ?? []) {
      const owner = config.libraries.find((l) => l.name === device.library);
      const compartment = image.compartments.find((c) => c.name === owner?.compartment);
      if (!compartment) throw new FlexosError('FLEXOS_ERR_BOOT', `device ${device.name} is driven by ${device.library}, which is not in the image`);
      regions.push({ id: regions.length + 1, name: `device.${device.name}`, kind: 'device', key: compartment.key, size: device.buffer.byteLength, owner: compartment.index, buffer: device.buffer });
    }
    for (const r of regions) if (r.kind === 'heap' || r.kind === 'shared-heap') RegionHeap.format(r);
    const machine = new Machine(image, regions, options);
    // The workers are unref'd (an idle image must not keep a process alive); while booting, this does.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    try {
      await machine.#start(options.devices ?? [], options.inject);
    } catch (error) {
      await machine.shutdown();
      throw error;
    } finally {
      clearInterval(keepAlive);
    }
    return machine;
  }

  get failure(): Error | null {
    return this.#failure;
  }

  /** Calls an exported function of a library in its compartment (e.g. the app's main). */
  async run(library: string, fn: string, args: number[] = []): Promise<number> {
    return this.#call(this.#owner(library), (c) => c.run(library, fn, args));
  }

  async status(): Promise<CompartmentStatus[]> {
    return Promise.all(this.#compartments.map((c) => this.#call(c, (api) => api.status())));
  }

  /** Stops everything: unwinds every wait loop, stops the libraries, terminates the threads. Idempotent. */
  shutdown(): Promise<void> {
    this.#down ??= this.#shutdown();
    return this.#down;
  }

  async #start(devices: readonly DeviceAttachment[], inject?: InjectionSpec): Promise<void> {
    const table: RegionDescriptor[] = this.regions.map(({ buffer: _b, ...d }) => d);
    const config = this.image.config;
    for (const c of this.image.compartments) {
      const buffers = new Map<number, SharedArrayBuffer>();
      for (const r of this.regions) if (mayMap(this.image, c, r)) buffers.set(r.id, r.buffer);
      const mine: Record<string, SharedArrayBuffer> = {};
      for (const d of devices) if (c.libraries.includes(d.library)) mine[d.name] = d.buffer;
      const data: CompartmentData = {
        image: this.image,
        self: c.index,
        table,
        buffers,
        counters: this.counters.buffer,
        work: this.work.buffer,
        devices: mine,
        cpu: cpuFor(config.gates.pin, c.index),
        maxSpinners: Math.max(1, MACHINE_CPUS - 1),
        ...(inject && c.libraries.includes(inject.library) ? { inject } : {}),
      };
      const limits = config.compartments.find((k) => k.name === c.name)?.limits;
      const resourceLimits = limits ? { resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb } } : {};
      const worker = new Worker(WORKER_URL, { workerData: data, name: `compartment ${c.name}`, execArgv: WORKER_EXEC_ARGV, ...resourceLimits });
      // The host outlives a compartment that dies: the death is recorded, named, and every pending
      // or later control call to it rejects with it.
      worker.on('error', (error) => this.#died(c.name, diedReason(error, limits?.memoryMb), error));
      worker.on('exit', (code) => {
        if (!this.#down) this.#died(c.name, `its thread exited (code ${code})`);
      });
      worker.unref();
      this.#compartments.push({ index: c.index, name: c.name, worker, control: connectToCompartment<ControlApi>(worker) });
    }
    for (const c of this.#compartments) await this.#call(c, (api) => api.boot());
    for (const library of initOrder(this.image)) await this.#call(this.#owner(library), (api) => api.init(library));
  }

  #died(name: string, reason: string, cause?: Error): void {
    if (this.#dead.has(name)) return;
    const error = new CompartmentDiedError(name, reason, cause ? { cause } : undefined);
    this.#dead.set(name, error);
    this.#failure ??= error;
  }

  #owner(library: string): Booted {
    const placement = this.image.config.libraries.find((l) => l.name === library);
    const c = this.#compartments.find((b) => b.name === placement?.compartment);
    if (!c) throw new FlexosError('FLEXOS_ERR_BAD_ARGUMENT', `library ${library} is not in the image; libraries: ${this.image.config.libraries.map((l) => l.name).join(', ')}`);
    return c;
  }

  /** A control-plane call: rings the doorbell so an idle compartment yields to its event loop; fails if the thread dies. */
  async #call<T>(c: Booted, body: (api: Remote<ControlApi>) => Promise<T>): Promise<T> {
    if (this.#down) throw new FlexosError('FLEXOS_ERR_SHUTDOWN', `compartment ${c.name} is shut down`); // a terminated worker never answers
    const dead = this.#dead.get(c.name);
    if (dead) throw dead;
    // Post first (comlink posts synchronously), then ring: the worker leaves its gate loop for its
    // event loop and finds the message already queued there.
    const reply = body(c.control);
    Atomics.add(this.#rpc, G_CONTROL, 1);
    Atomics.add(this.#rpc, headerWord(c.index, H_DOORBELL), 1);
    Atomics.notify(this.#rpc, headerWord(c.index, H_DOORBELL));
    let onExit: ((code: number) => void) | undefined;
    let onError: ((error: Error) => void) | undefined;
    const died = new Promise<never>((_, reject) => {
      // The worker's own 'error'/'exit' listeners (registered first) have recorded the death.
      onError = (error) => reject(this.#dead.get(c.name) ?? new CompartmentDiedError(c.name, error.message, { cause: error }));
      onExit = (code) => reject(this.#dead.get(c.name) ?? new CompartmentDiedError(c.name, `its thread exited (code ${code})`));
      c.worker.once('error', onError);
      c.worker.once('exit', onExit);
    });
    try {
      return await Promise.race([reply, died]);
    } finally {
      c.worker.off('error', onError!);
      c.worker.off('exit', onExit!);
    }
  }

  async #shutdown(): Promise<void> {
    const keepAlive = setInterval(() => undefined, 1 << 30);
    try {
      await this.#stopAll();
    } finally {
      clearInterval(keepAlive);
    }
  }

  async #stopAll(): Promise<void> {
    Atomics.store(this.#rpc, G_SHUTDOWN, 1);
    for (const c of this.#compartments) {
      Atomics.add(this.#rpc, headerWord(c.index, H_DOORBELL), 1);
      Atomics.notify(this.#rpc, headerWord(c.index, H_DOORBELL));
    }
    for (const d of this.#devices) d.wake();
    await Promise.all(
      this.#compartments.map(async (c) => {
        const grace = new Promise<void>((resolve) => setTimeout(resolve, this.#grace).unref());
        if (!this.#dead.has(c.name)) await Promise.race([c.control.stop().catch(() => undefined), grace]); // a dead thread never answers
        await c.worker.terminate();
      }),
    );
  }
}

/** Why a worker died, in words: over its memory limit, or the error it threw. */
function diedReason(error: Error, memoryMb: number | undefined): string {
  if ((error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return `out of memory${memoryMb === undefined ? '' : ` (over its limit of ${memoryMb} MiB)`}: ${error.message} (ERR_WORKER_OUT_OF_MEMORY)`;
  }
  return `uncaught ${error.name}: ${error.message}`;
}

/** Libraries in an order where every library comes after the ones it calls (cycles broken by name). */
export function initOrder(image: Image): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): void => {
    if (state.has(name)) return;
    state.set(name, 'visiting');
    for (const callee of Object.keys(image.descriptors[name]?.calls ?? {}).sort()) visit(callee);
    state.set(name, 'done');
    order.push(name);
  };
  for (const l of image.config.libraries) visit(l.name);
  return order;
}
