// The compartment runtime inside a worker: builds the memory view, heaps and stack of this
// compartment, loads its libraries, resolves their imports (direct call, gate, or a baseline's
// boundary around the gate: compartments/baselines/), and runs the idle loop that serves gates
// while letting the control plane in between.

import { FlexosError, BuildError } from '../../kernel/abi/errors.js';
import { Memory } from '../../shm/memory.js';
import { RegionHeap, type Allocator } from '../../shm/heap.js';
import { StackFrames } from '../../shm/stack.js';
import type { RegionDescriptor } from '../../shm/region.js';
import { CrossingCounters } from '../gates/crossings.js';
import { GateCallee, type ExportedFunction, type GateFunction } from '../gates/callee.js';
import { GatePort, ShutdownSignal, type DoorbellWait, type GateTarget } from '../gates/caller.js';
import { G_CPU_IDLE, G_SHUTDOWN, G_SPINNERS } from '../gates/protocol.js';
import { Waiter } from './wait-policy.js';
import { pinCurrentThread } from './pinning.js';
import { integersOnly, type Image } from '../host/image.js';
import type { LibraryContext, LibraryInstance, LibraryModule } from '../../kernel/abi/context.js';
import { FaultInjector, type FaultEnvironment } from './fault-routines.js';
import type { InjectionSpec } from '../host/faults.js';
import { CompartmentHardening } from './hardening/index.js';
import { nameForProfile, recordProfiledThread } from './profile-names.js';
import { WorkCounters } from './work-counters.js';
import { MeteredAllocator } from './metered-heap.js';
import { NO_WORK, type WorkMeter } from '../../kernel/abi/work.js';
import { importBoundary } from '../baselines/boundary-call.js';

export interface CompartmentData {
  readonly image: Image;
  readonly self: number;
  readonly table: readonly RegionDescriptor[];
  /** Only the regions this compartment may touch. */
  readonly buffers: ReadonlyMap<number, SharedArrayBuffer>;
  readonly counters: SharedArrayBuffer;
  /** The work matrix (work-counters.ts) the host reads; absent, the counts stay in this thread. */
  readonly work?: SharedArrayBuffer;
  readonly devices: Readonly<Record<string, SharedArrayBuffer>>;
  readonly cpu: number | null;
  /** Concurrent spinners the adaptive policy allows. */
  readonly maxSpinners: number;
  /** Fault injection (scripts/run.js --inject): which library, which fault, on which entry. */
  readonly inject?: InjectionSpec;
}

export interface CompartmentStatus {
  readonly compartment: string;
  readonly libraries: readonly string[];
  readonly pinned: boolean;
  readonly served: number;
  readonly spinHits: number;
  readonly parks: number;
  readonly heap: ReturnType<Allocator['stats']>;
  /** Bytes of this compartment's own JS heap in use (its worker's isolate), for soak runs. */
  readonly jsHeapUsed: number;
}

/** What a test may put in place of a compartment's own machinery (a worker passes none). */
export interface RuntimeOptions {
  /** The wait the gate port blocks in: the compartment's Waiter unless a test plays the other side there. */
  readonly wait?: DoorbellWait;
}

const IDLE_SLICE_MS = 50;

export class CompartmentRuntime {
  readonly #data: CompartmentData;
  readonly #name: string;
  readonly #memory: Memory;
  readonly #heap: RegionHeap;
  readonly #sharedHeap: RegionHeap;
  readonly #stack: StackFrames;
  readonly #hardening: CompartmentHardening;
  readonly #waiter: Waiter;
  readonly #callee: GateCallee;
  readonly #port: GatePort;
  readonly #rpcWords: Int32Array;
  readonly #functions: (ExportedFunction | undefined)[] = [];
  readonly #instances = new Map<string, LibraryInstance>();
  /** The libraries with a beforeIdle hook, filled at boot. */
  readonly #idleHooks: LibraryInstance[] = [];
  readonly #pinned: boolean;
  /** Each library's meter in the work matrix, by name. */
  readonly #meters = new Map<string, WorkMeter>();
  readonly #crossings: CrossingCounters;
  #stopped = false;

