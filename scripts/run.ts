// `node scripts/run.js <preset>`: boots an image, drives it with the paper's workload for its
// application, and reports what isolation costs: measured and modelled, side by side.

import { loadConfigurationFile } from '../compartments/config/parse.js';
import { isPreset, loadPreset, presetNames, PRESETS } from '../workloads/presets.js';
import type { Configuration } from '../kernel/abi/schema.js';
import { libraryRegistry } from '../workloads/registry.js';
import { launch, appOf, type RunningImage } from '../workloads/launch.js';
import type { App, LocalSide } from '../workloads/app.js';
import { loadGeneratorCpu } from '../compartments/runtime/pinning.js';
import { buildReport, describeConfiguration, printReport } from './report.js';
import { runAppWorkload } from '../workloads/drive.js';
import { numberOption, parseCommandLine, runCommand, UsageError, type Parsed } from './cli.js';
import { modelPricing } from './report.js';
import { readFileSync } from 'node:fs';
import { writeRunReport } from './report/write.js';
import { runInjection, formatInjection, injectionExitCode } from './inject/experiment.js';
import { parseFaultSpec, FAULTS, DEFAULT_AFTER } from '../compartments/host/faults.js';

const USAGE = `usage: node scripts/run.js <preset> [options]
       node scripts/run.js --config file.yaml [options]

Boots a FlexOS image in simulation, runs the paper's workload for its application with the real
client (redis-benchmark for Redis, wrk for Nginx; a built-in generator with the same parameters where the
client is not installed), and prints throughput and latency, measured and modelled, with the gate
crossings per request.

options:
  --config <file>     a configuration file (kraft.yaml shape) instead of a preset
  --list              list the presets
  --serve             boot and keep the image up for any client until Ctrl-C
  --port <n>          host TCP port (default 0: a free one; with --serve, 6379 for Redis)
  --requests <n>      requests per redis-benchmark run (default 100000, the paper's)
  --sizes <list>      value sizes in bytes for Redis runs (default 1,2,3,4,5, the paper's)
  --duration <s>      seconds per wrk run for Nginx (default 10, the paper's)
  --runs <n>          wrk runs for Nginx (default 5, the paper's)
  --warmup <n>        Redis, Nginx with the real client: one untimed run first (Redis: n GET and SET
                      requests, default --requests up to 100000; Nginx: 2 s when n > 0); 0 skips it
  --www <dir>         the directory Nginx serves, packed into the initrd (default: the bundled site)
  --builtin           Redis, Nginx: use the built-in load generator even where the real client is installed
  --maxmemory <size>  Redis: refuse commands that grow memory (-OOM) once the keys hold more than this;
                      bytes or with a unit k, kb, m, mb, g, gb (e.g. 100mb); 0, the default, is no limit
  --count <n>         SQLite: INSERTs for the benchmark, each its own transaction (default 5000, the paper's)
  --sql <statements>  SQLite: run the statements and print the rows (after the benchmark only if --count is given)
  --sql-file <file>   SQLite: the same, with the statements read from a file
  --inject <lib:fault> boot with a fault armed in a library and report how it ends (Redis, Nginx);
                      faults: ${FAULTS.join(', ')}
                      exit 3 stopped (isolation, hardening, watchdog, refused), 4 crashed,
                      5 not stopped (corruption, hang), 6 the fault never fired
  --after <n>         --inject: the fault fires on this entry into the library (default ${DEFAULT_AFTER})
  --timeout-ms <n>    --inject: the gate watchdog for the run (default 2000)
  --cpu <name>        the modelled reference CPU's name (with --clock-ghz and --gate-cycles)
  --clock-ghz <x>     the modelled clock (default the configuration's, 2.2)
  --gate-cycles <l>   modelled gate costs, e.g. mpk-dss=120,ept=500 (kinds: function, mpk-light, mpk-dss, ept;
                      on a baseline image also syscall (146 = Linux without KPTI), ipc, cubicle, pkru-window)
  --json              print one JSON object on stdout instead of the report
  --html <file>       also write the run report page: compartments and gates drawn, throughput, latency
                      distribution, time per compartment, library and gate; one self-contained file
  --from-json <file>  with --html: draw the page of a run saved with --json, without running anything
  --help              this text

example: node scripts/run.js redis-mpk2`;

