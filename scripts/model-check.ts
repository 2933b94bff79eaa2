// `node scripts/model-check.js`: does the modelled clock repeat? Runs `run.js <preset> --json` several
// times per preset, alone and beside a CPU hog, and prints the modelled figure's mean, its coefficient
// of variation and how far the hog moved it, beside the same for the measured figure; `--ranking`
// runs configurations of the Redis space twice and gives the Spearman correlation of their ranks.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Burner } from '../compartments/model/bench-libs/burner.js';
import { describePricing, modelPricing } from '../compartments/model/pricing.js';
import { expandSpace } from '../compartments/config/space.js';
import { loadPreset, presetNames } from '../workloads/presets.js';
import { appNamed, libraryRegistry } from '../workloads/registry.js';
import { appOf } from '../workloads/launch.js';
import { runOracle } from './explore/oracles.js';
import { numberOption, parseCommandLine, runCommand, UsageError } from './cli.js';
import { coefficientOfVariation, mean, spearman } from './stats.js';
import { printTable } from './table.js';

const CHECK_PRESETS = ['redis-none', 'redis-mpk2', 'redis-mpk3', 'redis-ept2', 'nginx-mpk2', 'sqlite-mpk3'];
const RUN_JS = fileURLToPath(new URL('../../scripts/run.js', import.meta.url));

const USAGE = `usage: node scripts/model-check.js [--presets a,b,...] [--runs 5] [--hog-runs 3] [--ranking N] [--json] [--prices] [--help]

Runs node scripts/run.js <preset> --json --runs times per preset (default: ${CHECK_PRESETS.join(', ')})
with a short workload, then --hog-runs times beside a CPU hog (a busy loop the kernel may put on any
CPU), and prints for the modelled and the measured figure: the mean, the coefficient of variation
(targets for the modelled one: <= 3%) and the hog's shift of the mean (target: <= 5%).
--ranking N: also runs the first N configurations of the paper's Redis space (80 for all) twice and
prints the Spearman correlation of the two rankings by modelled throughput (target: >= 0.97).
--prices prints the price list the model charges (measured once per machine) and exits.
--json prints one JSON object instead of the tables.`;

/** A short workload: thousands of requests counted, short enough to repeat (each app reads its own flags). */
const SHORT = { requests: '30000', sizes: '1', warmup: '10000', duration: '2', runs: '1', count: '500' };
const workloadArgs = (local: boolean): string[] =>
  local ? ['--count', SHORT.count] : ['--requests', SHORT.requests, '--sizes', SHORT.sizes, '--warmup', SHORT.warmup, '--duration', SHORT.duration, '--runs', SHORT.runs];

interface Figures {
  readonly modelled: number;
  readonly measured: number;
  /** What the figures count: rps, Gb/s for iPerf, or seconds for SQLite (lower is better). */
  readonly unit: string;
}

