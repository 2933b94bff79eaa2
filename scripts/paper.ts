// `node scripts/paper.js <figure>`: the paper's evaluation in simulation, one command per figure
// (fig6 Redis/Nginx configurations, fig9 iPerf, fig10 SQLite, fig11 gates). Prints a table or JSON
// lines, keeps every result in results/paper/ so a long run resumes, and draws the figure (Vega-Lite: spec, SVG, PNG).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findIperf } from '../workloads/iperf/benchmark.js';
import { appNamed } from '../workloads/registry.js';
import { commaList, numberOption, parseCommandLine, type Parsed, runCommand, UsageError } from './cli.js';
import { createProgress } from './progress.js';
import { formatTable } from './table.js';
import { FIG6_APPS, FIG6_FULL, FIG6_QUICK, fig6Points, fig6Rows, fig6Spec, runFig6, type Fig6App } from './paper/fig6.js';
import { FIG9_PRESETS, FIG9_SIZES, fig9Label, fig9Rows, fig9Spec, runFig9 } from './paper/fig9.js';
import { FIG10_PRESETS, fig10Rows, fig10Spec, runFig10 } from './paper/fig10.js';
import { BASELINE_PRESETS, baselinesRows, baselinesSpec, runBaselines } from './paper/baselines.js';
import { FIG11_GATES, fig11Rows, fig11Spec, runFig11 } from './paper/fig11.js';
import type { TopLevelSpec } from 'vega-lite';
import { writeFigure } from './paper/chart.js';
import type { FigureOptions } from './paper/measure.js';
import { ResultStore, type PaperRecord } from './paper/store.js';

const FIGURES = ['fig6', 'fig9', 'fig10', 'fig11', 'baselines'] as const;
type Figure = (typeof FIGURES)[number];

/** results/paper/ at the repository root (this file runs from dist/scripts/). */
const DEFAULT_RESULTS = fileURLToPath(new URL('../../results/paper', import.meta.url));

const USAGE = `usage: node scripts/paper.js <figure> [options]

Reproduces one figure of the paper's evaluation in simulation and prints it as a table (or, with
--json, one JSON object per configuration: {"label", "measured", "modelled", "unit", ...}).

figures:
  fig6    GET throughput of the 80 Redis and the 80 Nginx configurations of the paper's space
          (labels like R1N1S2HL1H); full: redis-benchmark -n 100000 -d 1..5, wrk -d 10s × 5 runs
  fig9    iPerf bandwidth, receive buffers 2^4 .. 2^20 B, ${FIG9_PRESETS.join(', ')}
          (labels like iperf-mpk2-dss/4096); 10 s per point
  fig10   SQLite, time for 5000 INSERTs: ${FIG10_PRESETS.join(', ')}
  fig11   gate latency of an empty function: ${FIG11_GATES.join(', ')} (log scale)
  baselines  Redis GET throughput (fig6's redis-benchmark load) on ${BASELINE_PRESETS.join(', ')}

Every result is appended to <results>/<figure>.jsonl (fig6: fig6-redis.jsonl, fig6-nginx.jsonl) as
soon as it is measured; a rerun keeps the configurations already measured with the same workload
parameters and measures only the rest. Progress goes to stderr.

options:
  --quick             a short run: fig6 and baselines redis -n 10000 -d 1, wrk -d 2s × 1; fig9 1 s
                      per point; fig10 500 INSERTs; fig11 2000 calls
  --only <app>        fig6: redis or nginx only
  --labels <a,b,...>  only these configurations (fig6 labels, fig9 preset/size, fig10 and baselines presets)
  --requests <n>      fig6 and baselines Redis: requests per redis-benchmark run
  --sizes <list>      fig6 and baselines Redis: value sizes (default 1,2,3,4,5); fig9: buffer sizes in bytes
  --duration <s>      fig6 Nginx: seconds per wrk run; fig9: seconds per iperf point
  --runs <n>          fig6 Nginx: wrk runs
  --count <n>         fig10: INSERTs per preset
  --calls <n>         fig11: calls per measurement (default 20000; the paper: 1000000)
  --fresh             measure the selected configurations again (drops their stored results)
  --plot              also draw the figure: <results>/<figure>.vl.json (its Vega-Lite spec, to
                      restyle), <figure>.svg and <figure>.png
  --results <dir>     where results go (default results/paper at the repository root)
  --json              one JSON object per configuration on stdout instead of the table
  --help              this text

example: node scripts/paper.js fig6 --quick --only redis --plot`;

