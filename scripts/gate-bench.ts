// `node scripts/gate-bench.js`: the paper's Fig. 11 in simulation. Gate latency of an empty function
// per mechanism against the raw Atomics floor measured in the same run, the nested chain
// A->B->C->B->A, both again beside a CPU burner, and the cost of shared stack variables (Fig. 11b).

import { Worker } from 'node:worker_threads';
import { DEFAULTS, DEFAULT_GATE_CYCLES, PIN_POLICIES, WAIT_POLICIES, type PinPolicy, type StackStrategy, type WaitPolicy } from '../kernel/abi/schema.js';
import type { Configuration } from '../kernel/abi/schema.js';
import { FlexosError } from '../kernel/abi/errors.js';
import type { FlexosGateKind as GateKind } from '../compartments/gates/crossings.js';
import { Machine } from '../compartments/host/host.js';
import { MACHINE_CPUS, cpuFor, loadGeneratorCpu, pinProcess } from '../compartments/runtime/pinning.js';
import { offsetOf, regionOf } from '../shm/address.js';
import { benchRegistry, chainImage, gateImage, stackImage, type GateOptions } from '../compartments/model/bench-libs/registry.js';
import { Burner } from '../compartments/model/bench-libs/burner.js';
import { numberOption, parseCommandLine, runCommand, UsageError } from './cli.js';
import { formatTable } from './table.js';

const GATES: readonly GateKind[] = ['function', 'mpk-light', 'mpk-dss', 'ept'];
const STRATEGIES: readonly StackStrategy[] = ['heap', 'dss', 'shared'];
/** Paper Fig. 11b, cycles per call of an empty function with N shared stack variables. */
const PAPER_STACK_CYCLES: Readonly<Record<StackStrategy, readonly number[]>> = { heap: [66, 140, 218], dss: [2, 2, 2], shared: [2, 2, 2] };
/** A plain call is far shorter than a clock read: it is timed in batches of this many calls. */
const BATCH = 200;
/** Longest one measurement may run: spinners that lose their core slow to milliseconds per call. */
const BUDGET_MS = 15_000;
/** The floor and the spinning gate alternate this many times (see floorAndSpin). */
const SPIN_ROUNDS = 4;
/** How long the burner runs alone first, for the share the machine gives it without the image. */
const BURNER_ALONE_MS = 500;

const USAGE = `usage: node scripts/gate-bench.js [options]

The paper's Fig. 11 in simulation: the latency of a gate to an empty function for each mechanism
(function call, MPK-light, MPK-dss, EPT), measured (median, p99, max) next to the calibrated cost in
cycles, against the raw Atomics ping-pong of two spinning threads on two cores (the floor); the
nested chain A->B->C->B->A; the gate and the chain again beside a CPU-burning process; and the cost
of 1, 2, 3 shared stack variables under stack-to-heap, DSS and shared stacks (Fig. 11b).

options:
  --calls <n>        calls per measurement (default 20000; chains: half as many; the floor and the
                     spinning path: 5 times as many, alternated in ${SPIN_ROUNDS} rounds)
  --policy <name>    the gate wait policy measured as the default: ${WAIT_POLICIES.join(', ')} (default ${DEFAULTS.gates.policy})
  --pin <name>       CPU pinning with that policy: ${PIN_POLICIES.join(', ')} (default one-core for park, spread otherwise)
  --json             print one JSON object on stdout instead of the tables
  --help             this text

The spinning path is always measured with policy spin and pin spread. Progress goes to stderr; the
report ends with each target of the gate issue against its measured value (PASS/MISS) and a
GATE-BENCH line holding the --json object.`;

