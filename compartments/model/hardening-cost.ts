// What hardening costs a library's compute, as the compiler charges it: the hardening kernels built
// with and without each option (hardening-variants.ts), timed in alternation on this machine, never
// fitted to published figures. Measured once per CPU model, compilers and source, then read from a cache.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { HARDENING_OPTIONS, HARDENING_SHORTHANDS, type HardeningOption } from '../../kernel/abi/library.js';
import { defaultCacheDir } from './calibration.js';
import { HARDENING_C_SOURCE, HARDENING_KERNELS, LIBRARY_KERNELS } from './hardening-kernels.js';
import { RUNNER_C_SOURCE, runPairs } from './hardening-runner.js';
import {
  BASELINES, buildVariant, COMMON_FLAGS, compilerVersion, HARDENING_VARIANTS, SANITIZER_ENV, VARIANT_RECIPES,
  type BaselineName, type CompilerFamily, type HardeningVariant,
} from './hardening-variants.js';

export { HARDENING_VARIANTS, type HardeningVariant } from './hardening-variants.js';

export interface KernelSlowdown {
  readonly kernel: string;
  /** Median over the rounds of variant time / baseline time, each pair timed back to back. */
  readonly factor: number;
  readonly range: readonly [number, number];
  /** Median ns per operation of each side. */
  readonly baselineNs: number;
  readonly variantNs: number;
}

export interface LibrarySlowdown {
  readonly library: string;
  /** Geometric mean of its kernels' factors; the range is the geometric means of their minima and maxima. */
  readonly factor: number;
  readonly range: readonly [number, number];
  readonly kernels: readonly string[];
}

export interface VariantFigure {
  readonly variant: HardeningVariant;
  readonly measured: boolean;
  /** Why it was not measured, and at which step: a missing compiler, a build, or the run. */
  readonly reason?: string;
  readonly stage?: 'compiler' | 'build' | 'run';
  readonly compiler: string;
  readonly compilerVersion: string | null;
  readonly baseline: BaselineName;
  readonly baselineFlags: readonly string[];
  /** The flags the variant was built with (empty when it was not built). */
  readonly flags: readonly string[];
  /** What was passed over on the way (kasan: -fsanitize=kernel-address does not link in user space). */
  readonly note?: string;
  readonly kernels: readonly KernelSlowdown[];
  readonly libraries: readonly LibrarySlowdown[];
}

export interface HardeningMeasurement {
  /** A cache is used only when all of these are the same. */
  readonly key: { readonly cpuModel: string; readonly gcc: string | null; readonly clang: string | null; readonly source: string };
  readonly date: string;
  readonly minRunMs: number;
  readonly repetitions: number;
  readonly method: string;
  readonly variants: readonly VariantFigure[];
}

export interface HardeningCostOptions {
  /** Where the binaries and the cached result live (the calibration's: ~/.cache/flexos-sim, or $FLEXOS_SIM_CACHE). */
  readonly cacheDir?: string;
  /** The compilers (default gcc and clang, from PATH). */
  readonly gcc?: string;
  readonly clang?: string;
  /** Measure again even when the cache matches. */
  readonly recalibrate?: boolean;
  /** CPU time of one timed run of one kernel (default 4 ms), and rounds of pairs (default 7; the median is kept). */
  readonly minRunMs?: number;
  readonly repetitions?: number;
  /** The variants to measure (default all); a cache without one of them is measured again. */
  readonly variants?: readonly HardeningVariant[];
  readonly say?: (line: string) => void;
}

/** What `slowdown` answers: a factor on the library's compute time, and where it comes from. */
export interface HardeningSlowdown {
  /** Hardened time / unhardened time; null when it was not measured (source.reason says why). */
  readonly factor: number | null;
  readonly source: {
    /** unhardened: no option (factor 1); measured: one build with exactly these options; product: builds measured apart, multiplied. */
    readonly kind: 'unhardened' | 'measured' | 'product' | 'unmeasured';
    readonly variants: readonly HardeningVariant[];
    readonly range?: readonly [number, number];
    readonly reason?: string;
    /** One line for a report. */
    readonly text: string;
  };
}

export interface HardeningCosts {
  readonly measurement: HardeningMeasurement;
  readonly cached: boolean;
  slowdown(library: string, options: readonly HardeningOption[]): HardeningSlowdown;
}

