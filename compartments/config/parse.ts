// The one parser of configurations (kraft.yaml): YAML text or a plain object in, a validated,
// frozen Configuration out. Every FlexOS rule is checked here, before anything starts, and a
// refusal is a ConfigError naming the field path, the value and what would be valid.

import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../../kernel/abi/errors.js';
import { dependencyClosure, HARDENING_OPTIONS, HARDENING_SHORTHANDS } from '../../kernel/abi/library.js';
import type { HardeningOption, LibraryRegistry } from '../../kernel/abi/library.js';
import { boolean, isRecord, join, oneOf, onlyKeys, positiveNumber, record, string } from './fields.js';
import type { Fields } from './fields.js';
import { DEFAULT_BOUNDARY_CYCLES, DEFAULTS, DRIVERS, SYSCALL_CYCLES, MAX_COMPARTMENTS, MEMORY_LIMIT_MB, PIN_POLICIES, WAIT_POLICIES } from '../../kernel/abi/schema.js';
import type { BoundaryCycles, CompartmentConfig, CompartmentLimits, Configuration, CostModelConfig, Driver, GateConfig, GateCycles, LibraryPlacement, StackStrategy } from '../../kernel/abi/schema.js';
import { parseSize } from './units.js';
import { isBaseline } from '../baselines/boundary.js';

export type ConfigSource = string | Readonly<Record<string, unknown>>;

export interface ParseOptions {
  readonly registry: LibraryRegistry;
  /** The image name when the configuration has no `name` (loadConfigurationFile passes the file name). */
  readonly name?: string;
}

const TOP_KEYS = ['name', 'compartments', 'libraries', 'sharing', 'gates', 'cost_model'];
const COMPARTMENT_KEYS = ['name', 'mechanism', 'default', 'limits'];
const LIMIT_KEYS = ['memory_mb'];
const LIBRARY_KEYS = ['compartment', 'hardening'];
const SHARING_KEYS = ['stack', 'dss', 'heap', 'shared_heap'];
const GATE_KEYS = ['policy', 'pin', 'timeout_ms'];
const COST_KEYS = ['cpu', 'clock_ghz', 'gate_cycles', 'kpti'];
const CYCLE_KEYS: readonly (keyof GateCycles)[] = ['function', 'mpk-light', 'mpk-dss', 'ept'];
const BOUNDARY_KEYS: readonly (keyof BoundaryCycles)[] = ['syscall', 'ipc', 'cubicle', 'pkru-window'];
const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

interface Declared {
  readonly name: string;
  readonly driver: Driver;
  readonly isDefault: boolean;
  readonly path: string;
  readonly limits?: CompartmentLimits;
}

interface Listed {
  readonly compartment: string | undefined;
  readonly hardening: readonly HardeningOption[];
}

/** Validate a configuration; ConfigError on the first rule it breaks. */
export function parseConfiguration(source: ConfigSource, options: ParseOptions): Configuration {
  const root = typeof source === 'string' ? parseYaml(source) : source;
  if (!isRecord(root)) throw new ConfigError('(root)', root, 'a configuration must be a mapping', `a mapping with keys ${TOP_KEYS.join(', ')}`);
  onlyKeys(root, TOP_KEYS, '');
  const warnings: string[] = [];

  const name = root.name === undefined ? (options.name ?? DEFAULTS.name) : string(root.name, 'name');
  const declared = parseCompartments(root.compartments);
  const driver = singleDriver(declared);
  const listed = parseLibraries(root.libraries, declared, options.registry);
  const placements = place(listed, declared, options.registry);
  const compartments = numberCompartments(declared, placements, warnings);
  checkLimits(driver, compartments, warnings);

  const sharing = record(root.sharing, 'sharing');
  onlyKeys(sharing, SHARING_KEYS, 'sharing');
  const config: Configuration = {
    name,
    driver,
    compartments,
    libraries: placements,
    stack: stackStrategy(driver, sharing, warnings),
    heapSize: sharing.heap === undefined ? DEFAULTS.heapSize : parseSize(sharing.heap, 'sharing.heap'),
    sharedHeapSize: sharing.shared_heap === undefined ? DEFAULTS.sharedHeapSize : parseSize(sharing.shared_heap, 'sharing.shared_heap'),
    gates: parseGates(root.gates),
    costModel: parseCostModel(root.cost_model, driver),
    warnings,
  };
  return deepFreeze(config);
}

