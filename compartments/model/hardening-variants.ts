// How each hardening option is compiled (FlexOS builds a hardened library with these flags), and the
// unhardened baseline each one is compared with: the same compiler, the same -O2, the option's flags
// only. Builds the hardening kernels once per source, compiler version and flags into the cache dir.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HardeningOption } from '../../kernel/abi/library.js';

/** A measured build: one hardening option, or `H` (kasan + ubsan + stackprotector compiled together). */
export type HardeningVariant = HardeningOption | 'H';
export const HARDENING_VARIANTS: readonly HardeningVariant[] = ['kasan', 'ubsan', 'stackprotector', 'cfi', 'safestack', 'H'];

export type CompilerFamily = 'gcc' | 'clang';
export type BaselineName = 'gcc' | 'clang' | 'clang-lto';

/**
 * Flags on every build, baseline and variant alike. -fno-stack-protector: the baseline is unhardened
 * whatever the distribution's default (a variant's -fstack-protector-all comes later and wins).
 * -falign-loops=64: an option that shifts a hot loop across a fetch block otherwise shows up as a
 * cost of tens of percent that the next edit of the library would take away again (seen here: the
 * internet checksum 1.8× slower with -fstack-protector-all on an AMD EPYC, with an identical inner loop).
 */
export const COMMON_FLAGS: readonly string[] = ['-O2', '-falign-loops=64', '-fno-stack-protector'];

/**
 * CFI needs LTO and hidden visibility; its baseline has them too, so that only the checks count. With
 * LTO the code is generated in the linker, which never sees -falign-loops: it is told again (without
 * it the internet checksum's loop read 1.5× faster under CFI, by where it happened to fall).
 */
const LTO: readonly string[] = ['-flto', '-fvisibility=hidden', '-Wl,-plugin-opt=-align-loops=64'];

/** The unhardened builds, each by the compiler of the variants compared with it. */
export const BASELINES: Readonly<Record<BaselineName, { readonly flags: readonly string[] }>> = {
  gcc: { flags: [] },
  clang: { flags: [] },
  'clang-lto': { flags: LTO },
};

export interface VariantRecipe {
  readonly family: CompilerFamily;
  readonly baseline: BaselineName;
  /** Flag sets to try in order: the first that builds and links is used. */
  readonly candidates: readonly (readonly string[])[];
}

// KASan proper (-fsanitize=kernel-address) has no runtime in user space (its __asan_load*_noabort
// live in the kernel), so it is tried first and user-space ASan, the same shadow checks, is the fallback.
const KASAN: readonly (readonly string[])[] = [['-fsanitize=kernel-address'], ['-fsanitize=address']];

export const VARIANT_RECIPES: Readonly<Record<HardeningVariant, VariantRecipe>> = {
  kasan: { family: 'gcc', baseline: 'gcc', candidates: KASAN },
  ubsan: { family: 'gcc', baseline: 'gcc', candidates: [['-fsanitize=undefined']] },
  stackprotector: { family: 'gcc', baseline: 'gcc', candidates: [['-fstack-protector-all']] },
  H: { family: 'gcc', baseline: 'gcc', candidates: KASAN.map((k) => [...k, '-fsanitize=undefined', '-fstack-protector-all']) },
  cfi: { family: 'clang', baseline: 'clang-lto', candidates: [[...LTO, '-fsanitize=cfi']] },
  safestack: { family: 'clang', baseline: 'clang', candidates: [['-fsanitize=safe-stack']] },
};

/** Sanitizer runtimes: no leak check at exit (the kernels keep their data to the end, as a library does). */
export const SANITIZER_ENV: Readonly<Record<string, string>> = { ASAN_OPTIONS: 'detect_leaks=0', UBSAN_OPTIONS: 'print_stacktrace=1' };

