// The pair runner with stand-in binaries (shell scripts speaking the serve protocol): every round starts
// the binaries anew, each pair's samples carry both sides' figures, and a binary that writes on stderr
// (a sanitizer's report) or dies is named, without taking the other pairs down with it.

import t from 'tap';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUNNER_C_SOURCE, runPairs } from '../../../compartments/model/hardening-runner.js';
import { buildVariant, compilerVersion } from '../../../compartments/model/hardening-variants.js';

const gcc = compilerVersion('gcc');

t.test('rounds in new processes, samples per pair, and the failing binaries named', { skip: gcc === null ? 'gcc is not installed' : false }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flexos-runner-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const runner = buildVariant(RUNNER_C_SOURCE, { cacheDir: dir, compiler: 'gcc', version: gcc!, candidates: [[]] });
  if (typeof runner === 'string') throw new Error(runner);
  const script = (name: string, body: string): string => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n[ "$1" = serve ] || exit 9\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const starts = join(dir, 'starts');
  const baseline = script('baseline.sh', `echo start >> ${starts}\nwhile read k n; do echo "2.0 $n"; done`);
  const slower = script('slower.sh', 'while read k n; do echo "3.0 $n"; done');
  const reports = script('reports.sh', 'echo "k.c:1:1: runtime error: signed integer overflow" >&2\nwhile read k n; do echo "2.5 $n"; done');
  const dies = script('dies.sh', 'read k n\nexit 3');
  const run = runPairs(runner.path, {
    binaries: [baseline, slower, reports, dies],
    pairs: [[0, 1], [0, 2], [0, 3]],
    iterations: new Map([['alpha', 100], ['beta', 7]]),
    rounds: 3,
    env: process.env,
    timeoutMs: 30_000,
  });
  if (typeof run === 'string') throw new Error(run);
  t.equal(readFileSync(starts, 'utf8').trim().split('\n').length, 3, 'the baseline was started once per round');
  const pair0 = run.samples.filter((s) => s.pair === 0);
  t.equal(pair0.length, 6, 'three rounds of two kernels');
  t.same(pair0.map((s) => [s.round, s.kernel]), [[1, 'alpha'], [1, 'beta'], [2, 'alpha'], [2, 'beta'], [3, 'alpha'], [3, 'beta']]);
  t.ok(pair0.every((s) => s.baselineNs === 2 && s.variantNs === 3), 'each side reports its own time');
  t.ok(pair0.every((s) => s.baselineChecksum === s.variantChecksum && s.baselineChecksum === (s.kernel === 'alpha' ? 100 : 7)), 'and its own checksum');
  t.match(run.stderr.get(2), /runtime error: signed integer overflow/, 'the report is kept, under the binary that wrote it');
  t.notOk(run.stderr.has(0) || run.stderr.has(1), 'the quiet binaries wrote nothing');
  t.ok(run.dead.has(3), 'the binary that stopped answering is named');
  t.notOk(run.dead.has(0) || run.dead.has(1), 'the others are alive');
  t.equal(run.samples.filter((s) => s.pair === 2).length, 0, 'a dead binary\'s pair has no samples');
});