const OPTIONS = {
  config: { type: 'string' },
  list: { type: 'boolean' },
  serve: { type: 'boolean' },
  port: { type: 'string' },
  requests: { type: 'string' },
  sizes: { type: 'string' },
  duration: { type: 'string' },
  runs: { type: 'string' },
  warmup: { type: 'string' },
  www: { type: 'string' },
  builtin: { type: 'boolean' },
  maxmemory: { type: 'string' },
  count: { type: 'string' },
  sql: { type: 'string' },
  'sql-file': { type: 'string' },
  json: { type: 'boolean' },
  html: { type: 'string' },
  'from-json': { type: 'string' },
  cpu: { type: 'string' },
  'clock-ghz': { type: 'string' },
  'gate-cycles': { type: 'string' },
  inject: { type: 'string' },
  after: { type: 'string' },
  'timeout-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function listPresets(): string {
  const runnable = new Set(presetNames().filter((n) => isRunnable(n)));
  return presetNames()
    .map((n) => `  ${n.padEnd(18)} ${PRESETS[n]!.description}${runnable.has(n) ? '' : '  [application not built yet]'}`)
    .join('\n');
}

function isRunnable(name: string): boolean {
  try {
    loadPreset(name, { registry: libraryRegistry });
    return true;
  } catch {
    return false;
  }
}

function configurationFrom(values: Record<string, unknown>, positionals: string[]): Configuration {
  if (typeof values['config'] === 'string') {
    if (positionals.length > 0) throw new UsageError(`give a preset or --config, not both (got ${positionals.join(' ')} and --config ${values['config']})`);
    return loadConfigurationFile(values['config'], { registry: libraryRegistry });
  }
  if (positionals.length !== 1) throw new UsageError(`expected one preset, got ${positionals.length ? positionals.join(' ') : 'none'}\npresets:\n${listPresets()}`);
  const name = positionals[0]!;
  if (!isPreset(name)) throw new UsageError(`unknown preset ${JSON.stringify(name)}\npresets:\n${listPresets()}\n\nexample: node scripts/run.js redis-mpk2`);
  return loadPreset(name, { registry: libraryRegistry });
}

/** The cost model of the configuration, with what the command line overrides (another CPU, another gate cost). */
function withCostModelOverrides(config: Configuration, values: Record<string, unknown>): Configuration {
  const cpu = values['cpu'];
  const clock = values['clock-ghz'] === undefined ? undefined : numberOption(values as Parsed['values'], 'clock-ghz', 0, { min: 0.1, max: 10 });
  const gateCycles: Record<string, number> = { ...config.costModel.gateCycles };
  // A baseline image's boundary (syscall, ipc, cubicle, pkru-window) is set the same way.
  const boundaryCycles: Record<string, number> | undefined = config.costModel.boundaryCycles ? { ...config.costModel.boundaryCycles } : undefined;
  const kinds = [...Object.keys(gateCycles), ...Object.keys(boundaryCycles ?? {})];
  if (typeof values['gate-cycles'] === 'string') {
    for (const item of values['gate-cycles'].split(',')) {
      const [kind, raw] = item.split('=');
      const cycles = Number(raw);
      if (!kind || !kinds.includes(kind) || raw === undefined || !Number.isFinite(cycles) || cycles < 0) {
        const baselineOnly = boundaryCycles ? '' : ' (syscall, ipc, cubicle and pkru-window only on a baseline image: <app>-linux-pt2, -sel4-pt3, -cubicleos-mpk3)';
        throw new UsageError(`--gate-cycles: ${JSON.stringify(item)} is not valid; expected kind=cycles with kind one of ${kinds.join(', ')}${baselineOnly} and cycles >= 0`);
      }
      if (kind in gateCycles) gateCycles[kind] = cycles;
      else if (boundaryCycles) boundaryCycles[kind] = cycles;
    }
  }
  if (cpu === undefined && clock === undefined && values['gate-cycles'] === undefined) return config;
  const costModel = {
    cpu: typeof cpu === 'string' ? cpu : config.costModel.cpu,
    clockGhz: clock ?? config.costModel.clockGhz,
    gateCycles: gateCycles as unknown as Configuration['costModel']['gateCycles'],
    ...(boundaryCycles ? { boundaryCycles: boundaryCycles as unknown as NonNullable<Configuration['costModel']['boundaryCycles']> } : {}),
  };
  return { ...config, costModel };
}