/** Read and validate a configuration file; the image is named after the file unless it says otherwise. */
export function loadConfigurationFile(path: string, options: ParseOptions): Configuration {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError('(file)', path, `cannot read the configuration file (${reason})`, 'a readable YAML file');
  }
  return parseConfiguration(text, { ...options, name: options.name ?? basename(path, extname(path)) });
}

function parseYaml(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false });
  const error = doc.errors[0];
  if (error) {
    const before = text.slice(0, error.pos[0]).split(/\r?\n/);
    const line = before.length;
    const column = (before[line - 1]?.length ?? 0) + 1;
    const source = text.split(/\r?\n/)[line - 1] ?? '';
    throw new ConfigError('(yaml)', source, `line ${line}, column ${column}: ${error.message.split('\n')[0]}`, 'well-formed YAML');
  }
  try {
    return doc.toJS() ?? {};
  } catch (cause) {
    // Resolving the document can still fail (an alias to an anchor that was never defined).
    throw new ConfigError('(yaml)', text.split(/\r?\n/)[0] ?? '', (cause as Error).message.split('\n')[0] ?? 'cannot resolve the document', 'well-formed YAML');
  }
}

/** Absent `compartments` means one fcalls compartment: the "NONE" image of the paper. */
function parseCompartments(value: unknown): Declared[] {
  if (value === undefined) return [{ name: 'comp1', driver: 'fcalls', isDefault: true, path: 'compartments[0]' }];
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError('compartments', value, 'expected a non-empty list of compartments', 'a list of {name, mechanism: {driver}, default}');
  }
  const declared: Declared[] = [];
  value.forEach((entry: unknown, i) => {
    const path = join('compartments', i);
    const fields = record(entry, path, 'a compartment mapping');
    onlyKeys(fields, COMPARTMENT_KEYS, path);
    const name = string(fields.name, join(path, 'name'));
    if (!NAME_PATTERN.test(name)) throw new ConfigError(join(path, 'name'), name, 'not a valid compartment name', 'letters, digits, "_", "-", "." and not starting with a digit');
    const clash = declared.find((d) => d.name === name);
    if (clash) throw new ConfigError(join(path, 'name'), name, `duplicate compartment name (also ${clash.path})`, 'a name not used by another compartment');
    const isDefault = fields.default === undefined ? false : boolean(fields.default, join(path, 'default'));
    const limits = fields.limits === undefined ? undefined : parseLimits(fields.limits, join(path, 'limits'));
    declared.push({ name, driver: parseMechanism(fields.mechanism, join(path, 'mechanism')), isDefault, path, ...(limits ? { limits } : {}) });
  });
  const defaults = declared.filter((d) => d.isDefault);
  if (defaults.length === 0) {
    throw new ConfigError('compartments', declared.map((d) => d.name), 'no default compartment (unlisted libraries go there)', 'exactly one compartment with default: true');
  }
  const second = defaults[1];
  if (second) {
    throw new ConfigError(join(second.path, 'default'), true, `a second default compartment (${defaults.map((d) => d.name).join(', ')})`, 'exactly one compartment with default: true');
  }
  return declared;
}

/** `limits: {memory_mb: 64}`: the worker's resource limits, so one runaway compartment cannot take the host down. */
function parseLimits(value: unknown, path: string): CompartmentLimits {
  const fields = record(value, path, 'a limits mapping');
  onlyKeys(fields, LIMIT_KEYS, path);
  const valid = `an integer from ${MEMORY_LIMIT_MB.min} to ${MEMORY_LIMIT_MB.max} (MiB)`;
  if (fields.memory_mb === undefined) throw new ConfigError(join(path, 'memory_mb'), undefined, 'missing memory_mb', valid);
  const memoryMb = positiveNumber(fields.memory_mb, join(path, 'memory_mb'), { integer: true });
  if (memoryMb < MEMORY_LIMIT_MB.min || memoryMb > MEMORY_LIMIT_MB.max) throw new ConfigError(join(path, 'memory_mb'), memoryMb, 'out of range', valid);
  return { memoryMb };
}

