// The price list of the modelled clock: reference-CPU nanoseconds per unit of each work kind, from
// the C kernels of price-kernels.ts and SQLite's own C library (sqlite-price-kernel.ts) timed on this
// machine (CPU time, the least of repetitions: interference only adds) times the clock ratio.
// Measured once per CPU model, compiler and SQLite library version, then cached.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORK_KINDS, type WorkKind } from '../../kernel/abi/work.js';
import type { StackStrategy } from '../../kernel/abi/schema.js';
import { buildCKernels, defaultCacheDir, hostClock, machineOf, runCKernels, writeAtomically } from './calibration.js';
import { PRICE_C_SOURCE, PRICE_KERNELS, type PriceKernel } from './price-kernels.js';
import { SQLITE_PRICE_C_SOURCE, SQLITE_PRICE_INSERTS, sqliteLibraryVersion, timeSqliteVmstep, type SqliteVmstepTiming } from './sqlite-price-kernel.js';

export interface KindPrice {
  readonly kind: WorkKind;
  /** ns per unit on this machine: the least of the repetitions, and their median and slowest. */
  readonly ns: number;
  readonly median: number;
  readonly max: number;
  readonly what: string;
  readonly source: string;
}

export interface PriceList {
  readonly measured: boolean;
  readonly reason?: string;
  readonly hostGhz: number | null;
  readonly hostClockSource: string;
  /** `sqlite`: sqlite3_libversion() of the library the SQLite price kernel links, null when it does not build or run. */
  readonly machine: { readonly cpuModel: string; readonly gcc: string | null; readonly kernels: string; readonly sqlite: string | null };
  readonly date: string;
  readonly method: string;
  readonly prices: readonly KindPrice[];
  /** What SQLite's C library did when it priced `vmstep`; else why the interpreter kernel priced it. */
  readonly sqlite?: SqliteVmstepTiming;
  readonly vmstepFallback?: string;
}

/**
 * FLEXOS.md, Fig. 11b: N whitelisted stack variables in an empty function cost 66, 140, 218 cycles
 * under stack-to-heap (a shared-heap allocation and free each) and 2 under DSS or shared stacks (the
 * empty function itself). So a variable costs 218 / 3 cycles under `heap` and nothing more otherwise.
 */
export const STACKVAR_CYCLES: Readonly<Record<StackStrategy, number>> = { heap: 218 / 3, dss: 0, shared: 0 };

const CACHE_FILE = 'prices.json';
const KERNELS_ID = createHash('sha256').update(PRICE_C_SOURCE).update(JSON.stringify(PRICE_KERNELS)).update(SQLITE_PRICE_C_SOURCE).digest('hex').slice(0, 12);

export interface PriceOptions {
  readonly cacheDir?: string;
  readonly compiler?: string;
  readonly remeasure?: boolean;
  readonly minRunMs?: number;
  readonly repetitions?: number;
  /** The SQLite library the vmstep kernel links as -l<name> (default sqlite3). */
  readonly sqliteLibrary?: string;
  readonly say?: (line: string) => void;
}

/**
 * The cached price list of this CPU model, compiler, kernels and SQLite library; else measures it (a
 * few seconds) and caches it. A list whose vmstep fell back is cached too: installing the library
 * changes its version from null, which measures again.
 */
export function loadPrices(options: PriceOptions = {}): PriceList & { readonly cached: boolean } {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const compiler = options.compiler ?? 'gcc';
  const machine = machineKey(cacheDir, compiler, options.sqliteLibrary ?? 'sqlite3');
  const file = join(cacheDir, CACHE_FILE);
  if (!options.remeasure && existsSync(file)) {
    try {
      const cached = JSON.parse(readFileSync(file, 'utf8')) as PriceList;
      const m = cached.machine;
      const same = m.cpuModel === machine.cpuModel && m.gcc === machine.gcc && m.kernels === machine.kernels && m.sqlite === machine.sqlite;
      if (cached.measured && same) return { ...cached, cached: true };
    } catch {
      // unreadable or from an older version: measure again
    }
  }
  const fresh = measurePrices({ ...options, cacheDir, compiler });
  if (fresh.measured) writeAtomically(file, JSON.stringify(fresh, null, 2) + '\n');
  return { ...fresh, cached: false };
}

function machineKey(cacheDir: string, compiler: string, library: string): PriceList['machine'] {
  const m = machineOf(compiler);
  const sqlite = m.gcc === null ? null : sqliteLibraryVersion(cacheDir, { compiler, library });
  return { cpuModel: m.cpuModel, gcc: m.gcc, kernels: KERNELS_ID, sqlite };
}