const OPTIONS = {
  quick: { type: 'boolean' },
  only: { type: 'string' },
  labels: { type: 'string' },
  requests: { type: 'string' },
  sizes: { type: 'string' },
  duration: { type: 'string' },
  runs: { type: 'string' },
  count: { type: 'string' },
  calls: { type: 'string' },
  fresh: { type: 'boolean' },
  plot: { type: 'boolean' },
  results: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Progress on stderr: the `paper: ` lines, and on a terminal a bar with ETA over the configurations. */
const progress = createProgress('paper', { prefix: 'paper: ' });
const say = progress.say;

function sizesOption(values: Parsed['values'], fallback: readonly number[], max: number): number[] {
  const raw = values['sizes'];
  if (raw === undefined) return [...fallback];
  const sizes = String(raw).split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > max)) throw new UsageError(`--sizes: ${JSON.stringify(raw)} is not a comma-separated list of integers from 1 to ${max}`);
  return sizes;
}

/** --labels checked against the figure's labels, so a typo is an error rather than an empty run. */
function labelsOption(values: Parsed['values'], valid: readonly string[]): string[] | undefined {
  const raw = values['labels'];
  if (raw === undefined) return undefined;
  const labels = commaList(raw);
  const unknown = labels.filter((l) => !valid.includes(l));
  if (labels.length === 0 || unknown.length > 0) {
    const shown = valid.length > 12 ? `${valid.slice(0, 12).join(', ')}, ... (${valid.length} in all)` : valid.join(', ');
    throw new UsageError(`--labels: unknown ${unknown.join(', ') || '(none given)'}; valid: ${shown}`);
  }
  return labels;
}

function refuse(values: Parsed['values'], figure: Figure, names: readonly string[]): void {
  const given = names.filter((n) => values[n] !== undefined);
  if (given.length) throw new UsageError(`${given.map((n) => `--${n}`).join(', ')}: not an option of ${figure} (see --help)`);
}

interface Table {
  readonly title: string;
  readonly header: string[];
  readonly rows: (string | number)[][];
  readonly notes: string[];
}

interface Outcome {
  readonly tables: Table[];
  /** The figure as a Vega-Lite spec, or null when nothing is measured yet. */
  readonly spec: () => TopLevelSpec | null;
}