/** `mechanism: {driver: intel-pku}`, or the shorthand `mechanism: intel-pku`. */
function parseMechanism(value: unknown, path: string): Driver {
  if (typeof value === 'string') return oneOf(value, DRIVERS, path);
  const fields = record(value, path, 'a mechanism mapping');
  onlyKeys(fields, ['driver'], path);
  if (fields.driver === undefined) throw new ConfigError(join(path, 'driver'), undefined, 'missing driver', DRIVERS.join(' | '));
  return oneOf(fields.driver, DRIVERS, join(path, 'driver'));
}

/** FlexOS: "more than one mechanism ... illegal for now". */
function singleDriver(declared: readonly Declared[]): Driver {
  const first = declared[0];
  if (!first) throw new TypeError('no compartments');
  const other = declared.find((d) => d.driver !== first.driver);
  if (other) {
    throw new ConfigError(join(other.path, 'mechanism.driver'), other.driver, `mixed drivers: ${first.name} uses ${first.driver}`, `${first.driver} (one driver per image)`);
  }
  return first.driver;
}

function parseLibraries(value: unknown, declared: readonly Declared[], registry: LibraryRegistry): Map<string, Listed> {
  const fields = record(value, 'libraries', 'a mapping from library names to {compartment, hardening}');
  if (Object.keys(fields).length === 0) {
    throw new ConfigError('libraries', value, 'an image needs at least one library', `a mapping from library names (${registry.names().join(', ')}) to {compartment, hardening}`);
  }
  const compartmentNames = declared.map((d) => d.name);
  const listed = new Map<string, Listed>();
  for (const [name, entry] of Object.entries(fields)) {
    const path = join('libraries', name);
    if (!registry.has(name)) throw new ConfigError(path, name, 'unknown library', registry.names().join(', '));
    const placement = record(entry, path, 'a library mapping');
    onlyKeys(placement, LIBRARY_KEYS, path);
    let compartment: string | undefined;
    if (placement.compartment !== undefined) {
      compartment = string(placement.compartment, join(path, 'compartment'));
      if (!compartmentNames.includes(compartment)) {
        throw new ConfigError(join(path, 'compartment'), compartment, 'unknown compartment', compartmentNames.join(', '));
      }
    }
    const hardening = parseHardening(placement.hardening, join(path, 'hardening'));
    if (hardening.length > 0 && registry.get(name).hardenable === false) {
      throw new ConfigError(join(path, 'hardening'), placement.hardening, `${name} is never hardened (FlexOS)`, 'no hardening ([] or omit the key)');
    }
    listed.set(name, { compartment, hardening });
  }
  return listed;
}

/** A list of options and shorthands (`[kasan, cfi]`, `[H]`), or one of them alone (`H`). */
function parseHardening(value: unknown, path: string): HardeningOption[] {
  if (value === undefined || value === null) return [];
  const items = typeof value === 'string' ? [value] : value;
  const valid = [...HARDENING_OPTIONS, ...Object.keys(HARDENING_SHORTHANDS).map((s) => `${s} (= ${HARDENING_SHORTHANDS[s]?.join('+')})`)].join(', ');
  if (!Array.isArray(items)) throw new ConfigError(path, value, 'expected a list of hardening options', valid);
  const options = new Set<HardeningOption>();
  items.forEach((item: unknown, i) => {
    const itemPath = typeof value === 'string' ? path : join(path, i);
    const expanded = hardeningItem(item);
    if (!expanded) throw new ConfigError(itemPath, item, 'unknown hardening option', valid);
    for (const option of expanded) options.add(option);
  });
  return [...options].sort();
}

/** The options a hardening item stands for: a shorthand's (own keys only: "__proto__" names none), its own, or none. */
function hardeningItem(item: unknown): readonly HardeningOption[] | undefined {
  if (typeof item !== 'string') return undefined;
  if (Object.hasOwn(HARDENING_SHORTHANDS, item)) return HARDENING_SHORTHANDS[item];
  return isHardeningOption(item) ? [item] : undefined;
}

function isHardeningOption(name: string): name is HardeningOption {
  return (HARDENING_OPTIONS as readonly string[]).includes(name);
}