/** Operations each binary runs once from its start state to compare checksums with its baseline. */
export const CHECK_ITERATIONS = 10_000;
const CACHE_FILE = 'hardening-cost.json';
const PROTOCOL = 'pairs-v2';
export const HARDENING_SOURCE_ID = createHash('sha256')
  .update(HARDENING_C_SOURCE).update(RUNNER_C_SOURCE).update(PROTOCOL)
  .update(JSON.stringify([HARDENING_KERNELS, VARIANT_RECIPES, BASELINES, COMMON_FLAGS, SANITIZER_ENV]))
  .digest('hex').slice(0, 12);

/** The cached measurement when it was made on this CPU model with these compilers and kernels; else measures (and caches). */
export function loadHardeningCosts(options: HardeningCostOptions = {}): HardeningCosts {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const wanted = variantsOf(options);
  const key = keyOf(options);
  const file = join(cacheDir, CACHE_FILE);
  if (!options.recalibrate && existsSync(file)) {
    try {
      const cached = JSON.parse(readFileSync(file, 'utf8')) as HardeningMeasurement;
      const k = cached.key;
      const same = k.cpuModel === key.cpuModel && k.gcc === key.gcc && k.clang === key.clang && k.source === key.source;
      if (same && wanted.every((v) => cached.variants.some((f) => f.variant === v))) {
        return new HardeningCostTable({ ...cached, variants: wanted.map((v) => cached.variants.find((f) => f.variant === v)!) }, true);
      }
    } catch {
      // unreadable or half-written by an older version: measure again
    }
  }
  const fresh = measureHardeningCosts({ ...options, cacheDir });
  // A missing compiler or a refused option is cached (the key holds the compiler versions); a run that failed may not fail again.
  if (fresh.variants.every((v) => v.stage !== 'run')) writeAtomically(file, JSON.stringify(fresh, null, 2) + '\n');
  return new HardeningCostTable(fresh, false);
}

