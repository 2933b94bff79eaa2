// `node scripts/gate-bench.js`: the paper's Fig. 11 in simulation. Gate latency of an empty function
// per mechanism against the raw Atomics floor measured in the same run, the nested chain
// A->B->C->B->A, both again beside a CPU burner, and the cost of shared stack variables (Fig. 11b).

import { Worker } from 'node:worker_threads';
import { DEFAULTS, DEFAULT_GATE_CYCLES, PIN_POLICIES, WAIT_POLICIES, type PinPolicy, type StackStrategy, type WaitPolicy } from '../compartments/config/schema.js';
import type { Configuration } from '../compartments/config/schema.js';
import type { GateKind } from '../compartments/crossings.js';
import { Machine } from '../compartments/host.js';
import { cpuFor, loadGeneratorCpu } from '../compartments/pinning.js';
import { benchRegistry, chainImage, gateImage, stackImage, type GateOptions } from './bench-libs/registry.js';
import { Burner } from './bench-libs/burner.js';
import { numberOption, parseCommandLine, runCommand, UsageError } from './cli.js';
import { formatTable } from './table.js';

const USAGE = `usage: node scripts/gate-bench.js [options]

The paper's Fig. 11 in simulation: the latency of a gate to an empty function for each mechanism
(function call, MPK-light, MPK-dss, EPT), measured (median, p99, max) next to the calibrated cost in
cycles, against the raw Atomics ping-pong of two spinning threads on two cores (the floor); the
nested chain A->B->C->B->A; the gate and the chain again beside a CPU-burning process; and the cost
of 1, 2, 3 shared stack variables under stack-to-heap, DSS and shared stacks (Fig. 11b).

options:
  --calls <n>        calls per measurement (default 20000; chains: half as many)
  --policy <name>    the gate wait policy measured as the default: ${WAIT_POLICIES.join(', ')} (default ${DEFAULTS.gates.policy})
  --pin <name>       CPU pinning with that policy: ${PIN_POLICIES.join(', ')} (default one-core for park, spread otherwise)
  --json             print one JSON object on stdout instead of the tables
  --help             this text

The spinning path is always measured with policy spin and pin spread. Progress goes to stderr.`;

