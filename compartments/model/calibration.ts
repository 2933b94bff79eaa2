// How much slower the simulator's JavaScript is than C: the C/JS time ratio of representative kernels,
// both timed on this machine, times the clock ratio (scripts/calibrate.js); measured once per CPU
// model, Node and gcc, then cached. Also the C build, run and cache helpers every kernel program of
// the model (prices.ts, hardening-cost.ts) shares.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, homedir } from 'node:os';
import { join } from 'node:path';
import { C_SOURCE, KERNELS, jsKernels, type Kernel } from './calibration-kernels.js';

export interface KernelFigure {
  readonly name: string;
  /** The C kernel it is compared with. */
  readonly c: string;
  readonly inMean: boolean;
  readonly what: string;
  /** Median ns per operation, and the fastest and slowest repetition. */
  readonly jsNs: number;
  readonly jsRange: readonly [number, number];
  readonly cNs: number;
  readonly cRange: readonly [number, number];
  /** C time / JS time: reference work per unit of JavaScript work, before the clock ratio. */
  readonly factor: number;
}

export interface Calibration {
  /** False when the C side could not be measured: the factor is then 1 and reports say so. */
  readonly calibrated: boolean;
  readonly reason?: string;
  /** Geometric mean of the per-kernel factors in the mean, and their spread. */
  readonly factor: number;
  readonly spread: { readonly min: number; readonly max: number };
  /** This machine's clock, and where it was read; null when unknown (the clock ratio is then 1). */
  readonly hostGhz: number | null;
  readonly hostClockSource: string;
  readonly machine: { readonly cpuModel: string; readonly node: string; readonly gcc: string | null; readonly kernels: string };
  readonly date: string;
  readonly minRunMs: number;
  readonly repetitions: number;
  readonly method: string;
  readonly kernels: readonly KernelFigure[];
}

export interface CalibrationOptions {
  /** Where the compiled kernels and the cached result live (default ~/.cache/flexos-sim, or $FLEXOS_SIM_CACHE). */
  readonly cacheDir?: string;
  /** The C compiler (default gcc). */
  readonly compiler?: string;
  /** Measure again even when the cache matches. */
  readonly recalibrate?: boolean;
  /** Shortest timed run per repetition (default 20 ms), and repetitions per kernel (default 5). */
  readonly minRunMs?: number;
  readonly repetitions?: number;
  /** Progress lines (the first calibration takes a few seconds). */
  readonly say?: (line: string) => void;
}

/** Operations run once on both sides to compare checksums: the two sides must do the same work. */
export const CHECK_ITERATIONS = 10_000;
const CACHE_FILE = 'compute-scale.json';
const KERNELS_ID = createHash('sha256').update(C_SOURCE).update(JSON.stringify(KERNELS)).digest('hex').slice(0, 12);

