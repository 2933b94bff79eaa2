// `node scripts/safety-matrix.js [presets...]`: injects each fault from one library into every
// configuration and prints the matrix (configuration x fault -> outcome) with a containment score
// per configuration: the share of faults stopped by isolation, hardening, the watchdog or a refusal.

import { isPreset, loadPreset, PRESETS } from '../workloads/presets.js';
import { libraryRegistry } from '../workloads/registry.js';
import { FAULTS, type FaultName } from '../compartments/host/faults.js';
import { runInjection, type InjectionReport } from './inject/experiment.js';
import { formatTable } from './table.js';
import { commaList, numberOption, parseCommandLine, runCommand, UsageError } from './cli.js';

const USAGE = `usage: node scripts/safety-matrix.js [preset ...] [options]

Boots every configuration once per fault, with the fault armed in one library, drives Redis (or
Nginx) until it fires, and prints how each ended: stopped by isolation, by hardening, by the gate
watchdog, refused by the export table; or crashed, hung, or not stopped (with the corrupted keys).

presets: default redis-none redis-mpk2 redis-mpk3 redis-ept2 (several may be given, or one argument
holding a space-separated list)

options:
  --library <name>    the faulty library (default lwip)
  --faults <list>     comma-separated faults (default all: ${FAULTS.join(', ')})
  --after <n>         the fault fires on this entry into the library (default 300)
  --timeout-ms <n>    the gate watchdog of each run (default 2000)
  --json              one JSON object on stdout instead of the table
  --help              this text`;

const OPTIONS = {
  library: { type: 'string' },
  faults: { type: 'string' },
  after: { type: 'string' },
  'timeout-ms': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const DEFAULT_PRESETS = ['redis-none', 'redis-mpk2', 'redis-mpk3', 'redis-ept2'];

export interface SafetyMatrix {
  readonly library: string;
  readonly faults: readonly FaultName[];
  readonly rows: readonly { readonly configuration: string; readonly results: readonly InjectionReport[]; readonly containment: number }[];
}

/** Runs every fault against every preset, one image at a time (the machine has few cores). */
export async function safetyMatrix(presets: readonly string[], options: { library: string; faults: readonly FaultName[]; after: number; timeoutMs: number; progress?: (line: string) => void }): Promise<SafetyMatrix> {
  const rows: SafetyMatrix['rows'][number][] = [];
  for (const preset of presets) {
    const config = loadPreset(preset, { registry: libraryRegistry });
    const results: InjectionReport[] = [];
    for (const fault of options.faults) {
      const r = await runInjection(config, { registry: libraryRegistry, library: options.library, fault, after: options.after, timeoutMs: options.timeoutMs, keys: 16 });
      options.progress?.(`${preset} ${options.library}:${fault}: ${r.outcome.kind} (${r.outcome.summary})`);
      results.push(r);
    }
    rows.push({ configuration: preset, results, containment: results.filter((r) => r.stopped).length / Math.max(1, results.length) });
  }
  return { library: options.library, faults: options.faults, rows };
}

export function formatMatrix(m: SafetyMatrix): string[] {
  const header = ['configuration', ...m.faults, 'contained'];
  const body = m.rows.map((row) => [row.configuration, ...row.results.map((r) => cell(r)), `${Math.round(row.containment * 100)}%`]);
  return [
    `faults injected from ${m.library}`,
    ...formatTable(header, body),
    '',
    'isolation: protection fault; hardening: a sanitizer check; watchdog: gate timeout; refused: not a',
    'valid function; crashed: the fault took the application down; not-stopped: it ran to the end',
    '(keys! = reference keys corrupted); hang: nothing ended it. contained = share stopped.',
  ];
}

function cell(r: InjectionReport): string {
  if (r.outcome.kind === 'hardening') return `hardening:${r.outcome.check ?? '?'}`;
  if (r.outcome.kind === 'not-stopped' && r.corrupted.length > 0) return `not-stopped keys!${r.corrupted.length}`;
  return r.outcome.kind;
}

function parseFaults(raw: unknown): FaultName[] {
  if (raw === undefined) return [...FAULTS];
  const list = commaList(raw);
  const bad = list.find((f) => !(FAULTS as readonly string[]).includes(f));
  if (bad !== undefined || list.length === 0) throw new UsageError(`--faults: ${JSON.stringify(bad ?? raw)} is not a fault; valid: ${FAULTS.join(', ')}`);
  return list as FaultName[];
}

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine(process.argv.slice(2), OPTIONS, USAGE);
  if (values['help']) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const presets = positionals.flatMap((p) => p.split(/\s+/)).filter(Boolean);
  const chosen = presets.length > 0 ? presets : DEFAULT_PRESETS;
  const unknown = chosen.find((p) => !isPreset(p));
  if (unknown !== undefined) throw new UsageError(`unknown preset ${JSON.stringify(unknown)}; presets: ${Object.keys(PRESETS).join(', ')}`);
  const matrix = await safetyMatrix(chosen, {
    library: typeof values['library'] === 'string' ? values['library'] : 'lwip',
    faults: parseFaults(values['faults']),
    after: numberOption(values, 'after', 300, { min: 1, max: 1e9, integer: true }),
    timeoutMs: numberOption(values, 'timeout-ms', 2000, { min: 10, max: 600_000, integer: true }),
    progress: (line) => void process.stderr.write(line + '\n'),
  });
  if (values['json'] === true) {
    process.stdout.write(JSON.stringify({ library: matrix.library, faults: matrix.faults, rows: matrix.rows.map((r) => ({ configuration: r.configuration, containment: r.containment, outcomes: Object.fromEntries(r.results.map((x) => [x.fault, { kind: x.outcome.kind, summary: x.outcome.summary, corrupted: x.corrupted, ...(x.outcome.check ? { check: x.outcome.check } : {}) }])) })) }) + '\n');
  } else {
    for (const line of formatMatrix(matrix)) process.stdout.write(line + '\n');
  }
  return 0;
}

// Imported by tests for safetyMatrix(); run as a command only through the shim.
if (process.argv[1]?.endsWith('safety-matrix.js')) await runCommand(main);
