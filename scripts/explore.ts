// `node scripts/explore.js <space.yaml | redis | nginx | sqlite | iperf> --metric ... --budget ...`:
// the safest configurations of a space that meet a performance budget, measuring as few as it can
// (scripts/explore/search.ts), with a results file to resume from and an HTML picture of the poset.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expandSpace, loadSpaceFile, paperSpace, type Space, type SpacePoint } from '../compartments/config/space.js';
import { kernelRegistry } from '../kernel/registry.js';
import { launch } from '../workloads/launch.js';
import { runAppWorkload } from '../workloads/drive.js';
import { SqliteImage, modelBench } from '../workloads/sqlite/drive.js';
import { loadGeneratorCpu } from '../compartments/pinning.js';
import type { Calibration } from '../compartments/calibration.js';
import { buildReport, machineCalibration, modelConstants } from './report.js';
import { numberOption, parseCommandLine, runCommand, UsageError } from './cli.js';
import { formatTable } from './table.js';
import { buildPoset } from './explore/poset.js';
import { searchBudget, type Measurement, type Oracle } from './explore/search.js';
import { resumable } from './explore/results.js';
import { renderHtml, renderSvg } from './explore/picture.js';

const USAGE = `usage: node scripts/explore.js <space.yaml | redis | nginx | sqlite | iperf> --metric <measured|modelled|file> --budget <value> [options]

Finds the safest configurations of an exploration space that meet a performance budget (throughput:
at least the budget; time with --lower-is-better: at most), measuring as few configurations as it can.
It assumes a safer configuration is probably no faster, and says which configurations it skipped and why.

options:
  --metric <m>          measured | modelled: boot each configuration and run the app's workload (short runs),
                        taking the measured or the modelled figure; file: read them from --from
  --budget <value>      requests/s (Redis, Nginx), bytes/s (iPerf), seconds (SQLite)
  --from <table.json>   with --metric file: {"<label>": value, ...} measured elsewhere
  --results <file>      append every measurement (JSON lines); a rerun resumes from it
  --lower-is-better     the metric is a time (default: the space's own direction)
  --margin <r>          relative noise of one measurement; nearer the budget is repeated (default 0.05)
  --repeats <k>         extra samples before a configuration is called uncertain (default 3)
  --requests <n>        Redis: requests per run (default: the space's, 20000)
  --sizes <list>        Redis: value sizes (default: the space's, 1)
  --duration <s>        Nginx, iPerf: seconds per run (default: the space's)
  --runs <n>            Nginx, iPerf: runs per configuration (default: the space's)
  --count <n>           SQLite: INSERTs (default: the space's)
  --builtin             use the built-in load generator even where the real client is installed
  --html <file>         write the picture (HTML with inline SVG; the SVG alone beside it, .svg)
  --json                print {"space", "budget", "measured_count", "total", "safest", "uncertain"}
  --help                this text

example: node scripts/explore.js redis --metric modelled --budget 500000 --results redis.jsonl --html redis.html`;

