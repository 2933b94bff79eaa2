// `node scripts/hardening-bench.js`: what each hardening option costs each library of redis-mpk2.
// Runs the same short redis-benchmark against one image per (library, option), each paired with an
// unhardened image measured just before it; prints GET throughput and the cost vs that baseline.

import { PRESETS } from '../workloads/presets.js';
import { parseConfiguration } from '../compartments/config/parse.js';
import type { Configuration } from '../kernel/abi/schema.js';
import { FlexosError } from '../kernel/abi/errors.js';
import { HARDENING_OPTIONS, type HardeningOption } from '../kernel/abi/library.js';
import { pinCurrentThread } from '../compartments/runtime/pinning.js';
import { libraryRegistry } from '../workloads/registry.js';
import { launch } from '../workloads/launch.js';
import { runAppWorkload } from '../workloads/drive.js';
import { describeConfiguration } from './report.js';
import { commaList, numberOption, parseCommandLine, runCommand } from './cli.js';
import { printTable } from './table.js';
import { mean } from './stats.js';

const PRESET = 'redis-mpk2';
const LIBRARIES = ['redis', 'newlib', 'lwip', 'uksched'] as const;

const USAGE = `usage: node scripts/hardening-bench.js [--requests 20000] [--repeat 3] [--sizes 1] [--libs redis,newlib,lwip,uksched]
                                        [--options kasan,ubsan,stackprotector,cfi,safestack] [--json] [--help]

Boots ${PRESET} unhardened, then once per library and hardening option (that library alone
hardened), drives redis-benchmark -c 30 -P 16 -t get,set against each (best of --repeat runs on
one boot), and prints the measured GET
throughput and its cost relative to an unhardened run measured just before it in the same run.
The image runs on CPU 0, the client on CPU 1.`;

const SERVER_CPU = 0;
const CLIENT_CPU = 1;

interface Row {
  readonly library: string;
  readonly option: string;
  readonly get_rps: number;
  readonly set_rps: number;
  /** GET rps of the unhardened image measured just before this one. */
  readonly baseline_get_rps: number;
  /** 1 - GET rps / baseline GET rps: the share of throughput the option costs. */
  readonly cost: number;
}

const say = (text: string): void => void process.stderr.write(text + '\n');

/** The preset with `library` hardened with `options` (placed where the preset puts it). */
export function hardenedConfiguration(library: string | null, options: readonly HardeningOption[]): Configuration {
  const preset = PRESETS[PRESET]!;
  const base = parseConfiguration(preset.yaml, { registry: libraryRegistry });
  if (library === null || options.length === 0) return base;
  const placement = base.libraries.find((l) => l.name === library);
  if (!placement) throw new RangeError(`${library} is not in ${PRESET}; libraries: ${base.libraries.map((l) => l.name).join(', ')}`);
  const line = `  ${library}: {compartment: ${placement.compartment}, hardening: [${options.join(', ')}]}`;
  const lines = preset.yaml.split('\n');
  const listed = lines.findIndex((l) => l.startsWith(`  ${library}:`));
  if (listed >= 0) lines[listed] = line;
  else lines.splice(lines.indexOf('libraries:') + 1, 0, line);
  return parseConfiguration(lines.join('\n'), { registry: libraryRegistry });
}

function listOption(value: unknown, name: string, valid: readonly string[]): string[] {
  if (value === undefined) return [...valid];
  const items = commaList(value);
  const bad = items.filter((i) => !valid.includes(i));
  if (bad.length || items.length === 0) throw new RangeError(`--${name}: ${JSON.stringify(value)} is not valid; expected a comma-separated subset of ${valid.join(',')}`);
  return items;
}

/** Best of `repeat` client runs on one booted image: interference only ever slows a run down. */
async function measure(config: Configuration, requests: number, sizes: readonly number[], repeat: number): Promise<{ get: number; set: number }> {
  const image = await launch(config, { registry: libraryRegistry, port: 0 });
  try {
    const warn = (line: string): void => void (/warning|error/i.test(line) && say(`  ${line}`));
    let best = { get: 0, set: 0 };
    for (let i = 0; i < repeat; i++) {
      const result = await runAppWorkload(image, { requests, sizes, durationS: 10, runs: 1, cpu: CLIENT_CPU, say: warn });
      const rps = (test: string): number => mean(result.runs.filter((r) => r.test === test).map((r) => r.rps));
      best = { get: Math.max(best.get, rps('get')), set: Math.max(best.set, rps('set')) };
    }
    // A hardening report ends the app's main: a run that lost its server is not a measurement.
    const ended = await Promise.race([image.main.then(() => 'returned', (e: Error) => e.message), Promise.resolve(null)]);
    if (ended !== null) throw new FlexosError('FLEXOS_ERR_BENCHMARK', `${config.name}: the application stopped during the run: ${ended}`);
    return best;
  } finally {
    await image.stop();
  }
}

async function main(): Promise<number> {
  const { values } = parseCommandLine(process.argv.slice(2), {
    requests: { type: 'string' }, repeat: { type: 'string' }, sizes: { type: 'string' }, libs: { type: 'string' }, options: { type: 'string' },
    json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  }, USAGE);
  if (values['help']) return void process.stdout.write(USAGE + '\n'), 0;
  const requests = numberOption(values, 'requests', 20_000, { min: 1000, max: 1e9, integer: true });
  const sizes = String(values['sizes'] ?? '1').split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1 || n > 1 << 20) throw new RangeError(`--sizes: ${JSON.stringify(s)} is not a value size in bytes (1..1048576)`);
    return n;
  });
  const repeat = numberOption(values, 'repeat', 3, { min: 1, max: 100, integer: true });
  const libs = listOption(values['libs'], 'libs', LIBRARIES);
  const options = listOption(values['options'], 'options', HARDENING_OPTIONS) as HardeningOption[];
  pinCurrentThread(SERVER_CPU);

  const rows: Row[] = [];
  const plain = hardenedConfiguration(null, []);
  say(`${PRESET} unhardened (warm-up, not counted) ...`);
  await measure(plain, requests, sizes, 1);
  // Each hardened image is paired with an unhardened run just before it: short runs drift (CPU
  // frequency, the other engineers' load), and a pair sees the same conditions.
  for (const library of libs) {
    for (const option of options) {
      const config = hardenedConfiguration(library, [option]);
      say(`${library} +${option}: ${describeConfiguration(config)} ...`);
      const base = await measure(plain, requests, sizes, repeat);
      const r = await measure(config, requests, sizes, repeat);
      rows.push({ library, option, get_rps: r.get, set_rps: r.set, baseline_get_rps: base.get, cost: 1 - r.get / base.get });
    }
  }
  const baselines = rows.map((r) => r.baseline_get_rps);
  const baseline = mean(baselines);
  const spread = baselines.length ? (Math.max(...baselines) - Math.min(...baselines)) / baseline : 0;

  if (values['json']) {
    process.stdout.write(JSON.stringify({ preset: PRESET, requests, repeat, sizes, baseline: { get_rps: baseline, spread }, rows }) + '\n');
    return 0;
  }
  const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;
  printTable(['library', 'hardening', 'GET rps', 'SET rps', 'baseline GET', 'GET cost'],
    rows.map((r) => [r.library, r.option, Math.round(r.get_rps), Math.round(r.set_rps), Math.round(r.baseline_get_rps), pct(r.cost)]));
  process.stdout.write(`baseline GET ${Math.round(baseline)} rps on average over ${baselines.length} unhardened runs (range ${(100 * spread).toFixed(1)}% of it: costs within that are noise)\n`);
  return 0;
}

await runCommand(main);
