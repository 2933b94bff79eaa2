// The image build: from a validated configuration and the library registry, decide which library
// runs in which compartment, resolve every declared cross-library call (same compartment: a direct
// call; other compartment: the mechanism's gate), number the exported functions, plan the regions.

import { BuildError } from '../../kernel/abi/errors.js';
import type { LibraryDescriptor, LibraryRegistry } from '../../kernel/abi/library.js';
import type { Configuration, Driver, StackStrategy } from '../../kernel/abi/schema.js';
import type { Edge, GateKind } from '../gates/crossings.js';
import { EPT_MAX_ARGS, MAX_ARGS, RPC_REGION_BYTES } from '../gates/protocol.js';
import { pkruForKey, PKRU_ALLOW_ALL, pkruAllows } from '../../shm/pkru.js';
import { SHARED_KEY, type RegionDescriptor } from '../../shm/region.js';
import { baselineGateKind, baselineMapping, crossingKind, isBaseline } from '../baselines/boundary.js';

export interface ImageCompartment {
  readonly index: number;
  readonly name: string;
  readonly key: number;
  /** fcalls: everything; intel-pku: own key + key 15. Unused under vmept (separate address spaces). */
  readonly pkru: number;
  readonly libraries: readonly string[];
}

export interface ExportEntry {
  readonly id: number;
  readonly library: string;
  readonly fn: string;
  readonly compartment: number;
}

/** How a call site of `caller` reaches `callee.fn`. */
export interface ImportEntry {
  readonly caller: string;
  readonly callee: string;
  readonly fn: string;
  readonly kind: 'direct' | GateKind;
  readonly fnId: number;
  /** Index in `edges` for gates, -1 for direct calls. */
  readonly edge: number;
  /** CubicleOS: the edge counting this call's window operations (kind `pkru-window`). */
  readonly windowEdge?: number;
}

export interface Image {
  readonly config: Configuration;
  readonly gateKind: GateKind;
  readonly compartments: readonly ImageCompartment[];
  readonly exports: readonly ExportEntry[];
  readonly imports: readonly ImportEntry[];
  readonly edges: readonly Edge[];
  readonly regions: readonly RegionDescriptor[];
  readonly descriptors: Readonly<Record<string, LibraryDescriptor>>;
}

export const STACK_BYTES = 1024 * 1024;

/** The gate a mechanism uses between two compartments. FlexOS: MPK-light with shared stacks, the full MPK gate otherwise. */
export function gateKindOf(driver: Driver, stack: StackStrategy): GateKind {
  if (isBaseline(driver)) return baselineGateKind(driver);
  if (driver === 'fcalls') return 'function';
  if (driver === 'vmept') return 'ept';
  return stack === 'shared' ? 'mpk-light' : 'mpk-dss';
}

export function buildImage(config: Configuration, options: { registry: LibraryRegistry }): Image {
  const registry = options.registry;
  const compartmentOf = new Map(config.libraries.map((l) => [l.name, l.compartment]));
  const compartments: ImageCompartment[] = config.compartments.map((c) => ({
    index: c.index,
    name: c.name,
    key: c.index - 1,
    pkru: config.driver === 'intel-pku' || config.driver === 'cubicleos' ? pkruForKey(c.index - 1) : PKRU_ALLOW_ALL,
    libraries: config.libraries.filter((l) => l.compartment === c.name).map((l) => l.name),
  }));
  const indexOf = new Map(compartments.map((c) => [c.name, c.index]));
  const descriptors: Record<string, LibraryDescriptor> = {};
  for (const l of config.libraries) {
    if (!registry.has(l.name)) throw new BuildError(`library ${l.name} is not in the registry; known: ${registry.names().join(', ')}`);
    descriptors[l.name] = registry.get(l.name);
  }

  const exports: ExportEntry[] = [];
  const exportId = new Map<string, number>();
  for (const l of config.libraries) {
    for (const fn of Object.keys(descriptors[l.name]?.exports ?? {})) {
      exportId.set(`${l.name}.${fn}`, exports.length);
      exports.push({ id: exports.length, library: l.name, fn, compartment: indexOf.get(l.compartment) ?? 0 });
    }
  }

  const gateKind = gateKindOf(config.driver, config.stack);
  const imports: ImportEntry[] = [];
  const edges: Edge[] = [];
  const edgeIndex = new Map<string, number>();
  /** The edge `key` names, added on first use. */
  const edgeOf = (key: string, edge: Edge): number => {
    let index = edgeIndex.get(key);
    if (index === undefined) {
      index = edges.length;
      edgeIndex.set(key, index);
      edges.push(edge);
    }
    return index;
  };
  const crossing = (callee: string): GateKind => (isBaseline(config.driver) ? crossingKind(config.driver, callee) : gateKind);
  for (const l of config.libraries) {
    const descriptor = descriptors[l.name] as LibraryDescriptor;
    for (const [callee, fns] of Object.entries(descriptor.calls)) {
      const target = descriptors[callee];
      if (!target) throw new BuildError(`${l.name} calls ${callee}, which is not in the image (libraries: ${Object.keys(descriptors).join(', ')})`);
      const sameCompartment = compartmentOf.get(callee) === l.compartment;
      for (const fn of fns) {
        const signature = target.exports[fn];
        const fnId = exportId.get(`${callee}.${fn}`);
        if (!signature || fnId === undefined) {
          throw new BuildError(`${l.name} calls ${callee}.${fn}, which ${callee} does not export (exportsyms: ${Object.keys(target.exports).sort().join(', ')})`);
        }
        if (sameCompartment) {
          imports.push({ caller: l.name, callee, fn, kind: 'direct', fnId, edge: -1 });
          continue;
        }
        const kind = crossing(callee);
        checkGateSignature(kind, `${l.name} -> ${callee}.${fn}`, signature.args);
        const key = `${l.name}>${callee}`;
        const edge = edgeOf(key, { caller: l.name, callee, kind });
        if (kind === 'cubicle' && signature.args.includes('addr')) {
          const windowEdge = edgeOf(`${key}#window`, { caller: l.name, callee, kind: 'pkru-window' });
          imports.push({ caller: l.name, callee, fn, kind, fnId, edge, windowEdge });
        } else imports.push({ caller: l.name, callee, fn, kind, fnId, edge });
      }
    }
  }
  // A library that calls function pointers may reach any library in another compartment: one
  // edge each, counted only when crossed.
  for (const l of config.libraries) {
    if (!descriptors[l.name]?.callsPointers) continue;
    for (const other of config.libraries) {
      if (other.compartment !== l.compartment) edgeOf(`${l.name}>${other.name}`, { caller: l.name, callee: other.name, kind: crossing(other.name) });
    }
  }
  return { config, gateKind, compartments, exports, imports, edges, regions: planRegions(config, compartments), descriptors };
}