/**
 * Every library of the image: the listed ones and their dependency closure. An unlisted library
 * follows a listed `together` mate (so listing uksched alone moves ukschedcoop with it), otherwise
 * it goes to the default compartment. A `together` group split across compartments is refused.
 */
function place(listed: ReadonlyMap<string, Listed>, declared: readonly Declared[], registry: LibraryRegistry): LibraryPlacement[] {
  const fallback = declared.find((d) => d.isDefault)?.name ?? '';
  const explicit = (name: string): string | undefined => listed.get(name)?.compartment ?? (listed.has(name) ? fallback : undefined);
  const compartmentFor = (name: string): string => {
    const own = explicit(name);
    if (own !== undefined) return own;
    for (const mate of registry.get(name).together ?? []) {
      const theirs = explicit(mate);
      if (theirs !== undefined) return theirs;
    }
    return fallback;
  };
  const placements = dependencyClosure(registry, [...listed.keys()]).map((name) => ({
    name,
    compartment: compartmentFor(name),
    hardening: listed.get(name)?.hardening ?? [],
  }));
  const where = new Map(placements.map((p) => [p.name, p.compartment]));
  for (const p of placements) {
    for (const mate of registry.get(p.name).together ?? []) {
      const theirs = where.get(mate);
      if (theirs === undefined || theirs === p.compartment) continue;
      const [path, value] = listed.has(mate) ? [join(join('libraries', mate), 'compartment'), theirs] : [join(join('libraries', p.name), 'compartment'), p.compartment];
      throw new ConfigError(path, value, `${p.name} and ${mate} must stay together (${p.name} in ${p.compartment}, ${mate} in ${theirs})`, `the same compartment for ${[p.name, ...(registry.get(p.name).together ?? [])].join(', ')}`);
    }
  }
  return placements;
}

/** FlexOS numbering: unused compartments after the last used one are dropped with a warning; a hole is an error. */
function numberCompartments(declared: readonly Declared[], placements: readonly LibraryPlacement[], warnings: string[]): CompartmentConfig[] {
  const used = new Set(placements.map((p) => p.compartment));
  let last = -1;
  declared.forEach((d, i) => {
    if (used.has(d.name)) last = i;
  });
  const compartments: CompartmentConfig[] = [];
  declared.forEach((d, i) => {
    if (i <= last && !used.has(d.name)) {
      const after = declared.slice(i + 1).find((later) => used.has(later.name))?.name ?? '';
      throw new ConfigError(d.path, d.name, `compartment ${d.name} holds no library but ${after}, declared after it, does (a hole in the numbering)`, 'place a library in it or remove it');
    }
    if (i > last) {
      if (d.isDefault) throw new ConfigError(d.path, d.name, 'the default compartment holds no library', 'leave at least one library in the default compartment');
      warnings.push(`${d.path}: compartment ${d.name} holds no library; dropped`);
      return;
    }
    compartments.push({ name: d.name, index: compartments.length + 1, driver: d.driver, isDefault: d.isDefault, ...(d.limits ? { limits: d.limits } : {}) });
  });
  return compartments;
}

function checkLimits(driver: Driver, compartments: readonly CompartmentConfig[], warnings: string[]): void {
  const max = MAX_COMPARTMENTS[driver];
  if (compartments.length > max) {
    const why = driver === 'intel-pku' ? 'MPK has 16 keys and key 15 is the shared key' : 'FlexOS VM/EPT supports at most 16 compartments';
    throw new ConfigError('compartments', compartments.length, `${compartments.length} ${driver} compartments in use (${why})`, `at most ${max} ${driver} compartments`);
  }
  if (driver === 'unikraft' && compartments.length > 1) {
    throw new ConfigError('compartments', compartments.length, 'Unikraft has no compartments: every library is in one image', 'one unikraft compartment');
  }
  if (driver === 'fcalls' && compartments.length > 1) {
    warnings.push(`compartments: ${compartments.length} fcalls compartments; fcalls does not isolate, so they are one protection domain`);
  }
}

/**
 * The stack strategy for data that crosses gates. intel-pku: private stacks with DSS unless
 * `dss: false` (then stack-to-heap), or shared stacks (MPK-light). vmept: stack-to-heap unless
 * `dss: true` (the shadow stack then lives in the shared memory all VMs map) or `stack: shared`
 * (shared stack data in shared memory). fcalls: always shared stacks, nothing to protect.
 */