const OPTIONS = {
  metric: { type: 'string' },
  budget: { type: 'string' },
  from: { type: 'string' },
  results: { type: 'string' },
  'lower-is-better': { type: 'boolean' },
  margin: { type: 'string' },
  repeats: { type: 'string' },
  requests: { type: 'string' },
  sizes: { type: 'string' },
  duration: { type: 'string' },
  runs: { type: 'string' },
  count: { type: 'string' },
  builtin: { type: 'boolean' },
  html: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = Record<string, string | boolean | undefined>;

function loadSpace(name: string): Space {
  if (name === 'redis' || name === 'nginx') return paperSpace(name);
  const bundled = new URL(`../../workloads/${name}/space.yaml`, import.meta.url);
  if (/^[a-z]+$/.test(name) && existsSync(bundled)) return loadSpaceFile(bundled.pathname);
  if (!existsSync(name)) throw new UsageError(`no space ${JSON.stringify(name)}: give a space file or one of redis, nginx, sqlite, iperf`);
  return loadSpaceFile(name);
}

function spaceNumber(space: Space, key: string): number | undefined {
  const v = space.workload[key];
  return typeof v === 'number' ? v : undefined;
}

/** Boots each configuration and runs its app's workload; the measured or the modelled figure. */
function runOracle(space: Space, points: readonly SpacePoint[], which: 'measured' | 'modelled', values: Values): Oracle {
  const requests = numberOption(values, 'requests', spaceNumber(space, 'requests') ?? 20_000, { min: 1, max: 1e9, integer: true });
  const rawSizes = values['sizes'] ?? (Array.isArray(space.workload['sizes']) ? space.workload['sizes'].join(',') : '1');
  const sizes = String(rawSizes).split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError(`--sizes: ${JSON.stringify(rawSizes)} is not a list of positive integers`);
  const durationS = numberOption(values, 'duration', spaceNumber(space, 'duration') ?? 2, { min: 1, max: 3600, integer: true });
  const runs = numberOption(values, 'runs', spaceNumber(space, 'runs') ?? 1, { min: 1, max: 100, integer: true });
  const count = numberOption(values, 'count', spaceNumber(space, 'count') ?? 1000, { min: 1, max: 1e7, integer: true });
  const say = (text: string): void => void process.stderr.write(text + '\n');
  let calibration: Calibration | undefined;
  return async (label) => {
    const config = points.find((p) => p.label === label)!.configuration;
    calibration ??= machineCalibration(); // before the first boot: it times kernels on this CPU
    const constants = await modelConstants(config, calibration); // before this configuration boots
    say(`measuring ${label} (${which})`);
    if (space.app === 'sqlite') {
      const image = await SqliteImage.boot(config, { registry: kernelRegistry });
      try {
        const bench = await image.bench(count);
        return { value: modelBench(config, bench, constants).seconds[which] };
      } finally {
        await image.shutdown();
      }
    }
    const image = await launch(config, { registry: kernelRegistry, port: 0 });
    try {
      const result = await runAppWorkload(image, { requests, sizes, durationS, runs, cpu: loadGeneratorCpu(config.gates.pin), say, forceBuiltin: values['builtin'] === true });
      const json = buildReport({ config, result, calibration, gateMachineryNs: constants.gateMachineryNs }).json as { throughput_rps?: Record<string, number>; throughput_gbps?: Record<string, number> };
      // iPerf reports Gb/s; the budget is in bytes/s like the run's own unit.
      const value = json.throughput_rps?.[which] ?? ((json.throughput_gbps?.[which] ?? NaN) * 1e9) / 8;
      return { value };
    } finally {
      await image.stop();
    }
  };
}

function fileOracle(path: string): Oracle {
  let table: Record<string, unknown>;
  try {
    table = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--from ${path}: cannot read a JSON table {"<label>": value} (${(error as Error).message})`);
  }
  return async (label) => {
    const entry = table[label];
    if (typeof entry === 'number') return { value: entry };
    if (typeof entry === 'object' && entry !== null && typeof (entry as Measurement).value === 'number') return entry as Measurement;
    throw new UsageError(`--from ${path}: no value for ${label}`);
  };
}

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine(process.argv.slice(2), OPTIONS, USAGE);
  if (values['help'] || process.argv.length <= 2) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one space, got ${positionals.length ? positionals.join(' ') : 'none'}\n\n${USAGE}`);
  const metric = values['metric'];
  if (metric !== 'measured' && metric !== 'modelled' && metric !== 'file') throw new UsageError(`--metric: expected measured, modelled or file, got ${JSON.stringify(metric)}`);
  if (values['budget'] === undefined) throw new UsageError('--budget is required');
  const budget = numberOption(values, 'budget', 0, { min: -Number.MAX_VALUE, max: Number.MAX_VALUE });
  if (metric === 'file' && typeof values['from'] !== 'string') throw new UsageError('--metric file needs --from <table.json>');

  const space = loadSpace(positionals[0]!);
  const points = expandSpace(space, { registry: kernelRegistry });
  const poset = buildPoset(points);
  const lowerIsBetter = values['lower-is-better'] === true || space.lowerIsBetter;
  let oracle = metric === 'file' ? fileOracle(values['from'] as string) : runOracle(space, points, metric, values);
  const results = typeof values['results'] === 'string' ? resumable(oracle, { path: values['results'], space: space.name, metric }) : undefined;
  if (results) oracle = results.measure;

  const result = await searchBudget(poset, oracle, {
    budget,
    lowerIsBetter,
    margin: numberOption(values, 'margin', 0.05, { min: 0, max: 1 }),
    repeats: numberOption(values, 'repeats', 3, { min: 0, max: 100, integer: true }),
  });

  if (typeof values['html'] === 'string') {
    const picture = { title: `${space.name} exploration`, metric: metric === 'file' ? 'metric' : `${metric} ${space.app === 'sqlite' ? 's' : 'throughput'}`, poset, result };
    writeFileSync(values['html'], renderHtml(picture));
    writeFileSync(values['html'].replace(/\.html?$/, '') + '.svg', renderSvg(picture));
  }
  if (values['json'] === true) {
    process.stdout.write(JSON.stringify({ space: space.name, budget, measured_count: result.measuredCount, total: result.total, safest: result.safest, uncertain: result.uncertain }) + '\n');
    return 0;
  }
  const out = (line: string): void => void process.stdout.write(line + '\n');
  out(`space ${space.name}: ${result.total} configurations; budget: ${metric} ${lowerIsBetter ? '<=' : '>='} ${budget}`);
  out(`safest configurations meeting the budget: ${result.safest.length ? result.safest.join(', ') : 'none'}`);
  if (result.uncertain.length) out(`uncertain (within the noise margin of the budget): ${result.uncertain.join(', ')}`);
  out(`measured ${result.measuredCount} of ${result.total} (${result.samples} samples${results ? `, ${results.replayed()} replayed from ${values['results']}` : ''})`);
  out(`${result.assumption}.`);
  for (const g of result.guarantees) out(`- ${g}`);
  out('');
  for (const line of formatTable(['configuration', 'verdict', 'how', 'why'], result.outcomes.map((o) => [o.label, o.verdict, o.measured ? 'measured' : 'skipped', o.reason]))) out(line);
  return 0;
}

await runCommand(main);