const OPTIONS = {
  calls: { type: 'string' },
  policy: { type: 'string' },
  pin: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const GATES: readonly GateKind[] = ['function', 'mpk-light', 'mpk-dss', 'ept'];
const STRATEGIES: readonly StackStrategy[] = ['heap', 'dss', 'shared'];
/** Paper Fig. 11b, cycles per call of an empty function with N shared stack variables. */
const PAPER_STACK_CYCLES: Readonly<Record<StackStrategy, readonly number[]>> = { heap: [66, 140, 218], dss: [2, 2, 2], shared: [2, 2, 2] };
/** A plain call is far shorter than a clock read: it is timed in batches of this many calls. */
const BATCH = 200;

interface Stat {
  readonly median: number;
  readonly p99: number;
  readonly max: number;
}

interface Target {
  readonly name: string;
  readonly value: number;
  readonly bound: number;
  readonly unit: string;
  readonly pass: boolean;
}

const say = (text: string): void => void process.stderr.write(`gate-bench: ${text}\n`);

function oneOfOption<T extends string>(raw: unknown, name: string, valid: readonly T[]): T | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !(valid as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name}: ${JSON.stringify(raw)} is not valid; expected one of ${valid.join(', ')}`);
  }
  return raw as T;
}

/** Raw Atomics ping-pong between two spinning threads pinned to the two CPUs a spread image uses. */
async function measureFloor(rounds: number): Promise<Stat> {
  const words = new SharedArrayBuffer(256);
  const samples = new SharedArrayBuffer(8 * rounds);
  const url = new URL('./bench-libs/floor-worker.js', import.meta.url);
  const workers = ([0, 1] as const).map((side) => new Worker(url, { workerData: { side, cpu: cpuFor('spread', side + 1), words, samples, rounds } }));
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => w.once('exit', resolve).once('error', reject))));
  return stat(new Float64Array(samples).slice(Math.floor(rounds / 10)).sort());
}

function stat(sorted: Float64Array): Stat {
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
  return { median: at(0.5), p99: at(0.99), max: at(1) };
}

async function withMachine<T>(config: Configuration, body: (machine: Machine) => Promise<T>): Promise<T> {
  const machine = await Machine.boot(config, { registry: benchRegistry });
  try {
    return await body(machine);
  } finally {
    await machine.shutdown();
  }
}

async function quantiles(machine: Machine, library: string): Promise<Stat> {
  const q = (permille: number): Promise<number> => machine.run(library, 'quantile', [permille]);
  return { median: await q(500), p99: await q(990), max: await q(1000) };
}

async function gateRun(machine: Machine, kind: GateKind, calls: number): Promise<Stat> {
  if (kind === 'function') {
    const batches = Math.max(100, Math.floor(calls / 10));
    await machine.run('caller', 'batches', [Math.floor(batches / 10), BATCH]);
    await machine.run('caller', 'batches', [batches, BATCH]);
  } else {
    await machine.run('caller', 'gates', [Math.max(200, Math.floor(calls / 10))]);
    await machine.run('caller', 'gates', [calls]);
  }
  return quantiles(machine, 'caller');
}

async function chainRun(machine: Machine, chains: number): Promise<Stat> {
  await machine.run('chain', 'chains', [Math.max(100, Math.floor(chains / 10))]);
  await machine.run('chain', 'chains', [chains]);
  const errors = await machine.run('chain', 'errors');
  if (errors !== 0) throw new Error(`the chain A->B->C->B->A returned ${errors} wrong values`);
  return quantiles(machine, 'chain');
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

type Measure = (config: Configuration, body: (machine: Machine) => Promise<Stat>) => Promise<Stat>;

/**
 * Runs measurements beside a CPU burner. Each image boots before its window opens and shuts down
 * after it closes, so only one image runs at a time; the burner's share is its CPU time over the windows.
 */
async function besideBurner<T>(cpu: number | null, body: (measure: Measure) => Promise<T>): Promise<T & { burnerCores: number | null }> {
  const burner = await Burner.start(cpu);
  let cpuNs = 0;
  let wallNs = 0;
  try {
    const result = await body((config, run) =>
      withMachine(config, async (machine) => {
        const window = burner.window();
        try {
          return await run(machine);
        } finally {
          const w = window.end();
          cpuNs += w.cpuNs;
          wallNs += w.wallNs;
        }
      }),
    );
    return { ...result, burnerCores: Number.isFinite(cpuNs) && wallNs > 0 ? cpuNs / wallNs : null };
  } finally {
    await burner.stop();
  }
}

const ns = (v: number): string => (Number.isFinite(v) ? (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1)) : 'n/a');
const us = (v: number): string => (v / 1000).toFixed(1);

async function main(): Promise<number> {
  const { values } = parseCommandLine(process.argv.slice(2), OPTIONS, USAGE);
  if (values['help']) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const calls = numberOption(values, 'calls', 20_000, { min: 100, max: 10_000_000, integer: true });
  const policy: WaitPolicy = oneOfOption(values['policy'], 'policy', WAIT_POLICIES) ?? DEFAULTS.gates.policy;
  const pin: PinPolicy = oneOfOption(values['pin'], 'pin', PIN_POLICIES) ?? (policy === 'park' ? 'one-core' : 'spread');
  const json = values['json'] === true;
  const chains = Math.max(100, Math.floor(calls / 2));
  const gates: GateOptions = { policy, pin };
  const spinning: GateOptions = { policy: 'spin', pin: 'spread' };

  say(`floor: raw Atomics ping-pong, two spinning threads on CPUs ${cpuFor('spread', 1)} and ${cpuFor('spread', 2)}, ${calls * 5} round trips`);
  const floor = await measureFloor(calls * 5);

  say(`spinning path: mpk-light gate, policy spin, pin spread, ${calls * 5} calls`);
  const spin = await withMachine(gateImage('mpk-light', spinning), (m) => gateRun(m, 'mpk-light', calls * 5));

  const rows: { gate: GateKind; stat: Stat }[] = [];
  for (const kind of GATES) {
    say(`${kind}: policy ${policy}, pin ${pin}, ${calls} calls`);
    rows.push({ gate: kind, stat: await withMachine(gateImage(kind, gates), (m) => gateRun(m, kind, calls)) });
  }
  say(`chain A->B->C->B->A: policy ${policy}, pin ${pin}, ${chains} chains`);
  const chain = await withMachine(chainImage(gates), (m) => chainRun(m, chains));

  const burnerCpu = loadGeneratorCpu(pin);
  say(`loaded: the mpk-light gate and the chain again beside a CPU burner (${burnerCpu === null ? 'not pinned' : `pinned to CPU ${burnerCpu}`})`);
  const loaded = await besideBurner(burnerCpu, async (measure) => ({
    gate: await measure(gateImage('mpk-light', gates), (m) => gateRun(m, 'mpk-light', calls)),
    chain3: await measure(chainImage(gates), (m) => chainRun(m, chains)),
  }));

  say('shared stack variables (Fig. 11b): stack-to-heap, DSS, shared stacks');
  const stack: Record<StackStrategy, number[]> = { heap: [], dss: [], shared: [] };
  for (const strategy of STRATEGIES) stack[strategy] = await stackRun(strategy, calls);

  const light = rows.find((r) => r.gate === 'mpk-light')!.stat;
  const targets: Target[] = [
    target('spin gate / floor', spin.median / floor.median, 1.5, 'x'),
    target(`${policy} gate median`, light.median, 12_000, 'ns'),
    target(`${policy} gate p99`, light.p99, 60_000, 'ns'),
    target(`${policy} chain3 median`, chain.median, 35_000, 'ns'),
    target(`${policy} chain3 p99`, chain.p99, 100_000, 'ns'),
    target('loaded gate median', loaded.gate.median, 12_000, 'ns'),
    target('loaded gate p99', loaded.gate.p99, 60_000, 'ns'),
    target('loaded chain3 median', loaded.chain3.median, 35_000, 'ns'),
    target('loaded chain3 p99', loaded.chain3.p99, 100_000, 'ns'),
    { name: 'burner cores', value: loaded.burnerCores ?? Number.NaN, bound: 0.9, unit: 'cores', pass: (loaded.burnerCores ?? 0) >= 0.9 },
  ];

  const round = (v: number): number | null => (Number.isFinite(v) ? Math.round(v) : null);
  const report = {
    floor_ns: round(floor.median),
    policy,
    rows: rows.map((r) => ({ gate: r.gate, measured_ns: round(r.stat.median), p99_ns: round(r.stat.p99), modelled_cycles: DEFAULT_GATE_CYCLES[r.gate] })),
    chain3_ns: round(chain.median),
    chain3_p99_ns: round(chain.p99),
    spin: { gate_ns: round(spin.median), gate_p99_ns: round(spin.p99) },
    loaded: {
      gate_ns: round(loaded.gate.median),
      gate_p99_ns: round(loaded.gate.p99),
      chain3_ns: round(loaded.chain3.median),
      chain3_p99_ns: round(loaded.chain3.p99),
      burner_cores: loaded.burnerCores === null ? null : Math.round(loaded.burnerCores * 1000) / 1000,
    },
    pin,
    calls,
    floor_p99_ns: round(floor.p99),
    stack_vars: [1, 2, 3].map((n) => ({ vars: n, heap_ns: stack.heap[n] ?? null, dss_ns: stack.dss[n] ?? null, shared_ns: stack.shared[n] ?? null })),
    targets: targets.map((t) => ({ name: t.name, value: Number.isFinite(t.value) ? Math.round(t.value * 1000) / 1000 : null, bound: t.bound, pass: t.pass })),
  };
  if (json) {
    process.stdout.write(JSON.stringify(report) + '\n');
    return 0;
  }

  const out = (line = ''): void => void process.stdout.write(line + '\n');
  const mhz = DEFAULTS.costModel.clockGhz;
  out(`Gate latency, empty function (paper Fig. 11a); policy ${policy}, pin ${pin}, ${calls} calls; modelled at ${mhz} GHz`);
  const gateRows: (string | number)[][] = [['floor: raw Atomics ping-pong, 2 spinning threads, 2 cores', ns(floor.median), ns(floor.p99), ns(floor.max), '', '']];
  for (const r of rows) {
    const cycles = DEFAULT_GATE_CYCLES[r.gate];
    gateRows.push([r.gate === 'function' ? `function call (batches of ${BATCH})` : r.gate, ns(r.stat.median), ns(r.stat.p99), ns(r.stat.max), String(cycles), (cycles / mhz).toFixed(1)]);
  }
  gateRows.push(['chain A->B->C->B->A (6 crossings)', ns(chain.median), ns(chain.p99), ns(chain.max), String(6 * DEFAULT_GATE_CYCLES['mpk-light']), ((6 * DEFAULT_GATE_CYCLES['mpk-light']) / mhz).toFixed(1)]);
  gateRows.push(['mpk-light, spinning path (spin, spread)', ns(spin.median), ns(spin.p99), ns(spin.max), String(DEFAULT_GATE_CYCLES['mpk-light']), (DEFAULT_GATE_CYCLES['mpk-light'] / mhz).toFixed(1)]);
  for (const l of formatTable(['gate', 'median ns', 'p99 ns', 'max ns', 'model cycles', 'model ns'], gateRows)) out(l);
  out();
  const share = loaded.burnerCores === null ? 'unknown' : loaded.burnerCores.toFixed(2);
  out(`Beside a CPU burner (${burnerCpu === null ? 'not pinned' : `CPU ${burnerCpu}`}; it kept ${share} of a core)`);
  const loadedRows = [
    ['mpk-light', ns(loaded.gate.median), ns(loaded.gate.p99), ns(loaded.gate.max)],
    ['chain A->B->C->B->A', ns(loaded.chain3.median), ns(loaded.chain3.p99), ns(loaded.chain3.max)],
  ];
  for (const l of formatTable(['gate', 'median ns', 'p99 ns', 'max ns'], loadedRows)) out(l);
  out();
  out(`Shared stack variables (paper Fig. 11b): ns per call of an empty function, measured | paper cycles`);
  const stackRows = [1, 2, 3].map((n) => [String(n), ...STRATEGIES.map((s) => `${ns(stack[s][n] ?? Number.NaN)} | ${PAPER_STACK_CYCLES[s][n - 1]}`)]);
  for (const l of formatTable(['vars', 'stack-to-heap', 'dss', 'shared stack'], stackRows)) out(l);
  out(`(the same function with no shared variable: ${STRATEGIES.map((s) => `${s} ${ns(stack[s][0] ?? Number.NaN)} ns`).join(', ')})`);
  out();
  out('targets: ' + targets.map((t) => `${t.name} ${t.unit === 'ns' ? `${us(t.value)} µs (< ${us(t.bound)})` : t.unit === 'x' ? `${t.value.toFixed(2)}x (<= ${t.bound}x)` : `${t.value.toFixed(2)} (>= ${t.bound})`} ${t.pass ? 'PASS' : 'MISS'}`).join('; '));
  out('GATE-BENCH ' + JSON.stringify(report));
  return 0;
}

function target(name: string, value: number, bound: number, unit: string): Target {
  return { name, value, bound, unit, pass: Number.isFinite(value) && (unit === 'x' ? value <= bound : value < bound) };
}

await runCommand(main);