function stackStrategy(driver: Driver, sharing: Fields, warnings: string[]): StackStrategy {
  const stack = sharing.stack === undefined ? undefined : oneOf(sharing.stack, ['private', 'shared'] as const, 'sharing.stack');
  const dss = sharing.dss === undefined ? undefined : boolean(sharing.dss, 'sharing.dss');
  if (stack === 'shared' && dss === true) {
    throw new ConfigError('sharing.dss', true, 'Shared stacks and DSS options are incompatible', 'dss: false (or omitted) with stack: shared, or stack: private');
  }
  if (driver === 'fcalls' || driver === 'unikraft') {
    if (stack === 'private' || dss === true) warnings.push(`sharing: ${driver} does not isolate compartments; stacks are shared and the stack/dss options are ignored`);
    return 'shared';
  }
  if (stack === 'shared') return 'shared';
  // CubicleOS is MPK: its stacks are private, what a call passes is opened in a window.
  if (driver === 'intel-pku' || driver === 'cubicleos') return dss === false ? 'heap' : 'dss';
  return dss === true ? 'dss' : 'heap';
}

function parseGates(value: unknown): GateConfig {
  const fields = record(value, 'gates');
  onlyKeys(fields, GATE_KEYS, 'gates');
  const d = DEFAULTS.gates;
  return {
    policy: fields.policy === undefined ? d.policy : oneOf(fields.policy, WAIT_POLICIES, 'gates.policy'),
    pin: fields.pin === undefined ? d.pin : oneOf(fields.pin, PIN_POLICIES, 'gates.pin'),
    timeoutMs: fields.timeout_ms === undefined ? d.timeoutMs : positiveNumber(fields.timeout_ms, 'gates.timeout_ms', { integer: true }),
  };
}

/** `kpti` (Linux only, default true) picks Fig. 11's system call cost with or without KPTI; `gate_cycles.syscall` overrides it. */
function parseCostModel(value: unknown, driver: Driver): CostModelConfig {
  const fields = record(value, 'cost_model');
  onlyKeys(fields, COST_KEYS, 'cost_model');
  const d = DEFAULTS.costModel;
  const cycles = record(fields.gate_cycles, 'cost_model.gate_cycles');
  const baseline = isBaseline(driver);
  onlyKeys(cycles, baseline ? [...CYCLE_KEYS, ...BOUNDARY_KEYS] : CYCLE_KEYS, 'cost_model.gate_cycles');
  if (fields.kpti !== undefined && driver !== 'linux') throw new ConfigError('cost_model.kpti', fields.kpti, `kpti prices a Linux system call; this image's driver is ${driver}`, 'omit kpti, or use driver linux');
  const kpti = fields.kpti === undefined ? true : boolean(fields.kpti, 'cost_model.kpti');
  const given = (key: string): number | undefined => (cycles[key] === undefined ? undefined : positiveNumber(cycles[key], join('cost_model.gate_cycles', key), { allowZero: true }));
  const cycle = (key: keyof GateCycles): number => given(key) ?? d.gateCycles[key];
  const boundary = (key: keyof BoundaryCycles): number => given(key) ?? DEFAULT_BOUNDARY_CYCLES[key];
  const boundaryCycles: BoundaryCycles = {
    syscall: given('syscall') ?? (kpti ? SYSCALL_CYCLES.kpti : SYSCALL_CYCLES.noKpti),
    ipc: boundary('ipc'),
    cubicle: boundary('cubicle'),
    'pkru-window': boundary('pkru-window'),
  };
  return {
    cpu: fields.cpu === undefined ? d.cpu : string(fields.cpu, 'cost_model.cpu'),
    clockGhz: fields.clock_ghz === undefined ? d.clockGhz : positiveNumber(fields.clock_ghz, 'cost_model.clock_ghz'),
    gateCycles: { function: cycle('function'), 'mpk-light': cycle('mpk-light'), 'mpk-dss': cycle('mpk-dss'), ept: cycle('ept') },
    ...(baseline ? { boundaryCycles } : {}),
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