export function measurePrices(options: PriceOptions & { cacheDir: string; compiler: string }): PriceList {
  const minRunMs = options.minRunMs ?? 30;
  const repetitions = options.repetitions ?? 15;
  if (!(minRunMs > 0 && minRunMs <= 10_000)) throw new RangeError(`measurePrices: minRunMs must be in (0, 10000] ms (got ${minRunMs})`);
  if (!Number.isInteger(repetitions) || repetitions < 1 || repetitions > 63) throw new RangeError(`measurePrices: repetitions must be an integer from 1 to 63 (got ${repetitions})`);
  const clock = hostClock();
  const library = options.sqliteLibrary ?? 'sqlite3';
  const machine = machineKey(options.cacheDir, options.compiler, library);
  const base = { hostGhz: clock.ghz, hostClockSource: clock.source, machine, date: new Date().toISOString() };
  const unmeasured = (reason: string): PriceList => ({ ...base, measured: false, reason, method: `not measured: ${reason}`, prices: [] });
  if (machine.gcc === null) return unmeasured(`C compiler ${JSON.stringify(options.compiler)} not found`);
  options.say?.(`measuring the model's price list: ${PRICE_KERNELS.length} C kernels and SQLite's INSERTs, once per machine`);
  const sqlite = timeSqliteVmstep(options.cacheDir, { compiler: options.compiler, library, minRunMs, repetitions });
  const fallback = typeof sqlite === 'string' ? sqlite : undefined;
  const kernels = PRICE_KERNELS.filter((k) => k.kind !== 'vmstep' || fallback !== undefined);
  const binary = buildCKernels(options.cacheDir, { compiler: options.compiler, source: PRICE_C_SOURCE, prefix: 'prices' });
  if (binary.error !== undefined) return unmeasured(binary.error);
  const timings = runCKernels(binary.path, { minRunMs, repetitions, iterations: 10_000, kernels: kernels.map((k) => k.name) });
  if (typeof timings === 'string') return unmeasured(timings);
  const prices: KindPrice[] = [];
  for (const k of PRICE_KERNELS) {
    if (typeof sqlite !== 'string' && k.kind === 'vmstep') {
      prices.push(sqlitePrice(sqlite, { compiler: options.compiler, library }));
      continue;
    }
    const t = timings.get(k.name);
    if (!t || !(t.range[0] > 0)) return unmeasured(`the price kernel ${k.name} printed no usable time`);
    prices.push({ kind: k.kind, ns: t.range[0] / k.unitsPerOp, median: t.ns / k.unitsPerOp, max: t.range[1] / k.unitsPerOp, ...kernelSource(k, fallback) });
  }
  const method =
    `one C kernel per work kind (gcc ${machine.gcc ?? '?'} -O2), ${repetitions} runs of >= ${minRunMs} ms of process CPU time each; ` +
    `ns per unit = the least run's ns per operation / units per operation (interference only adds time); ` +
    (typeof sqlite === 'string'
      ? `vmstep from an interpreter kernel, NOT SQLite (${sqlite})`
      : `vmstep from SQLite ${sqlite.version}'s C library: the least run's CPU ns of INSERTs / the VM steps they ran`);
  return { ...base, measured: true, method, prices, ...(typeof sqlite === 'string' ? { vmstepFallback: sqlite } : { sqlite }) };
}

function kernelSource(k: PriceKernel, vmstepFallback: string | undefined): { what: string; source: string } {
  if (k.kind !== 'vmstep' || vmstepFallback === undefined) return { what: k.what, source: `C kernel ${k.name}` };
  return { what: `FALLBACK, SQLite's C library could not be timed (${vmstepFallback}): ${k.what}`, source: `C kernel ${k.name} (an interpreter, not SQLite)` };
}

/**
 * One VDBE opcode as SQLite's C library spends it on the simulator's benchmark: everything an INSERT
 * costs (its tokenizer too, which the app's `parse` bytes also price: a few tens of ns) over the
 * opcodes it counts, so the modelled engine costs what SQLite's C does per INSERT.
 */
function sqlitePrice(s: SqliteVmstepTiming, build: { compiler: string; library: string }): KindPrice {
  return {
    kind: 'vmstep',
    ns: s.nsPerStep.min,
    median: s.nsPerStep.median,
    max: s.nsPerStep.max,
    what:
      `one VDBE opcode of SQLite ${s.version}'s C library, as sqlite3_stmt_status(SQLITE_STMTSTATUS_VM_STEP) counts them: the CPU time of ` +
      `workloads/sqlite's INSERTs (autocommit INSERT INTO tab(text) VALUES ('flexos-sim row <i> of ${SQLITE_PRICE_INSERTS}'), each ` +
      `sqlite3_prepare_v2 + sqlite3_step + sqlite3_finalize, into tab(id INTEGER PRIMARY KEY, text TEXT), a fresh database every ` +
      `${SQLITE_PRICE_INSERTS}) over their VM steps (${s.vmStepsPerInsert} per INSERT, ${s.nsPerInsert.min.toFixed(0)} ns per INSERT; ` +
      `the least of ${s.runs} runs of >= ${s.insertsPerRun} INSERTs in ${s.rounds} processes): ` +
      `tokenizer, parser, code generator, B-tree, pager and record encoding included; on an in-memory database (:memory:, no file I/O: ` +
      `vfscore and ramfs price theirs), whose journal SQLite keeps in memory (journal_mode=DELETE asked, ${s.journalMode} answered)`,
    source: `C program of sqlite-price-kernel.ts, ${build.compiler} -O2 -l${build.library} (SQLite ${s.version})`,
  };
}

/**
 * Reference-CPU ns per unit of each kind at `referenceGhz`: the host's ns × host GHz / reference GHz
 * (the same cycles at the reference clock); `stackvar` from Fig. 11b under the configuration's stack
 * strategy. An unmeasured list prices every kind 0 and the report says so.
 */
export function referencePrices(list: PriceList, options: { referenceGhz: number; stack: StackStrategy }): Readonly<Record<WorkKind, number>> {
  if (!(options.referenceGhz > 0)) throw new RangeError(`referencePrices: referenceGhz must be positive (got ${options.referenceGhz})`);
  const ratio = list.hostGhz === null ? 1 : list.hostGhz / options.referenceGhz;
  const out = Object.fromEntries(WORK_KINDS.map((k) => [k, 0])) as Record<WorkKind, number>;
  for (const p of list.prices) out[p.kind] = p.ns * ratio;
  out.stackvar = STACKVAR_CYCLES[options.stack] / options.referenceGhz;
  return out;
}