/** The app's main arguments from its boot flags (Redis: --maxmemory); undefined when none is given. */
function bootMainArgs(app: App, values: Record<string, unknown>): readonly number[] | undefined {
  const flags: Record<string, string> = {};
  for (const flag of ['maxmemory'] as const) {
    const value = values[flag];
    if (typeof value !== 'string') continue;
    if (app.server?.bootFlags?.[flag] === undefined || app.server.mainArgsFrom === undefined) throw new UsageError(`--${flag} does not apply to ${app.title}`);
    flags[flag] = value;
  }
  if (Object.keys(flags).length === 0) return undefined;
  try {
    return app.server!.mainArgsFrom!(flags);
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

function parseSizes(raw: unknown): number[] {
  if (raw === undefined) return [1, 2, 3, 4, 5];
  const sizes = String(raw).split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 1024 * 1024)) throw new UsageError(`--sizes: ${JSON.stringify(raw)} is not a comma-separated list of integers from 1 to 1048576`);
  return sizes;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.length === 0) {
    process.stdout.write(`${USAGE}\n\npresets:\n${listPresets()}\n`);
    return 0;
  }
  const { values, positionals } = parseCommandLine(argv, OPTIONS, USAGE);
  if (values['help']) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (values['list']) {
    process.stdout.write(listPresets() + '\n');
    return 0;
  }
  if (typeof values['from-json'] === 'string') return pageFromSavedRun(values['from-json'], values['html'], positionals);
  const config = withCostModelOverrides(configurationFrom(values, positionals), values);
  if (typeof values['inject'] === 'string') {
    if (typeof values['html'] === 'string') throw new UsageError('--html reports a measured run; it does not go with --inject');
    return runInjected(config, values);
  }
  const app = appOf(config);
  const mainArgs = bootMainArgs(app, values);
  const serve = values['serve'] === true;
  const port = numberOption(values, 'port', serve ? (app.server?.servePort ?? 0) : 0, { min: 0, max: 65535, integer: true });
  const requests = numberOption(values, 'requests', 100_000, { min: 1, max: 1e9, integer: true });
  const sizes = parseSizes(values['sizes']);
  const durationS = numberOption(values, 'duration', 10, { min: 1, max: 3600, integer: true });
  const runs = numberOption(values, 'runs', 5, { min: 1, max: 100, integer: true });
  const warmupRequests = numberOption(values, 'warmup', Math.min(requests, 100_000), { min: 0, max: 1e9, integer: true });
  const json = values['json'] === true;
  const html = typeof values['html'] === 'string' ? values['html'] : undefined;
  if (html !== undefined && serve) throw new UsageError('--html reports a measured run; it does not go with --serve');
  if (app.local && html !== undefined) throw new UsageError(`--html: ${app.name} runs have no run report page yet (Redis, Nginx and iPerf do)`);
  const say = (text: string): void => void process.stderr.write(text + '\n');

  for (const w of config.warnings) say(`warning: ${w}`);
  say(`booting ${config.name}: ${describeConfiguration(config)}`);
  if (app.local) return runLocal(app.local, config, values, say);
  const www = typeof values['www'] === 'string' ? values['www'] : undefined;
  const clientCpu = loadGeneratorCpu(config.gates.pin);
  // Before the image boots: a first run on this machine times the model's C kernels (then cached).
  const pricing = serve ? undefined : modelPricing(config);
  const image = await launch(config, { registry: libraryRegistry, port, ...(www ? { initrd: www } : {}), ...(mainArgs ? { mainArgs } : {}) });
  const stop = async (): Promise<void> => {
    await image.stop();
  };
  process.once('SIGINT', () => {
    say('\ninterrupted: shutting the image down');
    void stop().then(() => process.exit(130));
  });
  try {
    if (serve) return await serveUntilInterrupted(app, image, say);
    say(`${app.name} listening on 127.0.0.1:${image.port}`);
    const forceBuiltin = values['builtin'] === true;
    const result = await runAppWorkload(image, { requests, sizes, durationS, runs, cpu: clientCpu, say, forceBuiltin, warmupRequests });
    const report = buildReport({ config, result, ...(pricing ? { pricing } : {}) });
    if (json) process.stdout.write(JSON.stringify(report.json) + '\n');
    else printReport(report, (line) => process.stdout.write(line + '\n'));
    if (html !== undefined) {
      const { profiles } = await writeRunReport(report.json, html);
      say(`run report: ${html}${profiles === undefined ? '' : ` (linking the profiles ${profiles})`}`);
    }
    return 0;
  } finally {
    await stop();
  }
}

