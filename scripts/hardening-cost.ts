// `node scripts/hardening-cost.js`: what each hardening option costs each library's compute, as the
// compiler charges it on this machine. Builds C kernels with and without each option, times them in
// alternation and prints the slowdowns per kernel and per library; cached (compartments/model/hardening-cost.ts).

import { HARDENING_KERNELS } from '../compartments/model/hardening-kernels.js';
import { defaultCacheDir } from '../compartments/model/calibration.js';
import { HARDENING_VARIANTS, loadHardeningCosts, type HardeningVariant, type VariantFigure } from '../compartments/model/hardening-cost.js';
import { commaList, numberOption, parseCommandLine, runCommand, UsageError } from './cli.js';
import { printTable } from './table.js';

const USAGE = `usage: node scripts/hardening-cost.js [options]

Measures what each hardening option costs the C the simulated libraries stand for: ${HARDENING_KERNELS.length} small
kernels (copies, RESP/HTTP parsing, hashing, list, tree and skip-list walks, a TLSF allocator,
internet checksums) built with and without the option by the compiler FlexOS uses for it, all
at -O2, and timed back to back on this machine:
  kasan           gcc -fsanitize=kernel-address, or -fsanitize=address where that does not link
  ubsan           gcc -fsanitize=undefined
  stackprotector  gcc -fstack-protector-all
  cfi             clang -flto -fvisibility=hidden -fsanitize=cfi (against clang -flto -fvisibility=hidden)
  safestack       clang -fsanitize=safe-stack
  H               kasan + ubsan + stackprotector built together
A kernel's slowdown is the median of the rounds' variant/baseline time ratios; a library's is the
geometric mean over the kernels that stand for its work. An option whose compiler is missing or
that does not build is reported as not measured, with the reason. The result is cached in
${defaultCacheDir()} ($FLEXOS_SIM_CACHE) and measured again when the CPU model, a compiler
or the kernels change.

options:
  --recalibrate        measure again even when the cache matches
  --min-run-ms <n>     CPU time of one timed run of one kernel, in ms (default 4; implies --recalibrate)
  --repetitions <n>    rounds of pairs, the median is kept (default 7; implies --recalibrate)
  --variants <list>    comma-separated, of ${HARDENING_VARIANTS.join(', ')} (default all)
  --gcc <path>         the gcc to use (default gcc)
  --clang <path>       the clang to use (default clang)
  --json               print one JSON object on stdout instead of the tables
  --help               this text`;

const OPTIONS = {
  recalibrate: { type: 'boolean' },
  'min-run-ms': { type: 'string' },
  repetitions: { type: 'string' },
  variants: { type: 'string' },
  gcc: { type: 'string' },
  clang: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine(process.argv.slice(2), OPTIONS, USAGE);
  if (values['help']) return void process.stdout.write(USAGE + '\n'), 0;
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}\n\n${USAGE}`);
  const minRunMs = numberOption(values, 'min-run-ms', 4, { min: 0.1, max: 10_000 });
  const repetitions = numberOption(values, 'repetitions', 7, { min: 1, max: 99, integer: true });
  const variants = variantsOption(values['variants']);
  const recalibrate = values['recalibrate'] === true || values['min-run-ms'] !== undefined || values['repetitions'] !== undefined;
  const say = (line: string): void => void process.stderr.write(line + '\n');
  const costs = loadHardeningCosts({
    recalibrate, minRunMs, repetitions, say,
    ...(variants === undefined ? {} : { variants }),
    ...(typeof values['gcc'] === 'string' ? { gcc: values['gcc'] } : {}),
    ...(typeof values['clang'] === 'string' ? { clang: values['clang'] } : {}),
  });
  const m = costs.measurement;
  const measured = m.variants.filter((v) => v.measured);
  if (values['json']) {
    process.stdout.write(JSON.stringify({ cached: costs.cached, ...m }) + '\n');
    return measured.length > 0 ? 0 : 1;
  }
  const out = (line: string): void => void process.stdout.write(line + '\n');
  out(`hardening cost, ${costs.cached ? `cached from ${m.date} (--recalibrate to measure again)` : `measured ${m.date}`}`);
  out(`machine: ${m.key.cpuModel}; gcc ${m.key.gcc ?? 'NOT FOUND'}; clang ${m.key.clang ?? 'NOT FOUND'}`);
  out('');
  for (const v of m.variants) out(`${v.variant.padEnd(15)} ${describeVariant(v)}`);
  if (measured.length > 0) {
    const cell = (f: { factor: number; range: readonly [number, number] }): string => `${f.factor.toFixed(2)} ${f.range[0].toFixed(2)}-${f.range[1].toFixed(2)}`;
    out('');
    out('slowdown per kernel: variant time / baseline time, median of the rounds and their min-max');
    printTable(['kernel', ...measured.map((v) => v.variant)], HARDENING_KERNELS.map((k) => [k.name, ...measured.map((v) => cell(v.kernels.find((x) => x.kernel === k.name)!))]));
    out('');
    out('slowdown per library: geometric mean over its kernels (and of their minima and maxima)');
    const libraries = measured[0]!.libraries.map((l) => l.library);
    printTable(
      ['library', ...measured.map((v) => v.variant), 'kernels'],
      libraries.map((library) => [library, ...measured.map((v) => cell(v.libraries.find((l) => l.library === library)!)), measured[0]!.libraries.find((l) => l.library === library)!.kernels.join(', ')]),
    );
  }
  out('');
  out(`method: ${m.method}`);
  return measured.length > 0 ? 0 : 1;
}

function describeVariant(v: VariantFigure): string {
  if (!v.measured) return `NOT MEASURED (${v.stage}): ${v.reason}`;
  const own = v.flags.filter((f) => !v.baselineFlags.includes(f));
  return `${v.compiler} ${v.compilerVersion} ${own.join(' ')} vs ${v.baselineFlags.join(' ')}${v.note === undefined ? '' : `\n${' '.repeat(16)}(${v.note})`}`;
}

function variantsOption(raw: string | boolean | undefined): HardeningVariant[] | undefined {
  if (typeof raw !== 'string') return undefined;
  const names = commaList(raw);
  const bad = names.find((n) => !(HARDENING_VARIANTS as readonly string[]).includes(n));
  if (bad !== undefined || names.length === 0) throw new UsageError(`--variants: ${JSON.stringify(bad ?? raw)} is not valid; expected a comma-separated list of ${HARDENING_VARIANTS.join(', ')}`);
  return names as HardeningVariant[];
}

await runCommand(main);