const OPTIONS = {
  calls: { type: 'string' },
  policy: { type: 'string' },
  pin: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface Stat {
  readonly median: number;
  readonly p99: number;
  readonly max: number;
  /** Calls timed (fewer than asked when the time budget ran out). */
  readonly count: number;
}

interface Target {
  readonly name: string;
  readonly value: number;
  readonly bound: number;
  readonly unit: 'ns' | 'x' | 'cores';
  readonly pass: boolean;
}

const sayStderr = (text: string): void => void process.stderr.write(`gate-bench: ${text}\n`);

function oneOfOption<T extends string>(raw: unknown, name: string, valid: readonly T[]): T | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !(valid as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name}: ${JSON.stringify(raw)} is not valid; expected one of ${valid.join(', ')}`);
  }
  return raw as T;
}

/** Raw Atomics ping-pong between two spinning threads pinned to the two CPUs a spread image uses; ns per round trip. */
async function floorSamples(rounds: number): Promise<Float64Array> {
  const words = new SharedArrayBuffer(256);
  const samples = new SharedArrayBuffer(8 * rounds);
  const url = new URL('../compartments/model/bench-libs/floor-worker.js', import.meta.url);
  const workers = ([0, 1] as const).map((side) => new Worker(url, { workerData: { side, cpu: cpuFor('spread', side + 1), words, samples, rounds } }));
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => w.once('exit', resolve).once('error', reject))));
  return new Float64Array(samples).slice(Math.floor(rounds / 10)); // the first tenth warms up
}

function stat(samples: Float64Array): Stat {
  const sorted = samples.slice().sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
  return { median: at(0.5), p99: at(0.99), max: at(1), count: sorted.length };
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

async function withMachine<T>(config: Configuration, body: (machine: Machine) => Promise<T>): Promise<T> {
  const machine = await Machine.boot(config, { registry: benchRegistry });
  try {
    return await body(machine);
  } finally {
    await machine.shutdown();
  }
}

/** The per-call times of the last run, which the bench library copied into the shared heap. */
async function collect(machine: Machine, library: string): Promise<Float64Array> {
  const count = await machine.run(library, 'count');
  const address = await machine.run(library, 'publish');
  const heap = machine.regions.find((r) => r.kind === 'shared-heap');
  if (address === 0 || !heap || regionOf(address) !== heap.id) throw new FlexosError('FLEXOS_ERR_BENCHMARK', `${library} could not publish its ${count} samples in the shared heap`);
  const offset = offsetOf(address);
  const samples = new Float64Array(heap.buffer.slice(offset, offset + count * 8));
  await machine.run(library, 'release', [address]);
  return samples;
}

async function gateRun(machine: Machine, kind: GateKind, calls: number): Promise<Float64Array> {
  if (kind === 'function') {
    const batches = Math.max(100, Math.floor(calls / 10));
    await machine.run('caller', 'batches', [Math.floor(batches / 10), BATCH]);
    await machine.run('caller', 'batches', [batches, BATCH]);
  } else {
    await machine.run('caller', 'gates', [Math.max(200, Math.floor(calls / 10)), BUDGET_MS / 5]);
    await machine.run('caller', 'gates', [calls, BUDGET_MS]);
  }
  return collect(machine, 'caller');
}

async function chainRun(machine: Machine, chains: number): Promise<Float64Array> {
  await machine.run('chain', 'chains', [Math.max(100, Math.floor(chains / 10)), BUDGET_MS / 5]);
  await machine.run('chain', 'chains', [chains, BUDGET_MS]);
  const errors = await machine.run('chain', 'errors');
  if (errors !== 0) throw new FlexosError('FLEXOS_ERR_BENCHMARK', `the chain A->B->C->B->A returned ${errors} wrong values`);
  return collect(machine, 'chain');
}

/**
 * The floor and the spinning gate, alternated in rounds: the host moves this VM's vCPUs between
 * sibling threads and separate cores, which changes the floor by 4x, so both see the same mix.
 */
async function floorAndSpin(calls: number, rounds: number): Promise<{ floor: Stat; spin: Stat }> {
  const floor: Float64Array[] = [];
  const spin: Float64Array[] = [];
  const per = Math.ceil(calls / rounds);
  for (let round = 0; round < rounds; round++) {
    floor.push(await floorSamples(per));
    spin.push(await withMachine(gateImage('mpk-light', { policy: 'spin', pin: 'spread' }), (m) => gateRun(m, 'mpk-light', per)));
  }
  return { floor: stat(concat(floor)), spin: stat(concat(spin)) };
}

async function stackRun(strategy: StackStrategy, calls: number): Promise<number[]> {
  return withMachine(stackImage(strategy), async (machine) => {
    const batches = Math.max(100, Math.floor(calls / 20));
    const perCall: number[] = [];
    for (const vars of [0, 1, 2, 3]) {
      await machine.run('stackvars', 'frames', [Math.floor(batches / 10), BATCH, vars]);
      perCall.push(await machine.run('stackvars', 'frames', [batches, BATCH, vars]));
    }
    return perCall;
  });
}

type Measure = (config: Configuration, body: (machine: Machine) => Promise<Float64Array>) => Promise<Stat>;

/**
 * Runs measurements beside a CPU burner. Each image boots before its window opens and shuts down
 * after it closes, so only one image runs at a time; the burner's share is its CPU time over the windows.
 */
async function besideBurner<T>(cpu: number | null, body: (measure: Measure) => Promise<T>): Promise<T & { burnerCores: number | null; burnerAloneCores: number | null }> {
  const burner = await Burner.start(cpu);
  let cpuNs = 0;
  let wallNs = 0;
  try {
    const alone = burner.window();
    await new Promise((resolve) => setTimeout(resolve, BURNER_ALONE_MS));
    const a = alone.end();
    const burnerAloneCores = Number.isFinite(a.cpuNs) && a.wallNs > 0 ? a.cpuNs / a.wallNs : null;
    const result = await body((config, run) =>
      withMachine(config, async (machine) => {
        const window = burner.window();
        try {
          return stat(await run(machine));
        } finally {
          const w = window.end();
          cpuNs += w.cpuNs;
          wallNs += w.wallNs;
        }
      }),
    );
    return { ...result, burnerCores: Number.isFinite(cpuNs) && wallNs > 0 ? cpuNs / wallNs : null, burnerAloneCores };
  } finally {
    await burner.stop();
  }
}

export interface GateBenchOptions {
  /** Calls per measurement (see --calls). */
  readonly calls: number;
  /** The gate wait policy measured as the default (default: the configuration default). */
  readonly policy?: WaitPolicy;
  /** CPU pinning with that policy (default: one-core for park, spread otherwise). */
  readonly pin?: PinPolicy;
  /** Progress lines (default: stderr, prefixed `gate-bench:`). */
  readonly say?: (text: string) => void;
}

export type GateBenchReport = ReturnType<typeof jsonReport>;

/** The whole benchmark as a function: the object `--json` prints (scripts/paper.ts reuses it for Fig. 11). */
export async function runGateBench(options: GateBenchOptions): Promise<GateBenchReport> {
  return jsonReport(await measure(options));
}

async function main(): Promise<number> {
  const { values } = parseCommandLine(process.argv.slice(2), OPTIONS, USAGE);
  if (values['help']) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const calls = numberOption(values, 'calls', 20_000, { min: 100, max: 10_000_000, integer: true });
  const policy = oneOfOption(values['policy'], 'policy', WAIT_POLICIES);
  const pin = oneOfOption(values['pin'], 'pin', PIN_POLICIES);
  const results = await measure({ calls, ...(policy ? { policy } : {}), ...(pin ? { pin } : {}) });
  const report = jsonReport(results);
  if (values['json'] === true) process.stdout.write(JSON.stringify(report) + '\n');
  else printReport(results, report);
  return 0;
}

/** Parking and yielding compartments share one CPU; spinners need one each. */
function defaultPin(policy: WaitPolicy): PinPolicy {
  return policy === 'park' || policy === 'yield' ? 'one-core' : 'spread';
}

async function measure(options: GateBenchOptions): Promise<Results> {
  const { calls } = options;
  const say = options.say ?? sayStderr;
  const policy: WaitPolicy = options.policy ?? DEFAULTS.gates.policy;
  const pin: PinPolicy = options.pin ?? defaultPin(policy);
  const chains = Math.max(100, Math.floor(calls / 2));
  const gates: GateOptions = { policy, pin };
  say(`floor (raw Atomics ping-pong, two spinning threads on CPUs ${cpuFor('spread', 1)} and ${cpuFor('spread', 2)}) and the mpk-light gate on the spinning path (spin, spread): ${SPIN_ROUNDS} rounds of ${Math.ceil((calls * 5) / SPIN_ROUNDS)} each`);
  const { floor, spin } = await floorAndSpin(calls * 5, SPIN_ROUNDS);

  const rows: { gate: GateKind; stat: Stat }[] = [];
  for (const kind of GATES) {
    say(`${kind}: policy ${policy}, pin ${pin}, ${calls} calls`);
    rows.push({ gate: kind, stat: stat(await withMachine(gateImage(kind, gates), (m) => gateRun(m, kind, calls))) });
  }
  say(`chain A->B->C->B->A: policy ${policy}, pin ${pin}, ${chains} chains`);
  const chain = stat(await withMachine(chainImage(gates), (m) => chainRun(m, chains)));

  const burnerCpu = loadGeneratorCpu(pin);
  say(`loaded: the mpk-light gate and the chain again beside a CPU burner (${burnerCpu === null ? 'not pinned' : `pinned to CPU ${burnerCpu}`})`);
  // one-core gives the images CPU 0 and the burner CPU 1: V8's compiler and collector threads go
  // with the images for this part, or they run beside the burner whenever CPU 0 is busy (15% of
  // its CPU under the yield policy). Not for the rows above: the floor spins on both CPUs.
  const wholeProcess = pin === 'one-core' && pinProcess(0);
  let loaded;
  try {
    loaded = await besideBurner(burnerCpu, async (measure) => ({
      gate: await measure(gateImage('mpk-light', gates), (m) => gateRun(m, 'mpk-light', calls)),
      chain3: await measure(chainImage(gates), (m) => chainRun(m, chains)),
    }));
  } finally {
    if (wholeProcess) pinProcess(`0-${MACHINE_CPUS - 1}`);
  }

  say('shared stack variables (Fig. 11b): stack-to-heap, DSS, shared stacks');
  const stack: Record<StackStrategy, number[]> = { heap: [], dss: [], shared: [] };
  for (const strategy of STRATEGIES) stack[strategy] = await stackRun(strategy, calls);

  return { policy, pin, calls, floor, spin, rows, chain, loaded, burnerCpu, stack };
}

interface Results {
  readonly policy: WaitPolicy;
  readonly pin: PinPolicy;
  readonly calls: number;
  readonly floor: Stat;
  readonly spin: Stat;
  readonly rows: readonly { readonly gate: GateKind; readonly stat: Stat }[];
  readonly chain: Stat;
  readonly loaded: { readonly gate: Stat; readonly chain3: Stat; readonly burnerCores: number | null; readonly burnerAloneCores: number | null };
  readonly burnerCpu: number | null;
  readonly stack: Readonly<Record<StackStrategy, readonly number[]>>;
}

/** The issue's targets, in one run: the spinning path near the floor, the default policy bounded with and without a burner. */
function targets(r: Results): Target[] {
  const light = r.rows.find((row) => row.gate === 'mpk-light')?.stat ?? r.spin;
  return [
    target('spin gate / floor', r.spin.median / r.floor.median, 1.5, 'x'),
    target(`${r.policy} gate median`, light.median, 12_000, 'ns'),
    target(`${r.policy} gate p99`, light.p99, 60_000, 'ns'),
    target(`${r.policy} chain3 median`, r.chain.median, 35_000, 'ns'),
    target(`${r.policy} chain3 p99`, r.chain.p99, 100_000, 'ns'),
    target('loaded gate median', r.loaded.gate.median, 12_000, 'ns'),
    target('loaded gate p99', r.loaded.gate.p99, 60_000, 'ns'),
    target('loaded chain3 median', r.loaded.chain3.median, 35_000, 'ns'),
    target('loaded chain3 p99', r.loaded.chain3.p99, 100_000, 'ns'),
    target('burner cores', r.loaded.burnerCores ?? Number.NaN, 0.9, 'cores'),
  ];
}

function target(name: string, value: number, bound: number, unit: Target['unit']): Target {
  const pass = Number.isFinite(value) && (unit === 'x' ? value <= bound : unit === 'cores' ? value >= bound : value < bound);
  return { name, value, bound, unit, pass };
}

const round = (v: number, digits = 0): number | null => (Number.isFinite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : null);

/** The issue's JSON shape first; the keys after `loaded` are extras for the README and the integrator. */
function jsonReport(r: Results) {
  return {
    floor_ns: round(r.floor.median),
    policy: r.policy,
    rows: r.rows.map((row) => ({ gate: row.gate, measured_ns: round(row.stat.median, 1), p99_ns: round(row.stat.p99, 1), modelled_cycles: DEFAULT_GATE_CYCLES[row.gate] })),
    chain3_ns: round(r.chain.median),
    chain3_p99_ns: round(r.chain.p99),
    spin: { gate_ns: round(r.spin.median), gate_p99_ns: round(r.spin.p99) },
    loaded: {
      gate_ns: round(r.loaded.gate.median),
      gate_p99_ns: round(r.loaded.gate.p99),
      chain3_ns: round(r.loaded.chain3.median),
      chain3_p99_ns: round(r.loaded.chain3.p99),
      burner_cores: round(r.loaded.burnerCores ?? Number.NaN, 3),
    },
    pin: r.pin,
    calls: r.calls,
    floor_p99_ns: round(r.floor.p99),
    burner_alone_cores: round(r.loaded.burnerAloneCores ?? Number.NaN, 3),
    stack_vars: [1, 2, 3].map((n, i) => ({
      vars: n,
      heap_ns: round(r.stack.heap[n] ?? Number.NaN, 1),
      dss_ns: round(r.stack.dss[n] ?? Number.NaN, 1),
      shared_ns: round(r.stack.shared[n] ?? Number.NaN, 1),
      paper_cycles: { heap: PAPER_STACK_CYCLES.heap[i], dss: PAPER_STACK_CYCLES.dss[i], shared: PAPER_STACK_CYCLES.shared[i] },
    })),
    targets: targets(r).map((t) => ({ name: t.name, value: round(t.value, 3), bound: t.bound, pass: t.pass })),
  };
}

const ns = (v: number): string => (Number.isFinite(v) ? (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1)) : 'n/a');

function printReport(r: Results, report: ReturnType<typeof jsonReport>): void {
  const out = (line = ''): void => void process.stdout.write(line + '\n');
  const ghz = DEFAULTS.costModel.clockGhz;
  const short = (s: Stat, asked: number): string => (s.count < asked ? ` (${s.count} of ${asked}: time budget)` : '');
  const modelled = (cycles: number): [string, string] => [String(cycles), (cycles / ghz).toFixed(1)];
  out(`Gate latency, empty function (paper Fig. 11a): policy ${r.policy}, pin ${r.pin}, ${r.calls} calls; model at ${ghz} GHz`);
  const rows: string[][] = [['floor: raw Atomics ping-pong, 2 spinning threads on 2 cores', ns(r.floor.median), ns(r.floor.p99), ns(r.floor.max), '', '']];
  for (const { gate, stat } of r.rows) {
    const label = gate === 'function' ? `function call (timed in batches of ${BATCH})` : gate + short(stat, r.calls);
    rows.push([label, ns(stat.median), ns(stat.p99), ns(stat.max), ...modelled(DEFAULT_GATE_CYCLES[gate])]);
  }
  const chainCycles = 6 * DEFAULT_GATE_CYCLES['mpk-light'];
  rows.push([`chain A->B->C->B->A, mpk-light, 6 crossings${short(r.chain, Math.max(100, Math.floor(r.calls / 2)))}`, ns(r.chain.median), ns(r.chain.p99), ns(r.chain.max), ...modelled(chainCycles)]);
  rows.push([`mpk-light, spinning path (spin, spread)${short(r.spin, r.calls * 5)}`, ns(r.spin.median), ns(r.spin.p99), ns(r.spin.max), ...modelled(DEFAULT_GATE_CYCLES['mpk-light'])]);
  for (const l of formatTable(['gate', 'median ns', 'p99 ns', 'max ns', 'model cycles', 'model ns'], rows)) out(l);
  out();
  const share = (v: number | null): string => (v === null ? 'unknown' : v.toFixed(2));
  const where = r.burnerCpu === null ? 'not pinned' : `on CPU ${r.burnerCpu}`;
  out(`Beside a CPU burner (${where}): it kept ${share(r.loaded.burnerCores)} of a core (${share(r.loaded.burnerAloneCores)} alone, before the images booted)`);
  const loaded = [
    ['mpk-light', ns(r.loaded.gate.median), ns(r.loaded.gate.p99), ns(r.loaded.gate.max)],
    ['chain A->B->C->B->A', ns(r.loaded.chain3.median), ns(r.loaded.chain3.p99), ns(r.loaded.chain3.max)],
  ];
  for (const l of formatTable(['gate', 'median ns', 'p99 ns', 'max ns'], loaded)) out(l);
  out();
  out('Shared stack variables (paper Fig. 11b): ns per call of an empty function, measured | paper cycles');
  const stack = [1, 2, 3].map((n) => [String(n), ...STRATEGIES.map((s) => `${ns(r.stack[s][n] ?? Number.NaN)} | ${PAPER_STACK_CYCLES[s][n - 1]}`)]);
  for (const l of formatTable(['vars', 'stack-to-heap', 'dss', 'shared stack'], stack)) out(l);
  out(`(the same function without shared variables: ${STRATEGIES.map((s) => `${s} ${ns(r.stack[s][0] ?? Number.NaN)} ns`).join(', ')})`);
  out();
  const us = (v: number): string => (v / 1000).toFixed(1);
  const shown = (t: Target): string =>
    t.unit === 'ns' ? `${us(t.value)} µs (< ${us(t.bound)})` : t.unit === 'x' ? `${t.value.toFixed(2)}x (<= ${t.bound}x)` : `${t.value.toFixed(2)} (>= ${t.bound})`;
  out('targets: ' + targets(r).map((t) => `${t.name} ${shown(t)} ${t.pass ? 'PASS' : 'MISS'}`).join('; '));
  out('GATE-BENCH ' + JSON.stringify(report));
}

// A command only when started as one: scripts/paper.ts imports runGateBench from this module.
if (/(^|[\\/])gate-bench\.js$/.test(process.argv[1] ?? '')) await runCommand(main);