/** Builds and times the variants now (some seconds; the first build of each variant takes longer). */
export function measureHardeningCosts(options: HardeningCostOptions = {}): HardeningMeasurement {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const minRunMs = options.minRunMs ?? 4;
  const repetitions = options.repetitions ?? 7;
  if (!(minRunMs > 0 && minRunMs <= 10_000)) throw new RangeError(`measureHardeningCosts: options.minRunMs must be in (0, 10000] ms (got ${minRunMs})`);
  if (!Number.isInteger(repetitions) || repetitions < 1 || repetitions > 99) throw new RangeError(`measureHardeningCosts: options.repetitions must be an integer from 1 to 99 (got ${repetitions})`);
  const wanted = variantsOf(options);
  const key = keyOf(options);
  const compilers: Record<CompilerFamily, { path: string; version: string | null }> = {
    gcc: { path: options.gcc ?? 'gcc', version: key.gcc },
    clang: { path: options.clang ?? 'clang', version: key.clang },
  };
  const say = options.say ?? (() => {});
  const figures = new Map<HardeningVariant, VariantFigure>();
  const base = (variant: HardeningVariant): VariantFigure => {
    const recipe = VARIANT_RECIPES[variant];
    const c = compilers[recipe.family];
    return { variant, measured: false, compiler: c.path, compilerVersion: c.version, baseline: recipe.baseline, baselineFlags: [...COMMON_FLAGS, ...BASELINES[recipe.baseline].flags], flags: [], kernels: [], libraries: [] };
  };
  const fail = (variant: HardeningVariant, stage: 'compiler' | 'build' | 'run', reason: string): void =>
    void figures.set(variant, { ...base(variant), ...figures.get(variant), measured: false, stage, reason, kernels: [], libraries: [] });

  // Build: each baseline a variant needs, then the variant, both by the variant's compiler.
  const baselines = new Map<BaselineName, string>();
  const built = new Map<HardeningVariant, string>();
  for (const variant of wanted) {
    const recipe = VARIANT_RECIPES[variant];
    const c = compilers[recipe.family];
    if (c.version === null) {
      fail(variant, 'compiler', `${recipe.family} (${JSON.stringify(c.path)}) not found: install it (apt-get install ${recipe.family}; scripts/install.sh does)`);
      continue;
    }
    let baseline = baselines.get(recipe.baseline);
    if (baseline === undefined) {
      say(`building the hardening kernels: baseline ${recipe.baseline}`);
      const b = buildVariant(HARDENING_C_SOURCE, { cacheDir, compiler: c.path, version: c.version, candidates: [BASELINES[recipe.baseline].flags] });
      if (typeof b === 'string') {
        fail(variant, 'build', `its baseline does not build: ${b}`);
        continue;
      }
      baselines.set(recipe.baseline, (baseline = b.path));
    }
    say(`building the hardening kernels: ${variant}`);
    const v = buildVariant(HARDENING_C_SOURCE, { cacheDir, compiler: c.path, version: c.version, candidates: recipe.candidates });
    if (typeof v === 'string') {
      fail(variant, 'build', v);
      continue;
    }
    built.set(variant, v.path);
    figures.set(variant, { ...base(variant), flags: v.flags, ...(v.note === undefined ? {} : { note: v.note }) });
  }

  // Check: every binary computes the same checksums from its start state as its baseline.
  const env = { ...process.env, ...SANITIZER_ENV };
  const checks = new Map<string, Map<string, number> | string>();
  const checksOf = (binary: string): Map<string, number> | string => {
    if (!checks.has(binary)) checks.set(binary, runKernelCheck(binary));
    return checks.get(binary)!;
  };
  for (const [variant, binary] of built) {
    const baseline = checksOf(baselines.get(VARIANT_RECIPES[variant].baseline)!);
    const mine = checksOf(binary);
    if (typeof baseline === 'string') fail(variant, 'run', `its baseline failed the checksum run: ${baseline}`);
    else if (typeof mine === 'string') fail(variant, 'run', `the checksum run failed: ${mine}`);
    else {
      const differs = HARDENING_KERNELS.find((k) => mine.get(k.name) !== baseline.get(k.name));
      if (differs) fail(variant, 'run', `kernel ${differs.name}: checksum ${mine.get(differs.name)} != baseline's ${baseline.get(differs.name)}, so the instrumentation changed the work`);
    }
  }
  const live = [...built.keys()].filter((v) => figures.get(v)!.stage === undefined);

  // Time: size each kernel's run on one baseline, then alternate every pair, round after round.
  if (live.length > 0) {
    say(`timing ${live.length} variant${live.length === 1 ? '' : 's'} against their baselines: ${repetitions} rounds of ${HARDENING_KERNELS.length} kernels × ${minRunMs} ms each`);
    const pairs = live.map((v) => ({ variant: v, baseline: baselines.get(VARIANT_RECIPES[v].baseline)!, hardened: built.get(v)! }));
    const timed = timePairs(pairs, { cacheDir, compilers, minRunMs, repetitions, env });
    for (const v of live) {
      const result = typeof timed === 'string' ? timed : timed.get(v)!;
      if (typeof result === 'string') fail(v, 'run', result);
      else figures.set(v, { ...figures.get(v)!, measured: true, ...result });
    }
  }
  return {
    key, date: new Date().toISOString(), minRunMs, repetitions,
    method:
      `${HARDENING_KERNELS.length} C kernels standing for the libraries' work, built by the option's compiler with ${COMMON_FLAGS.join(' ')} ` +
      `with and without the option's flags; ${repetitions} rounds, each in new processes (another memory layout), in which each variant and ` +
      `its baseline run the same kernel and iterations back to back (>= ${minRunMs} ms of process CPU time per run), alternating which goes first; ` +
      `per kernel the median of the ${repetitions} time ratios (range: their min and max); per library the geometric mean over its kernels; ` +
      `every build's checksums equal its baseline's`,
    variants: wanted.map((v) => figures.get(v)!),
  };
}

/** The slowdowns of a measurement already made (read from a report's JSON, or written by a test). */
export function hardeningCostsOf(measurement: HardeningMeasurement, options: { cached?: boolean } = {}): HardeningCosts {
  return new HardeningCostTable(measurement, options.cached ?? false);
}

class HardeningCostTable implements HardeningCosts {
  readonly measurement: HardeningMeasurement;
  readonly cached: boolean;
  readonly #byVariant: ReadonlyMap<HardeningVariant, VariantFigure>;

  constructor(measurement: HardeningMeasurement, cached: boolean) {
    this.measurement = measurement;
    this.cached = cached;
    this.#byVariant = new Map(measurement.variants.map((v) => [v.variant, v]));
  }

