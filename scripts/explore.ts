// `node scripts/explore.js <space.yaml | redis | nginx | sqlite | iperf> --metric ... --budget ...`:
// the safest configurations of a space that meet a performance budget, measuring as few as it can
// (scripts/explore/search.ts), with a results file to resume from and an HTML picture of the poset;
// --queue sends the measurements to workers on other machines (scripts/explore/queue.ts).

import { writeFileSync } from 'node:fs';
import { expandSpace } from '../compartments/config/space.js';
import { findApp, libraryRegistry } from '../workloads/registry.js';
import { numberOption, parseCommandLine, runCommand, UsageError } from './cli.js';
import { createProgress } from './progress.js';
import { formatTable } from './table.js';
import { buildPoset } from './explore/poset.js';
import { searchBudget, type Oracle, type SearchResult } from './explore/search.js';
import { resumable } from './explore/results.js';
import { fileOracle, loadSpace, runOracle, runSettings, settingsFingerprint } from './explore/oracles.js';
import { queueOracle, type QueueOracle } from './explore/queue.js';
import { renderHtml, renderSvg } from './explore/picture.js';

const USAGE = `usage: node scripts/explore.js <space.yaml | redis | nginx | sqlite | iperf> --metric <measured|modelled|file> --budget <value> [options]

Finds the safest configurations of an exploration space that meet a performance budget (throughput:
at least the budget; time with --lower-is-better: at most), measuring as few configurations as it can.
It assumes a safer configuration is probably no faster, and says which configurations it skipped and why.

options:
  --metric <m>          measured | modelled: boot each configuration and run the app's workload (short runs),
                        taking the measured or the modelled figure; file: read them from --from
  --budget <value>      requests/s (Redis, Nginx), bytes/s (iPerf), seconds (SQLite)
  --from <table.json>   with --metric file: {"<label>": value, ...} measured elsewhere (with --queue: the
                        path is read on the workers' machines)
  --results <file>      append every measurement (JSON lines) with its settings; a rerun with the same
                        settings resumes from it
  --lower-is-better     the metric is a time (default: the space's own direction)
  --margin <r>          relative noise of one measurement; nearer the budget is repeated (default 0.05)
  --repeats <k>         extra samples before a configuration is called uncertain (default 3)
  --requests <n>        Redis: requests per run (default: the space's, 20000)
  --sizes <list>        Redis: value sizes (default: the space's, 1)
  --duration <s>        Nginx, iPerf: seconds per run (default: the space's)
  --runs <n>            Nginx, iPerf: runs per configuration (default: the space's)
  --count <n>           SQLite: INSERTs (default: the space's)
  --builtin             use the built-in load generator even where the real client is installed
  --queue <redis://host:port>
                        send each measurement to a BullMQ queue in Redis; \`node scripts/explore-worker.js
                        --queue <same>\` on any number of machines measures (one configuration at a time each)
  --concurrency <k>     measurements in flight at once, pairwise incomparable (default: with --queue, the
                        workers on the queue at start, at least 1; else 1)
  --html <file>         write the picture (HTML with inline SVG; the SVG alone beside it, .svg)
  --json                print {"space", "budget", "measured_count", "total", "safest", "uncertain"}
  --help                this text

example: node scripts/explore.js redis --metric modelled --budget 500000 --results redis.jsonl --html redis.html
several machines: node scripts/explore-worker.js --queue redis://10.0.0.1:6379   (on each machine)
                  node scripts/explore.js redis --metric measured --budget 400000 --queue redis://10.0.0.1:6379`;

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
  queue: { type: 'string' },
  concurrency: { type: 'string' },
  html: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

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
  if (metric !== 'file' && values['from'] !== undefined) throw new UsageError(`--from is read only with --metric file (--metric file --from <table.json>); --metric ${metric} measures each configuration itself`);

  const space = loadSpace(positionals[0]!);
  const points = expandSpace(space, { registry: libraryRegistry });
  const poset = buildPoset(points);
  // The bar counts configurations measured against the whole space: the search measures fewer, so its ETA is an upper bound.
  const progress = createProgress('explore');
  const say = progress.say;
  const lowerIsBetter = values['lower-is-better'] === true || space.lowerIsBetter;
  const margin = numberOption(values, 'margin', 0.05, { min: 0, max: 1 });
  const repeats = numberOption(values, 'repeats', 3, { min: 0, max: 100, integer: true });
  const concurrencyGiven = values['concurrency'] === undefined ? undefined : numberOption(values, 'concurrency', 1, { min: 1, max: 1000, integer: true });
  let queue: QueueOracle | undefined;
  let oracle: Oracle;
  if (typeof values['queue'] === 'string') {
    // The workers measure (and read --from on their machines); bad options are refused here, up front.
    if (metric !== 'file') runSettings(space, values);
    const q = await queueOracle(values['queue'], { space: positionals[0]!, metric, values, say });
    // Interrupted: take back the jobs no worker took rather than leave them for nobody.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        say(`${signal}: taking back the queued jobs`);
        void q.close().finally(() => process.exit(130));
      });
    }
    queue = q;
    oracle = q.measure;
  } else {
    oracle = metric === 'file' ? fileOracle(values['from'] as string) : runOracle(space, points, metric, values, { say });
  }
  const results = typeof values['results'] === 'string' ? resumable(oracle, { path: values['results'], space: space.name, metric, settings: settingsFingerprint(space, metric, values) }) : undefined;
  if (results) oracle = results.measure;

  let result: SearchResult;
  try {
    let concurrency = concurrencyGiven ?? 1;
    if (queue && concurrencyGiven === undefined) {
      const workers = await queue.workers();
      concurrency = Math.max(1, workers);
      say(`queue ${queue.address}: ${workers} worker(s) connected; ${concurrency} measurement(s) at a time${workers === 0 ? ' (jobs wait until a worker starts)' : ''}`);
    }
    const measured = new Set<string>();
    progress.start(poset.size, 'first measurement');
    const onSample = (label: string): void => {
      if (measured.has(label)) return progress.update(measured.size, `${label} again`);
      measured.add(label);
      progress.update(measured.size, `measured ${label}`);
    };
    result = await searchBudget(poset, oracle, { budget, lowerIsBetter, margin, repeats, concurrency, onSample });
  } finally {
    progress.stop();
    await queue?.close();
  }

  if (typeof values['html'] === 'string') {
    const picture = { title: `${space.name} exploration`, metric: metric === 'file' ? 'metric' : `${metric} ${findApp(space.app)?.metric ?? 'throughput'}`, poset, result };
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