/** `--from-json run.json --html page.html`: the run report page of a run saved with --json. */
async function pageFromSavedRun(file: string, html: string | boolean | undefined, positionals: readonly string[]): Promise<number> {
  if (typeof html !== 'string') throw new UsageError('--from-json draws a saved run as a page: give --html <file> too');
  if (positionals.length > 0) throw new UsageError(`--from-json runs nothing: drop ${positionals.join(' ')}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--from-json: ${file} is not a saved run (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError(`--from-json: ${file} holds no JSON object`);
  try {
    const { profiles } = await writeRunReport(json as Record<string, unknown>, html);
    process.stderr.write(`run report: ${html}${profiles === undefined ? '' : ` (linking the profiles ${profiles})`}\n`);
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(`--from-json: ${file}: ${error.message}`);
    throw error;
  }
  return 0;
}

/** `--inject lib:fault`: one fault-injection experiment, reported on the console (or as JSON). */
async function runInjected(config: Configuration, values: Record<string, string | boolean | undefined>): Promise<number> {
  let spec: ReturnType<typeof parseFaultSpec>;
  try {
    spec = parseFaultSpec(String(values['inject']));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const after = numberOption(values, 'after', DEFAULT_AFTER, { min: 1, max: 1e9, integer: true });
  const timeoutMs = numberOption(values, 'timeout-ms', 2000, { min: 10, max: 600_000, integer: true });
  process.stderr.write(`booting ${config.name} with ${spec.library}:${spec.fault} armed (entry ${after})\n`);
  const report = await runInjection(config, { registry: libraryRegistry, ...spec, after, timeoutMs });
  if (values['json'] === true) process.stdout.write(JSON.stringify(report) + '\n');
  else for (const line of formatInjection(report)) process.stdout.write(line + '\n');
  return injectionExitCode(report);
}

/** An application without a network (SQLite): the image boots without a netdev and runs its benchmark and/or the given SQL. */
async function runLocal(local: LocalSide, config: Configuration, values: Record<string, string | boolean | undefined>, say: (text: string) => void): Promise<number> {
  if (typeof values['sql'] === 'string' && typeof values['sql-file'] === 'string') throw new UsageError('give --sql or --sql-file, not both');
  const sql = typeof values['sql-file'] === 'string' ? readFileSync(values['sql-file'], 'utf8') : typeof values['sql'] === 'string' ? values['sql'] : null;
  const count = sql !== null && values['count'] === undefined ? null : numberOption(values, 'count', 5000, { min: 1, max: 1e7, integer: true });
  const print = (line: string): void => void process.stdout.write(line + '\n');
  const pricing = modelPricing(config);
  return local.command(config, { registry: libraryRegistry, count, sql, json: values['json'] === true, pricing, configuration: describeConfiguration(config), print, say });
}

async function serveUntilInterrupted(app: App, image: RunningImage, say: (text: string) => void): Promise<number> {
  say(`${image.app} listening on 127.0.0.1:${image.port}; press Ctrl-C to stop`);
  const hint = app.server?.hint?.(image.port);
  if (hint !== undefined) say(hint);
  try {
    await image.main;
    return 0;
  } catch (error) {
    if ((error as { code?: string }).code === 'FLEXOS_ERR_SHUTDOWN' || /shutting down/.test(String(error))) return 0;
    throw error;
  }
}

await runCommand(main);