/** One `run.js --json` of a preset or a configuration file; the headline figures. */
async function runOnce(preset: string, options: { readonly local: boolean }): Promise<Figures> {
  const args = [RUN_JS, preset, '--json', ...workloadArgs(options.local)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (status !== 0) throw new UsageError(`run.js ${args.slice(1).join(' ')} exited with ${status}: ${err.trim().split('\n').slice(-3).join(' / ')}`);
  const json = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { throughput_rps?: Figures; throughput_gbps?: Figures; seconds?: Figures };
  if (json.seconds) return { modelled: json.seconds.modelled, measured: json.seconds.measured, unit: 's' };
  if (json.throughput_gbps) return { modelled: json.throughput_gbps.modelled, measured: json.throughput_gbps.measured, unit: 'Gb/s' };
  if (json.throughput_rps) return { modelled: json.throughput_rps.modelled, measured: json.throughput_rps.measured, unit: 'rps' };
  throw new UsageError(`run.js ${args.slice(1).join(' ')} printed no figures`);
}

async function main(): Promise<number> {
  const { values } = parseCommandLine(process.argv.slice(2), {
    presets: { type: 'string' }, runs: { type: 'string' }, 'hog-runs': { type: 'string' }, ranking: { type: 'string' },
    json: { type: 'boolean' }, prices: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  }, USAGE);
  if (values['help']) return void process.stdout.write(USAGE + '\n'), 0;
  const say = (line: string): void => void process.stderr.write(line + '\n');
  if (values['prices']) {
    const config = loadPreset('redis-mpk2', { registry: libraryRegistry });
    for (const line of describePricing(modelPricing(config, { say }), config)) process.stdout.write(line + '\n');
    return 0;
  }
  const presets = values['presets'] === undefined ? CHECK_PRESETS : String(values['presets']).split(',');
  const unknown = presets.filter((p) => !presetNames().includes(p));
  if (unknown.length) throw new UsageError(`--presets: unknown preset ${unknown.join(', ')}; valid: ${presetNames().join(', ')}`);
  const runs = numberOption(values, 'runs', 5, { min: 2, max: 100, integer: true });
  const hogRuns = numberOption(values, 'hog-runs', 3, { min: 0, max: 100, integer: true });
  const ranking = numberOption(values, 'ranking', 0, { min: 0, max: 80, integer: true });
  // Measure the price list before anything is timed, so no run pays for it.
  modelPricing(loadPreset(presets[0]!, { registry: libraryRegistry }), { say });
  const rows: Record<string, unknown>[] = [];
  const total = presets.length * (runs + hogRuns) + 2 * ranking;
  let done = 0;
  const step = (what: string): void => say(`[${++done}/${total}] ${what}`);
  for (const preset of presets) {
    const local = appOf(loadPreset(preset, { registry: libraryRegistry })).local !== undefined;
    const alone: Figures[] = [];
    for (let i = 0; i < runs; i++) {
      step(`${preset}, run ${i + 1} of ${runs}`);
      alone.push(await runOnce(preset, { local }));
    }
    const hogged: Figures[] = [];
    if (hogRuns > 0) {
      const hog = await Burner.start(null);
      try {
        for (let i = 0; i < hogRuns; i++) {
          step(`${preset}, run ${i + 1} of ${hogRuns} beside a CPU hog`);
          hogged.push(await runOnce(preset, { local }));
        }
      } finally {
        await hog.stop();
      }
    }
    const summary = (key: 'modelled' | 'measured') => {
      const xs = alone.map((f) => f[key]);
      const m = mean(xs);
      const hogMean = mean(hogged.map((f) => f[key]));
      return { mean: m, cv: coefficientOfVariation(xs), min: Math.min(...xs), max: Math.max(...xs), hog_mean: hogged.length ? hogMean : null, hog_shift: hogged.length && m !== 0 ? hogMean / m - 1 : null };
    };
    rows.push({ preset, unit: alone[0]?.unit ?? '', runs, hog_runs: hogRuns, modelled: summary('modelled'), measured: summary('measured') });
  }
  let rankingResult: Record<string, unknown> | null = null;
  if (ranking > 0) {
    const space = appNamed('redis').space();
    const points = expandSpace(space, { registry: libraryRegistry }).slice(0, ranking);
    const oracle = runOracle(space, points, 'modelled', { requests: SHORT.requests, sizes: SHORT.sizes });
    const passes: number[][] = [[], []];
    for (const pass of [0, 1]) {
      for (const p of points) {
        step(`ranking pass ${pass + 1}: ${p.label}`);
        passes[pass]!.push((await oracle(p.label)).value);
      }
    }
    rankingResult = { configurations: points.length, spearman: spearman(passes[0]!, passes[1]!), labels: points.map((p) => p.label), pass1: passes[0], pass2: passes[1] };
  }
  if (values['json']) {
    process.stdout.write(JSON.stringify({ presets: rows, ranking: rankingResult }) + '\n');
    return 0;
  }
  const pct = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(2)}%`);
  const fig = (x: number, unit: string): string => (unit === 'rps' ? Math.round(x).toLocaleString('en-US') : `${x.toFixed(unit === 's' ? 4 : 3)} ${unit}`);
  type S = { mean: number; cv: number; hog_shift: number | null };
  printTable(
    ['preset', 'modelled mean', 'modelled CV', 'modelled hog shift', 'measured mean', 'measured CV', 'measured hog shift'],
    rows.map((r) => {
      const m = r['modelled'] as S;
      const s = r['measured'] as S;
      const unit = String(r['unit']);
      return [String(r['preset']), fig(m.mean, unit), pct(m.cv), pct(m.hog_shift), fig(s.mean, unit), pct(s.cv), pct(s.hog_shift)];
    }),
  );
  process.stdout.write(`${runs} runs alone and ${hogRuns} beside a CPU hog per preset; targets for the modelled figure: CV <= 3%, hog shift <= 5%\n`);
  if (rankingResult) process.stdout.write(`ranking of ${String(rankingResult['configurations'])} Redis configurations by modelled GET/s, two passes: Spearman ${(rankingResult['spearman'] as number).toFixed(4)} (target >= 0.97)\n`);
  return 0;
}

if (/(^|[\\/])model-check\.js$/.test(process.argv[1] ?? '')) await runCommand(main);