  slowdown(library: string, options: readonly HardeningOption[]): HardeningSlowdown {
    for (const o of options) if (!(HARDENING_OPTIONS as readonly string[]).includes(o)) throw new TypeError(`slowdown: unknown hardening option ${JSON.stringify(o)}; known: ${HARDENING_OPTIONS.join(', ')}`);
    const wanted = new Set(options);
    if (wanted.size === 0) return { factor: 1, source: { kind: 'unhardened', variants: [], text: 'unhardened: factor 1' } };
    const unmeasured = (reason: string, variants: readonly HardeningVariant[]): HardeningSlowdown => ({ factor: null, source: { kind: 'unmeasured', variants, reason, text: `NOT MEASURED: ${reason}` } });
    if (!LIBRARY_KERNELS.has(library)) return unmeasured(`no hardening kernel stands for library ${JSON.stringify(library)}'s work (kernels stand for ${[...LIBRARY_KERNELS.keys()].join(', ')})`, []);
    // kasan + ubsan + stackprotector were measured built together (H): their costs do not simply multiply.
    const variants: HardeningVariant[] = [];
    const h = HARDENING_SHORTHANDS['H']!;
    if (h.every((o) => wanted.has(o))) {
      variants.push('H');
      for (const o of h) wanted.delete(o);
    }
    variants.push(...HARDENING_OPTIONS.filter((o) => wanted.has(o)));
    const parts: { variant: HardeningVariant; figure: LibrarySlowdown }[] = [];
    for (const variant of variants) {
      const v = this.#byVariant.get(variant);
      if (!v) return unmeasured(`${variant} was not in the measurement (measure it: node scripts/hardening-cost.js --recalibrate)`, variants);
      if (!v.measured) return unmeasured(`${variant}: ${v.reason ?? 'not measured'}`, variants);
      const figure = v.libraries.find((l) => l.library === library);
      if (!figure) return unmeasured(`${variant}: the measurement has no figure for ${library}`, variants);
      parts.push({ variant, figure });
    }
    const factor = parts.reduce((p, x) => p * x.figure.factor, 1);
    const range = [parts.reduce((p, x) => p * x.figure.range[0], 1), parts.reduce((p, x) => p * x.figure.range[1], 1)] as const;
    const kernels = parts[0]!.figure.kernels.join(', ');
    const span = `range ${range[0].toFixed(2)}..${range[1].toFixed(2)}`;
    const text = parts.length === 1
      ? `× ${factor.toFixed(3)}: ${variants[0]} measured (${this.#flagsOf(variants[0]!)}), geometric mean of ${library}'s kernels (${kernels}), ${span}`
      : `× ${factor.toFixed(3)}: product of ${parts.map((p) => `${p.variant} ${p.figure.factor.toFixed(3)}`).join(' × ')}, measured apart, not together; ${span}`;
    return { factor, source: { kind: parts.length === 1 ? 'measured' : 'product', variants, range, text } };
  }

  #flagsOf(variant: HardeningVariant): string {
    const v = this.#byVariant.get(variant)!;
    return `${v.compiler} ${v.compilerVersion} ${v.flags.filter((f) => !v.baselineFlags.includes(f)).join(' ')}`;
  }
}

function variantsOf(options: HardeningCostOptions): readonly HardeningVariant[] {
  const wanted = options.variants ?? HARDENING_VARIANTS;
  for (const v of wanted) if (!HARDENING_VARIANTS.includes(v)) throw new RangeError(`options.variants: unknown variant ${JSON.stringify(v)}; known: ${HARDENING_VARIANTS.join(', ')}`);
  return [...new Set(wanted)];
}

function keyOf(options: HardeningCostOptions): HardeningMeasurement['key'] {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux: os.cpus() has it
  }
  return { cpuModel, gcc: compilerVersion(options.gcc ?? 'gcc'), clang: compilerVersion(options.clang ?? 'clang'), source: HARDENING_SOURCE_ID };
}

/**
 * Runs every pair in the pair runner and reduces its samples: per variant its kernels' and libraries'
 * slowdowns, or why it has none (a string for all of them when the runner could not run).
 */
