// The compute-scale calibration: the JavaScript and C kernels do the same work (equal checksums),
// the factor is a positive number inside its spread, the cache is reused and invalidated, and
// without a C compiler the scale falls back to 1 and says so.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KERNELS, jsKernels } from '../../../compartments/model/calibration-kernels.js';
import {
  buildCKernels, calibrate, calibrationJson, CHECK_ITERATIONS, clockRatio, computeScaleOf, describeCalibration, loadCalibration, runCKernels,
} from '../../../compartments/model/calibration.js';

const hasGcc = spawnSync('gcc', ['-dumpfullversion']).status === 0;
const noGcc = hasGcc ? false : 'gcc is not installed';
const quick = { minRunMs: 1, repetitions: 3 } as const;
/** A fresh cache directory, removed when the test ends. */
const scratch = (t: { teardown(fn: () => void): void }): string => {
  const dir = mkdtempSync(join(tmpdir(), 'flexos-calibration-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

t.test('the JavaScript kernels return the same checksums as the C kernels for the same inputs', { skip: noGcc }, async (t) => {
  const binary = buildCKernels(scratch(t), { compiler: 'gcc' });
  if (binary.error !== undefined) throw new Error(binary.error);
  const kernels = jsKernels();
  for (const iterations of [CHECK_ITERATIONS, 777]) {
    const c = runCKernels(binary.path, { minRunMs: 0.01, repetitions: 1, iterations });
    if (typeof c === 'string') throw new Error(c);
    t.equal(c.size, new Set(KERNELS.map((k) => k.c)).size, 'one row per C kernel');
    for (const spec of KERNELS) {
      const js = kernels.get(spec.name)!(iterations);
      t.equal(js, c.get(spec.c)?.checksum, `${spec.name} == C ${spec.c} after ${iterations} operations`);
      t.not(js, 0, `${spec.name} did some work`);
    }
  }
  // The checksums depend on the work done: they are not a constant both sides would agree on anyway.
  t.not(kernels.get('fnv1a-16')!(100), kernels.get('fnv1a-16')!(101));
  t.not(kernels.get('copy-64-set')!(100), kernels.get('copy-4096-set')!(100));
});

t.test('a calibration has a finite positive factor inside its spread, and a scale of factor × clock ratio', { skip: noGcc }, async (t) => {
  const cal = calibrate({ cacheDir: scratch(t), ...quick });
  t.ok(cal.calibrated, cal.reason ?? 'calibrated');
  t.ok(Number.isFinite(cal.factor) && cal.factor > 0, `factor ${cal.factor}`);
  t.ok(cal.spread.min <= cal.factor && cal.factor <= cal.spread.max, 'the geometric mean lies within the spread');
  t.equal(cal.kernels.length, KERNELS.length);
  for (const k of cal.kernels) {
    t.ok(k.jsNs > 0 && k.cNs > 0, `${k.name} timed on both sides`);
    t.ok(Math.abs(k.factor - k.cNs / k.jsNs) < 1e-12, `${k.name} factor = C / JS`);
    t.ok(k.jsRange[0] <= k.jsNs && k.jsNs <= k.jsRange[1], `${k.name} JS median within its repetitions`);
  }
  const inMean = cal.kernels.filter((k) => k.inMean).map((k) => k.factor);
  t.ok(Math.abs(cal.factor - Math.exp(inMean.reduce((s, f) => s + Math.log(f), 0) / inMean.length)) < 1e-12, 'geometric mean of the kernels in the mean');
  t.notOk(cal.kernels.find((k) => k.name === 'copy-4096-loop')?.inMean, 'the byte-loop copy is not in the mean (the simulator copies with TypedArray.set)');
  const ratio = clockRatio(cal, 2.2);
  t.equal(ratio, cal.hostGhz === null ? 1 : cal.hostGhz / 2.2);
  t.equal(computeScaleOf(cal, 2.2), cal.factor * ratio);
  t.ok(Math.abs(computeScaleOf(cal, 4.4) - (computeScaleOf(cal, 2.2) / 2) * (cal.hostGhz === null ? 2 : 1)) < 1e-12, 'a faster reference CPU means a smaller scale');
  const json = calibrationJson(cal, 2.2) as { compute_scale: number; compute_scale_spread: { min: number; max: number }; calibration: { kernels: unknown[] } };
  t.equal(json.compute_scale, computeScaleOf(cal, 2.2));
  t.ok(json.compute_scale_spread.min <= json.compute_scale && json.compute_scale <= json.compute_scale_spread.max);
  t.equal(json.calibration.kernels.length, KERNELS.length);
  t.match(describeCalibration(cal, 2.2), /^JavaScript time × [\d.]+ = C\/JS factor [\d.]+ \(geometric mean of 6 kernels/);
});

t.test('the cache is reused, and measured again when the machine differs or on request', { skip: noGcc }, async (t) => {
  const cacheDir = scratch(t);
  const first = loadCalibration({ cacheDir, ...quick });
  t.equal(first.cached, false, 'nothing cached yet');
  const file = join(cacheDir, 'compute-scale.json');
  t.ok(existsSync(file), 'the result is written to the cache');
  const second = loadCalibration({ cacheDir, ...quick });
  t.equal(second.cached, true, 'the second load reads the cache');
  t.equal(second.date, first.date);
  t.equal(second.factor, first.factor);

  for (const [field, value] of [['node', 'v0.0.0'], ['gcc', '1.0'], ['cpuModel', 'Some Other CPU']] as const) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { machine: Record<string, string>; date: string };
    stored.machine[field] = value;
    writeFileSync(file, JSON.stringify(stored));
    const again = loadCalibration({ cacheDir, ...quick });
    t.equal(again.cached, false, `a cache made with another ${field} is not used`);
    t.not(again.machine[field], value);
    t.equal(loadCalibration({ cacheDir, ...quick }).cached, true, `and the new one is cached (${field})`);
  }
  const forced = loadCalibration({ cacheDir, recalibrate: true, ...quick });
  t.equal(forced.cached, false, 'recalibrate measures again');
  writeFileSync(file, '{ half a fi');
  t.equal(loadCalibration({ cacheDir, ...quick }).cached, false, 'an unreadable cache is measured again');
});

t.test('without a C compiler the scale is 1, said loudly, and nothing is cached', async (t) => {
  const cacheDir = scratch(t);
  const compiler = join(cacheDir, 'no-such-gcc');
  const cal = loadCalibration({ cacheDir, compiler, ...quick });
  t.equal(cal.calibrated, false);
  t.match(cal.reason, /no-such-gcc.*not found/);
  t.equal(cal.factor, 1);
  t.equal(computeScaleOf(cal, 2.2), 1, 'JavaScript time is used as is, not even scaled by the clock ratio');
  t.match(describeCalibration(cal, 2.2), /NOT CALIBRATED/);
  t.match(calibrationJson(cal, 2.2), { compute_scale: 1, compute_scale_spread: { min: 1, max: 1 }, calibration: { calibrated: false } });
  t.notOk(existsSync(join(cacheDir, 'compute-scale.json')), 'a fallback is not cached');
});

t.test('a cached calibration is not used once its compiler is gone', { skip: noGcc }, async (t) => {
  const cacheDir = scratch(t);
  t.ok(loadCalibration({ cacheDir, ...quick }).calibrated);
  const cal = loadCalibration({ cacheDir, compiler: join(cacheDir, 'missing'), ...quick });
  t.equal(cal.calibrated, false, 'the gcc version no longer matches');
});

t.test('bad options are RangeErrors naming the option', async (t) => {
  t.throws(() => calibrate({ minRunMs: 0 }), { name: 'RangeError', message: /options\.minRunMs/ });
  t.throws(() => calibrate({ repetitions: 0 }), { name: 'RangeError', message: /options\.repetitions/ });
  t.throws(() => calibrate({ repetitions: 64 }), { name: 'RangeError', message: /options\.repetitions/ });
  const fallback = calibrate({ compiler: '/nonexistent/gcc', ...quick });
  t.throws(() => clockRatio(fallback, 0), { name: 'RangeError', message: /referenceGhz/ });
});