  constructor(data: CompartmentData, options: RuntimeOptions = {}) {
    this.#data = data;
    const image = data.image;
    const me = image.compartments.find((c) => c.index === data.self);
    if (!me) throw new FlexosError('FLEXOS_ERR_BOOT', `compartment ${data.self} is not in the image`);
    this.#name = me.name;
    recordProfiledThread(me.name);
    this.#pinned = data.cpu === null ? false : pinCurrentThread(data.cpu);
    this.#memory = new Memory({ compartment: me.name, table: data.table, buffers: data.buffers });
    const region = (name: string): RegionDescriptor & { buffer: SharedArrayBuffer } => {
      const d = data.table.find((r) => r.name === name);
      const buffer = d && data.buffers.get(d.id);
      if (!d || !buffer) throw new FlexosError('FLEXOS_ERR_BOOT', `compartment ${me.name} was not handed region ${name}`);
      return { ...d, buffer };
    };
    const heapRegion = region(`heap.${me.name}`);
    const sharedHeapRegion = region('shared-heap');
    this.#heap = RegionHeap.attach(heapRegion);
    this.#sharedHeap = RegionHeap.attach(sharedHeapRegion);
    const stack = image.config.stack === 'shared' ? region('stack.shared') : region(`stack.${me.name}`);
    const dss = image.config.stack === 'dss' ? region(`dss.${me.name}`) : undefined;
    this.#stack = new StackFrames(image.config.stack, {
      compartment: me.name,
      regions: dss ? { stack, dss } : { stack },
      sharedHeap: this.#sharedHeap,
    });
    this.#hardening = new CompartmentHardening({
      image, self: data.self, memory: this.#memory, table: data.table, heap: this.#heap, sharedHeap: this.#sharedHeap,
      heapBuffers: new Map([[heapRegion.id, heapRegion.buffer], [sharedHeapRegion.id, sharedHeapRegion.buffer]]),
      stack: this.#stack, stackBuffer: stack.buffer,
    });
    const work = new WorkCounters(image.config.libraries.map((l) => l.name), data.work);
    for (const library of me.libraries) this.#meters.set(library, work.meter(library));
    this.#stack.onShared = () => (this.#meters.get(this.#memory.library) ?? NO_WORK).add('stackvar', 1);
    const rpc = region('rpc').buffer;
    this.#rpcWords = new Int32Array(rpc);
    this.#waiter = new Waiter({ policy: image.config.gates.policy, spinners: { words: this.#rpcWords, index: G_SPINNERS, max: data.maxSpinners } });
    const cfi = this.#hardening.gateCheck;
    this.#callee = new GateCallee(rpc, cfi ? { functions: this.#functions, memory: this.#memory, cfi } : { functions: this.#functions, memory: this.#memory });
    // Shared with the baselines' boundaries, which count CubicleOS's window operations here too.
    this.#crossings = new CrossingCounters(image.edges, data.counters);
    this.#port = new GatePort(rpc, {
      self: data.self,
      waiter: options.wait ?? this.#waiter,
      callee: this.#callee,
      counters: this.#crossings,
      timeoutMs: image.config.gates.timeoutMs,
      beforeIdle: () => this.#beforeIdle(),
    });
  }

  #beforeIdle(): void {
    for (const instance of this.#idleHooks) instance.beforeIdle?.();
  }

  /** The control-plane API the host calls over comlink. */
  controlApi() {
    return {
      boot: () => this.#boot(),
      init: (library: string) => this.#asLibrary(library, () => this.#instance(library).init?.()),
      run: (library: string, fn: string, args: number[]) => this.#run(library, fn, args),
      status: () => this.status(),
      stop: () => this.#stop(),
    };
  }

  status(): CompartmentStatus {
    return {
      compartment: this.#name,
      libraries: [...this.#instances.keys()],
      pinned: this.#pinned,
      served: this.#callee.served,
      spinHits: this.#waiter.spinHits,
      parks: this.#waiter.parks,
      heap: this.#heap.stats(),
      jsHeapUsed: process.memoryUsage().heapUsed,
    };
  }

  async #boot(): Promise<string[]> {
    const image = this.#data.image;
    const mine = image.compartments.find((c) => c.index === this.#data.self)?.libraries ?? [];
    const slots = new Map<string, { impl: GateFunction | undefined }>();
    for (const library of mine) {
      const descriptor = image.descriptors[library];
      if (!descriptor) throw new BuildError(`library ${library} has no descriptor in the image`);
      const module = (await import(descriptor.implementation)) as LibraryModule;
      let instance: LibraryInstance;
      try {
        instance = module.create(this.#context(library, slots));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new FlexosError('FLEXOS_ERR_BOOT', `library ${library} failed to start in compartment ${this.#name}: ${reason}`, { cause: error });
      }
      for (const fn of Object.keys(descriptor.exports)) {
        if (typeof instance.exports[fn] !== 'function') throw new BuildError(`library ${library} declares ${fn} in its exportsyms but does not implement it`);
      }
      this.#instances.set(library, instance);
      if (instance.beforeIdle) this.#idleHooks.push(instance);
    }
    const inject = this.#data.inject;
    const injector = inject && mine.includes(inject.library) ? new FaultInjector(inject, () => this.#faultEnvironment(inject.library, slots)) : undefined;
    for (const e of image.exports) {
      if (e.compartment !== this.#data.self) continue;
      let impl = this.#instance(e.library).exports[e.fn] as GateFunction;
      if (injector && e.library === inject?.library) impl = injector.wrap(impl);
      this.#functions[e.id] = { library: e.library, fn: e.fn, impl };
      const slot = slots.get(`${e.library}.${e.fn}`);
      if (slot) slot.impl = impl;
    }
    void this.#idleLoop();
    return mine.slice();
  }

  /** What an injected fault runs with: the faulty library's context and a call through a corrupted pointer. */
  #faultEnvironment(library: string, slots: Map<string, { impl: GateFunction | undefined }>): FaultEnvironment {
    const image = this.#data.image;
    const descriptor = image.descriptors[library];
    const declared = descriptor?.calls ?? {};
    return {
      ctx: this.#context(library, slots),
      callsPointers: descriptor?.callsPointers === true,
      undeclaredTargets: () =>
        image.exports
          .filter((e) => e.library !== library && e.fn !== 'main' && !(declared[e.library] ?? []).includes(e.fn))
          .sort((a, b) => Number(!(a.library in declared)) - Number(!(b.library in declared)) || a.id - b.id)
          .map((e) => e.id),
      rawCall: (fnId, args) => {
        const target = image.exports[fnId];
        if (!target) throw new FlexosError('FLEXOS_ERR_BAD_ARGUMENT', `${library}: ${fnId} is not a function of this image`);
        if (target.compartment === this.#data.self) {
          const previous = this.#memory.library;
          this.#memory.library = target.library;
          try {
            return (this.#functions[fnId]!.impl(...args) as number | undefined) ?? 0;
          } finally {
            this.#memory.library = previous;
          }
        }
        const edge = image.edges.findIndex((e) => e.caller === library && e.callee === target.library);
        return this.#port.call({ to: target.compartment, fnId, edge, library: target.library, fn: target.fn, integersOnly: image.gateKind === 'ept' }, args);
      },
    };
  }

  #context(library: string, slots: Map<string, { impl: GateFunction | undefined }>): LibraryContext {
    const data = this.#data;
    const memory = this.#memory;
    const placement = data.image.config.libraries.find((l) => l.name === library);
    const hardened = this.#hardening.heaps(library);
    const work = this.#meters.get(library) ?? NO_WORK;
    const heaps = { heap: new MeteredAllocator(hardened.heap, work), sharedHeap: new MeteredAllocator(hardened.sharedHeap, work) };
    return {
      library,
      compartment: { name: this.#name, index: data.self },
      config: data.image.config,
      hardening: placement?.hardening ?? [],
      memory,
      heap: heaps.heap,
      sharedHeap: heaps.sharedHeap,
      stack: this.#stack,
      checked: this.#hardening.checked(library),
      work,
      import: (callee, fn) => {
        const entry = data.image.imports.find((i) => i.caller === library && i.callee === callee && i.fn === fn);
        if (!entry) throw new BuildError(`${library} calls ${callee}.${fn} without declaring it (add it to ${library}'s calls)`);
        if (entry.kind === 'direct') {
          const key = `${callee}.${fn}`;
          let slot = slots.get(key);
          if (!slot) slots.set(key, (slot = { impl: undefined }));
          const target = slot;
          // A call across a gate is counted with the crossings; a direct one here, as its callee's work.
          const calleeWork = this.#meters.get(callee) ?? NO_WORK;
          // Unikraft: no gate layer at all, so not even the library bookkeeping of FlexOS's direct call;
          // unless a library is hardened, whose access checks (KASan, UBSan) follow memory.library.
          if (data.image.config.driver === 'unikraft' && data.image.config.libraries.every((l) => l.hardening.length === 0)) {
            return nameForProfile(`call:${callee}.${fn}`, (...args: number[]) => {
              calleeWork.add('call', 1);
              return ((target.impl ?? (target.impl = this.#functions[entry.fnId]?.impl)) as GateFunction)(...args) ?? 0;
            });
          }
          return nameForProfile(`call:${callee}.${fn}`, (...args: number[]) => {
            calleeWork.add('call', 1);
            const previous = memory.library;
            memory.library = callee;
            try {
              // An import made after boot finds its slot empty: the export table has the function.
              const impl = target.impl ?? (target.impl = this.#functions[entry.fnId]?.impl);
              return (impl as GateFunction)(...args) ?? 0;
            } finally {
              memory.library = previous;
            }
          });
        }
        const to = data.image.exports[entry.fnId]?.compartment ?? 0;
        const gate: GateTarget = { to, fnId: entry.fnId, edge: entry.edge, library: callee, fn, integersOnly: integersOnly(entry.kind) };
        const port = this.#port;
        const crossings = this.#crossings;
        const boundary = importBoundary(data.image, entry, (args) => port.call(gate, args), { memory, bounce: this.#sharedHeap, meter: work, count: (edge) => crossings.record(edge, 0) });
        return nameForProfile(`gate:${callee}.${fn}`, boundary ?? ((...args: number[]) => port.call(gate, args)));
      },
      functionId: (lib, fn) => {
        const entry = data.image.exports.find((e) => e.library === lib && e.fn === fn);
        if (!entry) throw new FlexosError('FLEXOS_ERR_BAD_ARGUMENT', `${lib}.${fn} is not an exported function of this image`);
        return entry.id;
      },
      callPointer: (pointer, a, b) => this.#callPointer(library, pointer, a, b),
      isPointer: (pointer) => this.#pointerTarget(pointer) !== undefined,
      device: (name) => {
        const buffer = data.devices[name];
        if (!buffer) throw new FlexosError('FLEXOS_ERR_BOOT', `device ${name} is not attached to compartment ${this.#name}`);
        return buffer;
      },
      idle: (body) => {
        this.#beforeIdle();
        Atomics.add(this.#rpcWords, G_CPU_IDLE, 1);
        try {
          return this.#port.idle(body);
        } finally {
          Atomics.sub(this.#rpcWords, G_CPU_IDLE, 1);
          if (Atomics.load(this.#rpcWords, G_SHUTDOWN) !== 0) throw new ShutdownSignal();
        }
      },
      checkShutdown: () => {
        if (Atomics.load(this.#rpcWords, G_SHUTDOWN) !== 0) throw new ShutdownSignal();
      },
      log: (text) => void process.stdout.write(text),
    };
  }

  /** An indirect call: checked against the export table (the only valid targets), then direct or a gate. */
  #callPointer(caller: string, pointer: number, a: number, b: number): number {
    const image = this.#data.image;
    if (!image.descriptors[caller]?.callsPointers) throw new BuildError(`${caller} calls a function pointer but does not declare callsPointers`);
    this.#hardening.checkPointer(caller, pointer);
    const target = this.#pointerTarget(pointer);
    if (!target) throw new FlexosError('FLEXOS_ERR_BAD_ARGUMENT', `${caller}: ${pointer} is not a valid function pointer (an exported function taking (int, int))`);
    if (target.compartment === this.#data.self) {
      const previous = this.#memory.library;
      this.#memory.library = target.library;
      try {
        return (this.#functions[pointer]!.impl(a, b) as number | undefined) ?? 0;
      } finally {
        this.#memory.library = previous;
      }
    }
    const edge = image.edges.findIndex((e) => e.caller === caller && e.callee === target.library);
    return this.#port.call({ to: target.compartment, fnId: pointer, edge, library: target.library, fn: target.fn, integersOnly: image.gateKind === 'ept' }, [a, b]);
  }

  #pointerTarget(pointer: number): Image['exports'][number] | undefined {
    const image = this.#data.image;
    const target = Number.isInteger(pointer) ? image.exports[pointer] : undefined;
    const signature = target && image.descriptors[target.library]?.exports[target.fn];
    return signature && signature.args.length === 2 && signature.args.every((t) => t === 'int') ? target : undefined;
  }

  /** Runs `body` as `library` (its memory accesses checked and named as that library's). */
  #asLibrary<T>(library: string, body: () => T): T {
    const previous = this.#memory.library;
    this.#memory.library = library;
    try {
      return body();
    } finally {
      this.#memory.library = previous;
    }
  }

  #instance(library: string): LibraryInstance {
    const instance = this.#instances.get(library);
    if (!instance) throw new FlexosError('FLEXOS_ERR_BOOT', `library ${library} is not loaded in compartment ${this.#name}`);
    return instance;
  }

  #run(library: string, fn: string, args: number[]): number {
    const impl = this.#instance(library).exports[fn];
    if (!impl) throw new FlexosError('FLEXOS_ERR_BAD_ARGUMENT', `${library} does not export ${fn}`);
    const result = this.#asLibrary(library, () => impl(...args));
    return typeof result === 'number' ? result : 0;
  }

  #stop(): void {
    this.#stopped = true;
    for (const instance of [...this.#instances.values()].reverse()) instance.stop?.();
  }

  /** Serves gates in slices; between slices the event loop runs the control plane. */
  async #idleLoop(): Promise<void> {
    while (!this.#stopped && Atomics.load(this.#rpcWords, G_SHUTDOWN) === 0) {
      try {
        this.#port.serveFor(IDLE_SLICE_MS);
      } catch (error) {
        if (error instanceof ShutdownSignal) break;
        process.stderr.write(`compartment ${this.#name}: ${(error as Error).stack ?? String(error)}\n`);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