/** Gates whose arguments travel in registers: integers and addresses only (a system call, an IPC's message registers). */
export function integersOnly(kind: GateKind): boolean {
  return kind === 'ept' || kind === 'syscall' || kind === 'ipc';
}

function checkGateSignature(kind: GateKind, site: string, args: readonly string[]): void {
  if (integersOnly(kind)) {
    const what = kind === 'ept' ? 'a vmept gate' : kind === 'syscall' ? 'a system call' : 'an IPC';
    // A vmept RPC and a system call pass their arguments in the same few registers; an IPC has more.
    if (kind !== 'ipc' && args.length > EPT_MAX_ARGS) throw new BuildError(`${site}: ${what} carries at most ${EPT_MAX_ARGS} arguments, this function takes ${args.length}`);
    const bad = args.findIndex((a) => a !== 'int' && a !== 'addr');
    if (bad >= 0) throw new BuildError(`${site}: argument ${bad + 1} is a ${args[bad]}; ${what} carries integers and addresses only`);
  }
  if (args.length > MAX_ARGS) throw new BuildError(`${site}: a gate carries at most ${MAX_ARGS} arguments, this function takes ${args.length}`);
}

function planRegions(config: Configuration, compartments: readonly ImageCompartment[]): RegionDescriptor[] {
  const regions: RegionDescriptor[] = [];
  const add = (r: Omit<RegionDescriptor, 'id'>): void => void regions.push({ ...r, id: regions.length + 1 });
  add({ name: 'rpc', kind: 'rpc', key: SHARED_KEY, size: RPC_REGION_BYTES, owner: 0 });
  add({ name: 'shared-heap', kind: 'shared-heap', key: SHARED_KEY, size: config.sharedHeapSize, owner: 0 });
  if (config.stack === 'shared') add({ name: 'stack.shared', kind: 'stack', key: SHARED_KEY, size: STACK_BYTES, owner: 0 });
  for (const c of compartments) {
    add({ name: `heap.${c.name}`, kind: 'heap', key: c.key, size: config.heapSize, owner: c.index });
    if (config.stack !== 'shared') add({ name: `stack.${c.name}`, kind: 'stack', key: c.key, size: STACK_BYTES, owner: c.index });
    if (config.stack === 'dss') add({ name: `dss.${c.name}`, kind: 'dss', key: SHARED_KEY, size: STACK_BYTES, owner: c.index });
  }
  return regions;
}

/** Which regions a compartment is handed: the isolation itself. */
export function mayMap(image: Image, compartment: ImageCompartment, region: RegionDescriptor): boolean {
  const driver = image.config.driver;
  if (isBaseline(driver)) {
    const mapping = baselineMapping(driver);
    if (mapping === 'all') return true;
    if (mapping === 'pkru') return pkruAllows(compartment.pkru, region.key, 'read');
    return region.owner === compartment.index || region.key === SHARED_KEY;
  }
  switch (driver) {
    case 'fcalls':
      return true;
    case 'intel-pku':
      return pkruAllows(compartment.pkru, region.key, 'read');
    case 'vmept':
      // One VM per compartment: its own memory plus the shared area (shared heap, RPC, shadow stacks).
      return region.owner === compartment.index || region.key === SHARED_KEY;
  }
}
