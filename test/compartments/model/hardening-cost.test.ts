// The hardening cost: every hardened build of the kernels computes what its baseline computes, the
// slowdowns are ratios no option makes much below 1, libraries take the geometric mean of their
// kernels, the cache is reused and invalidated, and a missing compiler is "not measured" with a reason.

import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HARDENING_KERNELS, HARDENING_C_SOURCE, LIBRARY_KERNELS } from '../../../compartments/model/hardening-kernels.js';
import {
  CHECK_ITERATIONS, hardeningCostsOf, loadHardeningCosts, measureHardeningCosts, runKernelCheck, type HardeningMeasurement, type VariantFigure,
} from '../../../compartments/model/hardening-cost.js';
import { KERNEL_LIBRARIES } from '../../../kernel/libraries.js';
import { BASELINES, buildVariant, compilerVersion, HARDENING_VARIANTS, VARIANT_RECIPES, type HardeningVariant } from '../../../compartments/model/hardening-variants.js';

const gcc = compilerVersion('gcc');
const clang = compilerVersion('clang');
const noGcc = gcc === null ? 'gcc is not installed' : false;
/** The variants whose compiler is installed here. */
const buildable = HARDENING_VARIANTS.filter((v) => (VARIANT_RECIPES[v].family === 'gcc' ? gcc : clang) !== null);
const quick = { minRunMs: 2, repetitions: 5 } as const;
/** For tests of the cache and the fallbacks, where the figures do not matter. */
const quicker = { minRunMs: 0.2, repetitions: 1 } as const;
// One cache directory for the file: each binary is built once, by the first test that needs it.
const shared = mkdtempSync(join(tmpdir(), 'flexos-hardening-'));
t.teardown(() => rmSync(shared, { recursive: true, force: true }));
const scratch = (t: { teardown(fn: () => void): void }): string => {
  const dir = mkdtempSync(join(tmpdir(), 'flexos-hardening-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

t.test('every hardened build computes the same checksums as its unhardened baseline', { skip: noGcc }, async (t) => {
  t.ok(buildable.length > 0);
  if (clang === null) t.comment('clang is not installed: cfi and safestack are not checked');
  for (const variant of buildable) {
    const recipe = VARIANT_RECIPES[variant];
    const compiler = { compiler: recipe.family, version: (recipe.family === 'gcc' ? gcc : clang)!, cacheDir: shared };
    const baseline = buildVariant(HARDENING_C_SOURCE, { ...compiler, candidates: [BASELINES[recipe.baseline].flags] });
    const hardened = buildVariant(HARDENING_C_SOURCE, { ...compiler, candidates: recipe.candidates });
    if (typeof baseline === 'string' || typeof hardened === 'string') throw new Error(`${variant}: ${String(baseline)} ${String(hardened)}`);
    t.not(hardened.path, baseline.path, `${variant} is a build of its own`);
    for (const iterations of [CHECK_ITERATIONS, 777]) {
      const want = runKernelCheck(baseline.path, iterations);
      const got = runKernelCheck(hardened.path, iterations);
      if (typeof want === 'string' || typeof got === 'string') throw new Error(`${variant}: ${String(want)} ${String(got)}`);
      t.same([...got.keys()], HARDENING_KERNELS.map((k) => k.name), `${variant}: one checksum per kernel`);
      t.same(got, want, `${variant} after ${iterations} operations: the instrumentation does not change the work`);
    }
  }
  const plain = buildVariant(HARDENING_C_SOURCE, { compiler: 'gcc', version: gcc!, cacheDir: shared, candidates: [BASELINES.gcc.flags] });
  if (typeof plain === 'string') throw new Error(plain);
  const a = runKernelCheck(plain.path, 100) as Map<string, number>, b = runKernelCheck(plain.path, 101) as Map<string, number>;
  for (const k of HARDENING_KERNELS) {
    t.not(a.get(k.name), 0, `${k.name} did some work`);
    t.not(a.get(k.name), b.get(k.name), `${k.name}'s checksum depends on the work done`);
  }
});

t.test('kasan falls back to user-space ASan when kernel-address does not link, and says so', { skip: noGcc }, async (t) => {
  const built = buildVariant(HARDENING_C_SOURCE, { compiler: 'gcc', version: gcc!, cacheDir: shared, candidates: VARIANT_RECIPES.kasan.candidates });
  if (typeof built === 'string') throw new Error(built);
  if (built.flags.includes('-fsanitize=kernel-address')) return void t.pass('kernel-address links here: no fallback needed');
  t.ok(built.flags.includes('-fsanitize=address'));
  t.match(built.note, /kernel-address does not build: .*__asan_\w+_noabort/, 'the note names the missing KASan runtime');
});

t.test('a measurement times every variant against its baseline', { skip: noGcc }, async (t) => {
  const m = measureHardeningCosts({ cacheDir: shared, ...quick, variants: buildable });
  t.same(m.variants.map((v) => v.variant), buildable);
  for (const v of m.variants) {
    t.ok(v.measured, `${v.variant} measured${v.reason ? `: ${v.reason}` : ''}`);
    t.equal(v.kernels.length, HARDENING_KERNELS.length);
    for (const k of v.kernels) {
      t.ok(k.range[0] <= k.factor && k.factor <= k.range[1], `${v.variant} ${k.kernel}: the median ${k.factor} lies in its range`);
      // Instrumentation adds work: no kernel gets much faster in every round (one round alone is noisy here,
      // and a layout shift can make a pointer chase some 10% faster, as the list walk with -fstack-protector-all).
      t.ok(k.range[1] >= 0.85, `${v.variant} ${k.kernel}: slowest round ${k.range[1].toFixed(3)} >= 0.85`);
    }
    const mean = Math.exp(v.kernels.reduce((s, k) => s + Math.log(k.factor), 0) / v.kernels.length);
    t.ok(mean >= 0.9, `${v.variant}: geometric mean slowdown over the kernels ${mean.toFixed(3)} >= 0.9`);
    t.equal(v.libraries.length, LIBRARY_KERNELS.size);
    for (const l of v.libraries) {
      const logs = l.kernels.map((n) => Math.log(v.kernels.find((k) => k.kernel === n)!.factor));
      t.ok(Math.abs(l.factor - Math.exp(logs.reduce((s, x) => s + x, 0) / logs.length)) < 1e-9, `${v.variant} ${l.library}: the geometric mean of its kernels`);
      t.ok(l.range[0] <= l.factor && l.factor <= l.range[1], `${v.variant} ${l.library}: within its range`);
    }
  }
  // The sanitizers' checks on every access cost a lot, far beyond the noise: proof the flags took effect.
  const h = m.variants.find((v) => v.variant === 'H')!;
  const all = Math.exp(h.kernels.reduce((s, k) => s + Math.log(k.factor), 0) / h.kernels.length);
  t.ok(all > 1.3, `H slows the kernels down by ${all.toFixed(2)}× on the geometric mean`);
  t.equal(h.flags[0], '-O2', 'built at -O2');
  t.ok(h.flags.includes('-fsanitize=undefined') && h.flags.includes('-fstack-protector-all'), 'H is the three options in one build');
});

t.test('the cache is reused, and measured again when the CPU, a compiler or the source differs, or on request', { skip: noGcc }, async (t) => {
  const options = { cacheDir: shared, ...quicker, variants: ['stackprotector'] as HardeningVariant[] };
  const first = loadHardeningCosts(options);
  t.equal(first.cached, false, 'nothing cached yet');
  const file = join(shared, 'hardening-cost.json');
  t.ok(existsSync(file), 'the result is written to the cache');
  const second = loadHardeningCosts(options);
  t.equal(second.cached, true, 'the second load reads the cache');
  t.equal(second.measurement.date, first.measurement.date);
  t.same(second.slowdown('redis', ['stackprotector']), first.slowdown('redis', ['stackprotector']));
  for (const [field, value] of [['cpuModel', 'Some Other CPU'], ['gcc', '1.0'], ['clang', '2.0'], ['source', 'edited']] as const) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { key: Record<string, string> };
    stored.key[field] = value;
    writeFileSync(file, JSON.stringify(stored));
    t.equal(loadHardeningCosts(options).cached, false, `a cache made with another ${field} is not used`);
    t.equal(loadHardeningCosts(options).cached, true, `and the new one is cached (${field})`);
  }
  t.equal(loadHardeningCosts({ ...options, variants: ['stackprotector', 'ubsan'] }).cached, false, 'a variant the cache lacks is measured');
  const subset = loadHardeningCosts({ ...options, variants: ['ubsan'] });
  t.equal(subset.cached, true, 'a subset of the cached variants is read from the cache');
  t.same(subset.measurement.variants.map((v) => v.variant), ['ubsan'], 'and holds only the variants asked for');
  t.equal(loadHardeningCosts({ ...options, recalibrate: true }).cached, false, 'recalibrate measures again');
  writeFileSync(file, '{ half a fi');
  t.equal(loadHardeningCosts(options).cached, false, 'an unreadable cache is measured again');
});

t.test('a missing compiler leaves its options unmeasured with the reason, never a number', async (t) => {
  const cacheDir = scratch(t);
  const noClang = join(cacheDir, 'no-such-clang');
  const costs = loadHardeningCosts({ cacheDir, clang: noClang, ...quicker, variants: ['cfi', 'safestack', ...(noGcc ? [] : ['stackprotector' as const])] });
  for (const variant of ['cfi', 'safestack'] as const) {
    const v = costs.measurement.variants.find((x) => x.variant === variant)!;
    t.equal(v.measured, false, `${variant} not measured`);
    t.equal(v.stage, 'compiler');
    t.match(v.reason, /clang \(".*no-such-clang"\) not found/);
    t.same(v.kernels, []);
    const s = costs.slowdown('redis', [variant]);
    t.equal(s.factor, null, `${variant}: no factor`);
    t.equal(s.source.kind, 'unmeasured');
    t.match(s.source.text, /^NOT MEASURED: .*not found/);
  }
  t.equal(costs.measurement.key.clang, null, 'the cache key says clang was missing, so installing it invalidates the cache');
  if (!noGcc) t.ok(costs.measurement.variants.find((x) => x.variant === 'stackprotector')!.measured, 'the gcc options are measured all the same');
  t.equal(costs.slowdown('redis', ['cfi', 'stackprotector']).factor, null, 'a combination with an unmeasured option is unmeasured');

  const none = loadHardeningCosts({ cacheDir: scratch(t), gcc: join(cacheDir, 'no-such-gcc'), clang: noClang, ...quicker });
  t.ok(none.measurement.variants.every((v) => !v.measured && v.stage === 'compiler'), 'without any compiler nothing is measured');
  t.match(none.measurement.variants.find((v) => v.variant === 'kasan')!.reason, /gcc \(".*no-such-gcc"\) not found/);
});

t.test('slowdown: one measured build per option set, H for kasan+ubsan+stackprotector, products otherwise', async (t) => {
  const library = (variant: string, factor: number): VariantFigure => ({
    variant: variant as HardeningVariant, measured: true, compiler: 'gcc', compilerVersion: '12', baseline: 'gcc', baselineFlags: ['-O2'], flags: ['-O2', `-f${variant}`],
    kernels: [], libraries: [{ library: 'redis', factor, range: [factor * 0.9, factor * 1.1], kernels: ['parse-resp'] }],
  });
  const measurement: HardeningMeasurement = {
    key: { cpuModel: 'x', gcc: '12', clang: null, source: 's' }, date: '2024-01-01T00:00:00.000Z', minRunMs: 1, repetitions: 1, method: 'test',
    variants: [
      library('kasan', 2), library('ubsan', 1.5), library('stackprotector', 1.1), library('H', 3),
      { ...library('cfi', 1), measured: false, stage: 'compiler', reason: 'clang ("clang") not found', libraries: [] },
    ],
  };
  const costs = hardeningCostsOf(measurement);
  t.same(costs.slowdown('redis', []), { factor: 1, source: { kind: 'unhardened', variants: [], text: 'unhardened: factor 1' } });
  t.match(costs.slowdown('redis', ['kasan']), { factor: 2, source: { kind: 'measured', variants: ['kasan'], range: [1.8, 2.2] } });
  const h = costs.slowdown('redis', ['stackprotector', 'kasan', 'ubsan', 'kasan']);
  t.match(h, { factor: 3, source: { kind: 'measured', variants: ['H'] } }, 'the three together read H, not 2 × 1.5 × 1.1');
  t.match(h.source.text, /H measured \(gcc 12 -fH\)/);
  const product = costs.slowdown('redis', ['kasan', 'ubsan']);
  t.equal(product.source.kind, 'product');
  t.ok(Math.abs(product.factor! - 3) < 1e-12);
  t.match(product.source.text, /measured apart, not together/);
  t.match(costs.slowdown('redis', ['kasan', 'ubsan', 'stackprotector', 'cfi']), { factor: null, source: { kind: 'unmeasured', reason: /cfi: clang .* not found/ } });
  t.match(costs.slowdown('redis', ['safestack']), { factor: null, source: { reason: /safestack was not in the measurement/ } });
  t.match(costs.slowdown('pthread-embedded', ['kasan']), { factor: null, source: { kind: 'unmeasured', reason: /no hardening kernel stands for library "pthread-embedded"/ } });
  t.throws(() => costs.slowdown('redis', ['H' as never]), { name: 'TypeError', message: /unknown hardening option "H"/ });
});

t.test('every library the simulator builds has kernels, and every kernel names existing libraries', async (t) => {
  for (const l of KERNEL_LIBRARIES) t.ok(LIBRARY_KERNELS.has(l.name), `${l.name} has kernels`);
  for (const app of ['redis', 'nginx', 'sqlite', 'iperf']) t.ok(LIBRARY_KERNELS.has(app), `${app} has kernels`);
  t.same(LIBRARY_KERNELS.get('lwip'), ['copy-memcpy', 'list-walk', 'alloc-tlsf', 'checksum-inet']);
  t.same(LIBRARY_KERNELS.get('newlib'), ['copy-memcpy', 'copy-loop']);
});

t.test('bad options are RangeErrors naming the option', async (t) => {
  t.throws(() => measureHardeningCosts({ minRunMs: 0 }), { name: 'RangeError', message: /options\.minRunMs/ });
  t.throws(() => measureHardeningCosts({ repetitions: 0 }), { name: 'RangeError', message: /options\.repetitions/ });
  t.throws(() => measureHardeningCosts({ repetitions: 100 }), { name: 'RangeError', message: /options\.repetitions/ });
  t.throws(() => loadHardeningCosts({ variants: ['nope' as HardeningVariant] }), { name: 'RangeError', message: /options\.variants.*"nope"/ });
});