function openStore(dir: string, name: string, fresh: boolean, selected: (label: string) => boolean): ResultStore {
  const store = ResultStore.open(join(dir, `${name}.jsonl`));
  if (fresh) {
    const n = store.forget(selected);
    if (n > 0) say(`--fresh: dropped ${n} stored result${n === 1 ? '' : 's'} from ${store.path}`);
  }
  return store;
}

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine(process.argv.slice(2), OPTIONS, USAGE);
  if (values['help']) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one figure (${FIGURES.join(', ')}), got ${positionals.length ? positionals.join(' ') : 'none'}\n\n${USAGE}`);
  const figure = positionals[0]! as Figure;
  if (!FIGURES.includes(figure)) throw new UsageError(`unknown figure ${JSON.stringify(positionals[0])}; valid figures: ${FIGURES.join(', ')}`);
  const quick = values['quick'] === true;
  const fresh = values['fresh'] === true;
  const json = values['json'] === true;
  const dir = typeof values['results'] === 'string' ? values['results'] : DEFAULT_RESULTS;
  mkdirSync(dir, { recursive: true });
  const onRecord = json ? (r: PaperRecord): void => void process.stdout.write(JSON.stringify(r) + '\n') : undefined;
  const failed: string[] = [];
  const common: FigureOptions = { say, progress, onFailure: (label) => void failed.push(label), ...(onRecord ? { onRecord } : {}) };
  process.once('SIGINT', () => {
    progress.stop();
    say(`interrupted: every result measured so far is kept in ${dir}; run the same command again to resume`);
    process.exit(130);
  });

  let outcome: Outcome;
  if (figure === 'fig11') {
    refuse(values, figure, ['only', 'labels', 'requests', 'sizes', 'duration', 'runs', 'count']);
    const calls = numberOption(values, 'calls', quick ? 2000 : 20_000, { min: 100, max: 10_000_000, integer: true });
    const store = openStore(dir, 'fig11', fresh, () => true);
    const records = await runFig11(store, { ...common, calls });
    outcome = { tables: [{ title: 'Fig. 11: gate latency, empty function', ...fig11Rows(records) }], spec: () => (records.length ? fig11Spec(records) : null) };
  } else if (figure === 'baselines') {
    refuse(values, figure, ['only', 'duration', 'runs', 'count', 'calls']);
    const base = quick ? FIG6_QUICK : FIG6_FULL;
    const workload = { ...base, requests: numberOption(values, 'requests', base.requests, { min: 1, max: 1e9, integer: true }), sizes: sizesOption(values, base.sizes, 1024 * 1024) };
    const presets = labelsOption(values, BASELINE_PRESETS);
    const store = openStore(dir, 'baselines', fresh, (l) => !presets || presets.includes(l));
    const records = await runBaselines(store, { ...common, workload, ...(presets ? { presets } : {}) });
    outcome = { tables: [{ title: 'Redis against its baselines', ...baselinesRows(records) }], spec: () => (records.length ? baselinesSpec(records) : null) };
  } else if (figure === 'fig10') {
    refuse(values, figure, ['only', 'requests', 'sizes', 'duration', 'runs', 'calls']);
    const count = numberOption(values, 'count', quick ? 500 : 5000, { min: 1, max: 1e7, integer: true });
    const presets = labelsOption(values, FIG10_PRESETS);
    const store = openStore(dir, 'fig10', fresh, (l) => !presets || presets.includes(l));
    const records = await runFig10(store, { ...common, count, ...(presets ? { presets } : {}) });
    outcome = { tables: [{ title: 'Fig. 10: SQLite INSERTs', ...fig10Rows(records) }], spec: () => (records.length ? fig10Spec(records) : null) };
  } else if (figure === 'fig9') {
    refuse(values, figure, ['only', 'requests', 'runs', 'count', 'calls']);
    if (!findIperf()) throw new UsageError('fig9 needs iperf (Debian package iperf; scripts/install.sh installs it)');
    const durationS = numberOption(values, 'duration', quick ? 1 : 10, { min: 1, max: 600, integer: true });
    const sizes = sizesOption(values, FIG9_SIZES, 1 << 24);
    const all = FIG9_PRESETS.flatMap((p) => sizes.map((s) => fig9Label(p, s)));
    const labels = labelsOption(values, all);
    const chosen = labels ?? all;
    const presets = FIG9_PRESETS.filter((p) => chosen.some((l) => l.startsWith(p + '/')));
    const store = openStore(dir, 'fig9', fresh, (l) => chosen.includes(l));
    const records = (await runFig9(store, { ...common, durationS, presets, sizes })).filter((r) => chosen.includes(r.label));
    outcome = { tables: [{ title: 'Fig. 9: iPerf bandwidth by receive buffer size', ...fig9Rows(records) }], spec: () => (records.length ? fig9Spec(records) : null) };
  } else {
    refuse(values, figure, ['count', 'calls']);
    const only = values['only'];
    if (only !== undefined && !FIG6_APPS.includes(only as Fig6App)) throw new UsageError(`--only: ${JSON.stringify(only)} is not valid; expected one of ${FIG6_APPS.join(', ')}`);
    const apps = only === undefined ? FIG6_APPS : [only as Fig6App];
    const base = quick ? FIG6_QUICK : FIG6_FULL;
    const workload = {
      requests: numberOption(values, 'requests', base.requests, { min: 1, max: 1e9, integer: true }),
      sizes: sizesOption(values, base.sizes, 1024 * 1024),
      durationS: numberOption(values, 'duration', base.durationS, { min: 1, max: 3600, integer: true }),
      runs: numberOption(values, 'runs', base.runs, { min: 1, max: 100, integer: true }),
    };
    const labels = labelsOption(values, fig6Points('redis').map((p) => p.label));
    const byApp: { app: Fig6App; records: PaperRecord[] }[] = [];
    for (const app of apps) {
      const store = openStore(dir, `fig6-${app}`, fresh, (l) => !labels || labels.includes(l));
      byApp.push({ app, records: await runFig6(store, { ...common, app, workload, ...(labels ? { labels } : {}) }) });
    }
    outcome = {
      tables: byApp.map(({ app, records }) => ({ title: `Fig. 6: ${appNamed(app).title} GET throughput`, ...fig6Rows(app, records) })),
      spec: () => (byApp.some((a) => a.records.length) ? fig6Spec(byApp) : null),
    };
  }

  if (!json) {
    const out = (line = ''): void => void process.stdout.write(line + '\n');
    for (const table of outcome.tables) {
      out(table.title);
      for (const line of formatTable(table.header, table.rows)) out(line);
      for (const note of table.notes) out(note);
      out();
    }
  }
  if (values['plot'] === true) {
    const spec = outcome.spec();
    if (spec === null) say('--plot: nothing measured, no chart written');
    else {
      const written = await writeFigure(dir, figure, spec);
      say(`chart written to ${written.svg} and ${written.png}; its Vega-Lite spec (restyle it, e.g. in the Vega editor) to ${written.spec}`);
    }
  }
  if (failed.length > 0) {
    say(`${failed.length} configuration${failed.length === 1 ? '' : 's'} failed and ${failed.length === 1 ? 'is' : 'are'} not in the results: ${failed.join(', ')}; run the same command again to retry ${failed.length === 1 ? 'it' : 'them'}`);
    return 1;
  }
  return 0;
}

await runCommand(main);