function timePairs(
  pairs: readonly { variant: HardeningVariant; baseline: string; hardened: string }[],
  options: { cacheDir: string; compilers: Record<CompilerFamily, { path: string; version: string | null }>; minRunMs: number; repetitions: number; env: NodeJS.ProcessEnv },
): Map<HardeningVariant, Pick<VariantFigure, 'kernels' | 'libraries'> | string> | string {
  const prepared = prepareRun(options.cacheDir, options.compilers, { sizer: pairs[0]!.baseline, minRunMs: options.minRunMs, env: options.env });
  if (typeof prepared === 'string') return prepared;
  const binaries = [...new Set(pairs.flatMap((p) => [p.baseline, p.hardened]))];
  const indices = pairs.map((p) => [binaries.indexOf(p.baseline), binaries.indexOf(p.hardened)] as const);
  const run = runPairs(prepared.runner, { binaries, pairs: indices, iterations: prepared.iterations, rounds: options.repetitions, env: options.env, timeoutMs: 600_000 });
  if (typeof run === 'string') return run;
  const problemOf = (index: number, who: string): string | undefined => {
    if (run.stderr.has(index)) return `${who} wrote on stderr (a sanitizer's report: a kernel has a bug): ${run.stderr.get(index)!}`;
    if (run.dead.has(index)) return `${who} stopped: ${run.dead.get(index)!}`;
    return undefined;
  };
  type Result = Pick<VariantFigure, 'kernels' | 'libraries'> | string;
  return new Map(pairs.map((pair, p): [HardeningVariant, Result] => {
    const [b, v] = indices[p]!;
    const problem = problemOf(b, 'its baseline') ?? problemOf(v, 'the variant');
    if (problem !== undefined) return [pair.variant, problem];
    const samples = run.samples.filter((s) => s.pair === p);
    const odd = samples.find((s) => s.baselineChecksum !== s.variantChecksum);
    if (odd) return [pair.variant, `kernel ${odd.kernel} round ${odd.round}: checksum ${odd.variantChecksum} != baseline's ${odd.baselineChecksum}`];
    const kernels: KernelSlowdown[] = [];
    for (const k of HARDENING_KERNELS) {
      const slowdown = slowdownOf(k.name, samples.filter((s) => s.kernel === k.name));
      if (slowdown === null) return [pair.variant, `no timed run of kernel ${k.name}`];
      kernels.push(slowdown);
    }
    const libraries = [...LIBRARY_KERNELS].map(([library, names]): LibrarySlowdown => {
      const ks = names.map((n) => kernels.find((k) => k.kernel === n)!);
      const geo = (f: (k: KernelSlowdown) => number): number => Math.exp(ks.reduce((s, k) => s + Math.log(f(k)), 0) / ks.length);
      return { library, factor: geo((k) => k.factor), range: [geo((k) => k.range[0]), geo((k) => k.range[1])], kernels: names };
    });
    return [pair.variant, { kernels, libraries }];
  }));
}

function slowdownOf(kernel: string, samples: readonly { baselineNs: number; variantNs: number }[]): KernelSlowdown | null {
  if (samples.length === 0) return null;
  const median = (xs: number[]): number => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const ratios = samples.map((s) => s.variantNs / s.baselineNs);
  return {
    kernel, factor: median(ratios), range: [Math.min(...ratios), Math.max(...ratios)],
    baselineNs: median(samples.map((s) => s.baselineNs)), variantNs: median(samples.map((s) => s.variantNs)),
  };
}

/** `<binary> check`: kernel -> checksum after `iterations` from the start state, or why it failed (a sanitizer's report on stderr counts as failing). */
export function runKernelCheck(binary: string, iterations: number = CHECK_ITERATIONS): Map<string, number> | string {
  const ran = spawnSync(binary, ['check', String(iterations)], { encoding: 'utf8', env: { ...process.env, ...SANITIZER_ENV }, timeout: 120_000 });
  if (ran.status !== 0 || ran.stderr.trim() !== '') return `${ran.error ? String(ran.error) : `exit ${ran.status ?? ran.signal}`}: ${ran.stderr.trim().split('\n').slice(0, 3).join(' / ')}`;
  return new Map(ran.stdout.trim().split('\n').map((l) => l.split(' ')).map(([k, c]) => [k!, Number(c)]));
}

/** The pair runner (plain C, built by whichever compiler there is) and each kernel's iterations per timed run. */
function prepareRun(
  cacheDir: string,
  compilers: Record<CompilerFamily, { path: string; version: string | null }>,
  options: { sizer: string; minRunMs: number; env: NodeJS.ProcessEnv },
): { runner: string; iterations: Map<string, number> } | string {
  const c = compilers.gcc.version !== null ? compilers.gcc : compilers.clang;
  const runner = buildVariant(RUNNER_C_SOURCE, { cacheDir, compiler: c.path, version: c.version ?? '', candidates: [[]] });
  if (typeof runner === 'string') return `the pair runner does not build: ${runner}`;
  const ran = spawnSync(options.sizer, ['size', String(options.minRunMs)], { encoding: 'utf8', env: options.env, timeout: 120_000 });
  if (ran.status !== 0) return `sizing the runs failed (${ran.error ? String(ran.error) : `exit ${ran.status ?? ran.signal}`}): ${ran.stderr.trim()}`;
  return { runner: runner.path, iterations: new Map(ran.stdout.trim().split('\n').map((l) => l.split(' ')).map(([k, n]) => [k!, Number(n)])) };
}

function writeAtomically(file: string, text: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file); // concurrent measurements (parallel tests) never see half a file
}