/** The compiler's version, or null when it cannot be run. */
export function compilerVersion(compiler: string): string | null {
  const r = spawnSync(compiler, ['-dumpversion'], { encoding: 'utf8' });
  const full = r.status === 0 ? spawnSync(compiler, ['-dumpfullversion'], { encoding: 'utf8' }) : r;
  // gcc prints its full version only with -dumpfullversion; clang knows only -dumpversion.
  if (full.status === 0 && full.stdout.trim() !== '') return full.stdout.trim();
  return r.status === 0 ? r.stdout.trim() : null;
}

export interface Built {
  readonly path: string;
  readonly flags: readonly string[];
  /** Why earlier candidates were passed over (kasan: kernel-address does not link in user space). */
  readonly note?: string;
}

/**
 * Compiles `source` with each candidate flag set in turn until one builds and links; the binary is
 * cached under a hash of the source, compiler, version and flags, and so is a failure (`.failed`,
 * holding the compiler's complaint), so that kernel-address is not retried on every measurement.
 * A candidate with a fallback after it is first tried on a few lines of C: a refusal costs no full build.
 * A string says why none built.
 */
export function buildVariant(source: string, options: { cacheDir: string; compiler: string; version: string; candidates: readonly (readonly string[])[] }): Built | string {
  const failures: string[] = [];
  for (const [i, candidate] of options.candidates.entries()) {
    const flags = [...COMMON_FLAGS, ...candidate];
    const id = createHash('sha256').update(source).update(options.compiler).update(options.version).update(flags.join(' ')).digest('hex').slice(0, 12);
    const path = join(options.cacheDir, `hardening-${id}`);
    const note = failures.length > 0 ? failures.join('; ') : undefined;
    if (existsSync(path)) return { path, flags, ...(note === undefined ? {} : { note }) };
    if (existsSync(`${path}.failed`)) {
      failures.push(readFileSync(`${path}.failed`, 'utf8'));
      continue;
    }
    mkdirSync(options.cacheDir, { recursive: true });
    const probe = i < options.candidates.length - 1 ? compile(PROBE_SOURCE, flags, options.compiler, `${path}.probe`) : {};
    rmSync(`${path}.probe`, { force: true });
    const built = probe.error !== undefined ? probe : compile(source, flags, options.compiler, path);
    if (built.error === undefined) return { path, flags, ...(note === undefined ? {} : { note }) };
    const failure = `${options.compiler} ${candidate.join(' ')} does not build: ${built.error}`;
    failures.push(failure);
    if (built.refused) writeFileSync(`${path}.failed`, failure); // a compiler that ran and refused: it will refuse again
  }
  return failures.join('; ');
}

/** Loads, stores and an indirect call: what every option instruments, in a program that links in a moment. */
const PROBE_SOURCE = 'static int add(int a, int b) { return a + b; }\nint (*volatile op)(int, int) = add;\nint main(int argc, char **argv) { char b[8] = { 0 }; b[argc & 7] = argv[0][0]; return op(b[1], argc) == 1 ? 0 : 2; }\n';

/** One compile into `output` (through a temporary, so that parallel builds never see half a binary). */
function compile(source: string, flags: readonly string[], compiler: string, output: string): { error?: string; refused?: boolean } {
  const file = `${output}.${process.pid}.c`;
  const temporary = `${output}.${process.pid}.tmp`;
  writeFileSync(file, source);
  const built = spawnSync(compiler, [...flags, '-o', temporary, file], { encoding: 'utf8' });
  rmSync(file, { force: true });
  if (built.status === 0) {
    renameSync(temporary, output);
    return {};
  }
  rmSync(temporary, { force: true });
  return { error: complaint(built.stderr || String(built.error)), refused: built.error === undefined };
}

/** The telling line of a compiler's complaint (an undefined reference, an error), without file names. */
function complaint(text: string): string {
  const lines = text.split('\n').map((l) => l.replace(/^\S*:(?:\(\S*\))?:?\s*/, '').trim()).filter((l) => l !== '' && !/^(?:collect2|clang):/.test(l));
  return lines.find((l) => /undefined reference|error/.test(l)) ?? lines[0] ?? 'no message';
}