export function defaultCacheDir(): string {
  return process.env['FLEXOS_SIM_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'flexos-sim');
}

/** The cached calibration when it was made on this CPU model with this Node, gcc and kernels; else calibrates (and caches). */
export function loadCalibration(options: CalibrationOptions = {}): Calibration & { readonly cached: boolean } {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const machine = machineOf(options.compiler ?? 'gcc');
  const file = join(cacheDir, CACHE_FILE);
  if (!options.recalibrate && existsSync(file)) {
    try {
      const cached = JSON.parse(readFileSync(file, 'utf8')) as Calibration;
      const m = cached.machine;
      if (cached.calibrated && m.cpuModel === machine.cpuModel && m.node === machine.node && m.gcc === machine.gcc && m.kernels === machine.kernels) {
        return { ...cached, cached: true };
      }
    } catch {
      // unreadable or half-written by an older version: measure again
    }
  }
  const fresh = calibrate({ ...options, cacheDir });
  // A fallback is not cached: the next run with gcc installed calibrates.
  if (fresh.calibrated) writeAtomically(file, JSON.stringify(fresh, null, 2) + '\n');
  return { ...fresh, cached: false };
}

/** Measures the kernels in C and in JavaScript now (a few seconds with the defaults). */
export function calibrate(options: CalibrationOptions = {}): Calibration {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const compiler = options.compiler ?? 'gcc';
  const minRunMs = options.minRunMs ?? 20;
  const repetitions = options.repetitions ?? 5;
  if (!(minRunMs > 0 && minRunMs <= 10_000)) throw new RangeError(`calibrate: options.minRunMs must be in (0, 10000] ms (got ${minRunMs})`);
  if (!Number.isInteger(repetitions) || repetitions < 1 || repetitions > 63) throw new RangeError(`calibrate: options.repetitions must be an integer from 1 to 63 (got ${repetitions})`);
  const machine = machineOf(compiler);
  const clock = hostClock();
  const base = { hostGhz: clock.ghz, hostClockSource: clock.source, machine, date: new Date().toISOString(), minRunMs, repetitions };
  const fallback = (reason: string): Calibration => ({
    ...base, calibrated: false, reason, factor: 1, spread: { min: 1, max: 1 }, kernels: [],
    method: `not calibrated (${reason}): JavaScript compute time is used unscaled, which makes every gate look cheaper next to compute`,
  });
  if (machine.gcc === null) return fallback(`C compiler ${JSON.stringify(compiler)} not found`);
  options.say?.(`calibrating the compute scale: kernels in C (gcc ${machine.gcc} -O2) and in JavaScript, once per machine`);
  const binary = buildCKernels(cacheDir, { compiler });
  if (binary.error !== undefined) return fallback(binary.error);
  const kernels = jsKernels();
  const figures: KernelFigure[] = [];
  // Each C kernel right before its JavaScript twins, so a burst of load on this shared machine hits both sides alike.
  for (const cName of [...new Set(KERNELS.map((k) => k.c))]) {
    const c = runCKernels(binary.path, { minRunMs, repetitions, iterations: CHECK_ITERATIONS, kernels: [cName] });
    if (typeof c === 'string') return fallback(c);
    const cRow = c.get(cName);
    if (!cRow) return fallback(`the C kernels printed no figure for ${cName}`);
    for (const spec of KERNELS.filter((k) => k.c === cName)) {
      const kernel = kernels.get(spec.name);
      if (!kernel) return fallback(`kernel ${spec.name} missing on the JavaScript side`);
      const js = timeKernel(kernel, minRunMs, repetitions);
      if (js.checksum !== cRow.checksum) return fallback(`kernel ${spec.name}: JavaScript checksum ${js.checksum} != C checksum ${cRow.checksum}, so the two sides do not do the same work`);
      figures.push({ ...spec, jsNs: js.ns, jsRange: js.range, cNs: cRow.ns, cRange: cRow.range, factor: cRow.ns / js.ns });
    }
  }
  const inMean = figures.filter((f) => f.inMean).map((f) => f.factor);
  const factor = Math.exp(inMean.reduce((s, f) => s + Math.log(f), 0) / inMean.length);
  if (!Number.isFinite(factor) || factor <= 0) return fallback(`the measured factor ${factor} is not a positive number`);
  return {
    ...base, calibrated: true, factor, spread: { min: Math.min(...inMean), max: Math.max(...inMean) }, kernels: figures,
    method:
      `${figures.length} kernels (copy, hash, parse, scan, malloc/free) timed on this machine (${machine.cpuModel}) in JavaScript ` +
      `(Node ${machine.node}) and in C (gcc ${machine.gcc} -O2, glibc memcpy/strchr/malloc); per kernel the median ns/op of ` +
      `${repetitions} runs of >= ${minRunMs} ms of process CPU time, factor = C / JS; overall = geometric mean of the ${inMean.length} kernels the ` +
      `simulator's code resembles (its memcpy is TypedArray.set, so the byte-loop copies are shown but not averaged)`,
  };
}

/** Host GHz / reference GHz: the C time measured here, converted to the reference CPU's clock. */
export function clockRatio(calibration: Calibration, referenceGhz: number): number {
  if (!(referenceGhz > 0)) throw new RangeError(`clockRatio: referenceGhz must be positive (got ${referenceGhz})`);
  return calibration.hostGhz === null ? 1 : calibration.hostGhz / referenceGhz;
}

/** Reference-CPU ns per ns of JavaScript compute: factor × clock ratio; exactly 1 when not calibrated. */
export function computeScaleOf(calibration: Calibration, referenceGhz: number): number {
  const ratio = clockRatio(calibration, referenceGhz);
  return calibration.calibrated ? calibration.factor * ratio : 1;
}

/** One line for a report: the scale, how it was measured and its spread, or loudly that it was not. */
export function describeCalibration(calibration: Calibration, referenceGhz: number): string {
  if (!calibration.calibrated) return `JavaScript time × 1: NOT CALIBRATED (${calibration.reason}), so compute is not scaled to C and gates look cheap next to it`;
  const ratio = clockRatio(calibration, referenceGhz);
  const clock = calibration.hostGhz === null ? 'clock ratio 1 (host clock unknown)' : `clock ratio ${calibration.hostGhz.toFixed(3)}/${referenceGhz} GHz`;
  const n = calibration.kernels.filter((k) => k.inMean).length;
  return (
    `JavaScript time × ${(calibration.factor * ratio).toFixed(4)} = C/JS factor ${calibration.factor.toFixed(4)} ` +
    `(geometric mean of ${n} kernels timed in C and JS here, spread ${calibration.spread.min.toFixed(4)}..${calibration.spread.max.toFixed(4)}; ` +
    `node scripts/calibrate.js) × ${clock}`
  );
}

/** The calibration for a report's JSON `model` object. */
export function calibrationJson(calibration: Calibration, referenceGhz: number): Record<string, unknown> {
  const ratio = clockRatio(calibration, referenceGhz);
  const scale = (f: number): number => (calibration.calibrated ? f * ratio : 1);
  return {
    compute_scale: scale(calibration.factor),
    compute_scale_spread: { min: scale(calibration.spread.min), max: scale(calibration.spread.max) },
    calibration: {
      calibrated: calibration.calibrated,
      ...(calibration.reason === undefined ? {} : { reason: calibration.reason }),
      factor: calibration.factor,
      factor_spread: calibration.spread,
      clock_ratio: ratio,
      host_ghz: calibration.hostGhz,
      host_clock_source: calibration.hostClockSource,
      reference_ghz: referenceGhz,
      machine: calibration.machine,
      date: calibration.date,
      method: calibration.method,
      kernels: calibration.kernels.map((k) => ({ name: k.name, c: k.c, in_mean: k.inMean, js_ns: k.jsNs, c_ns: k.cNs, factor: k.factor })),
    },
  };
}

export interface Timing {
  readonly checksum: number;
  readonly ns: number;
  readonly range: readonly [number, number];
}

/**
 * The same protocol as the C harness: checksum run, size a run to >= minRunMs (JIT warm-up), then the
 * median of repetitions. Both sides count CPU time, not wall time: on a shared, oversubscribed machine
 * preemption would otherwise decide the factor (wall time varied by ±30% between runs, CPU time by ±2%).
 */
function timeKernel(kernel: Kernel, minRunMs: number, repetitions: number): Timing {
  const checksum = kernel(CHECK_ITERATIONS);
  const minNs = minRunMs * 1e6;
  const run = (n: number): number => {
    const t0 = process.cpuUsage();
    kernel(n);
    const d = process.cpuUsage(t0);
    return (d.user + d.system) * 1000;
  };
  let n = 1000;
  while (run(n) < minNs) n *= 2;
  const perOp = Array.from({ length: repetitions }, () => run(n) / n).sort((a, b) => a - b);
  return { checksum, ns: perOp[repetitions >> 1]!, range: [perOp[0]!, perOp[repetitions - 1]!] };
}

/**
 * Compiles a C kernel program (default: the calibration kernels) once per source, compiler version
 * and libraries (linked as -l<name>) into cacheDir; `error` says why it could not.
 */
export function buildCKernels(
  cacheDir: string,
  options: { compiler: string; source?: string; prefix?: string; libraries?: readonly string[] },
): { path: string; error?: undefined } | { error: string } {
  const gcc = compilerVersion(options.compiler);
  if (gcc === null) return { error: `C compiler ${JSON.stringify(options.compiler)} not found` };
  const source = options.source ?? C_SOURCE;
  const links = (options.libraries ?? []).map((l) => `-l${l}`);
  const hash = createHash('sha256').update(source).update(options.compiler).update(gcc);
  if (links.length > 0) hash.update(links.join(' ')); // without libraries, the names (and cached binaries) stay as they were
  const path = join(cacheDir, `${options.prefix ?? 'kernels'}-${hash.digest('hex').slice(0, 12)}`);
  if (existsSync(path)) return { path };
  writeAtomically(`${path}.c`, source);
  const temporary = `${path}.${process.pid}.tmp`;
  const built = spawnSync(options.compiler, ['-O2', '-o', temporary, `${path}.c`, ...links], { encoding: 'utf8' });
  if (built.status !== 0) return { error: `${[options.compiler, '-O2', ...links].join(' ')} failed: ${(built.stderr || String(built.error)).trim().split('\n').slice(0, 3).join(' / ')}` };
  renameSync(temporary, path);
  return { path };
}

/** Runs the compiled C kernels (all, or the ones named); a string says why they could not run. */
export function runCKernels(binary: string, options: { minRunMs: number; repetitions: number; iterations: number; kernels?: readonly string[] }): Map<string, Timing> | string {
  const args = [String(options.minRunMs), String(options.repetitions), String(options.iterations), ...(options.kernels ?? [])];
  const ran = spawnSync(binary, args, { encoding: 'utf8', timeout: 120_000 });
  if (ran.status !== 0) return `the C kernels failed (${ran.error ? String(ran.error) : `exit ${ran.status ?? ran.signal}`}): ${ran.stderr.trim()}`;
  const rows = new Map<string, Timing>();
  for (const line of ran.stdout.trim().split('\n')) {
    const [name, checksum, , median, min, max] = line.split(' ');
    if (name) rows.set(name, { checksum: Number(checksum), ns: Number(median), range: [Number(min), Number(max)] });
  }
  return rows;
}

export function compilerVersion(compiler: string): string | null {
  const r = spawnSync(compiler, ['-dumpfullversion'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

export function machineOf(compiler: string): Calibration['machine'] {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux: os.cpus() has it
  }
  return { cpuModel, node: process.version, gcc: compilerVersion(compiler), kernels: KERNELS_ID };
}

/** The highest clock this CPU runs at: cpufreq's maximum (what lscpu shows as max MHz), else /proc/cpuinfo's. */
export function hostClock(): { ghz: number | null; source: string } {
  try {
    const khz = Number(readFileSync('/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq', 'utf8'));
    if (khz > 0) return { ghz: khz / 1e6, source: 'cpufreq cpuinfo_max_freq' };
  } catch {
    // no cpufreq (virtual machines): /proc/cpuinfo has the nominal clock
  }
  try {
    const mhz = [...readFileSync('/proc/cpuinfo', 'utf8').matchAll(/^cpu MHz\s*:\s*([\d.]+)/gm)].map((m) => Number(m[1]));
    if (mhz.length > 0 && Math.max(...mhz) > 0) return { ghz: Math.max(...mhz) / 1000, source: '/proc/cpuinfo cpu MHz' };
  } catch {
    // not Linux
  }
  const speed = cpus()[0]?.speed ?? 0;
  return speed > 0 ? { ghz: speed / 1000, source: 'os.cpus() speed' } : { ghz: null, source: 'unknown' };
}

export function writeAtomically(file: string, text: string): void {
  const dir = join(file, '..');
  mkdirSync(dir, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file); // concurrent calibrations (parallel tests) never see half a file
}
