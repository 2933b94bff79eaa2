// The price list's vmstep from SQLite's C library: the program builds and times the simulator's
// INSERTs, the list takes its price per VM step, falls back to the interpreter kernel (and says why)
// without the library, and the cache measures again when the SQLite library or the kernels change.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPrices, measurePrices, type PriceList } from '../../../compartments/model/prices.js';
import { parseSqliteRuns, sqliteLibraryVersion, timeSqliteVmstep } from '../../../compartments/model/sqlite-price-kernel.js';

const hasGcc = spawnSync('gcc', ['-dumpfullversion']).status === 0;
const hasSqlite = hasGcc && spawnSync('gcc', ['-E', '-x', 'c', '-'], { input: '#include <sqlite3.h>\n' }).status === 0;
const noGcc = hasGcc ? false : 'gcc is not installed';
const noSqlite = hasSqlite ? false : 'gcc or libsqlite3-dev (sqlite3.h) is not installed';
const quick = { minRunMs: 1, repetitions: 3 } as const;
/** A library no machine has: the link fails as it does without libsqlite3-dev. */
const MISSING = 'flexos-no-such-sqlite';
const scratch = (t: { teardown(fn: () => void): void }): string => {
  const dir = mkdtempSync(join(tmpdir(), 'flexos-prices-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};
const vmstepOf = (list: PriceList) => list.prices.find((p) => p.kind === 'vmstep');

t.test('the SQLite program times INSERTs of a few VM steps each and prices a step positively', { skip: noSqlite }, async (t) => {
  const dir = scratch(t);
  const s = timeSqliteVmstep(dir, { compiler: 'gcc', ...quick });
  if (typeof s === 'string') throw new Error(s);
  t.match(s.version, /^3\.\d+\.\d+/);
  t.equal(sqliteLibraryVersion(dir, { compiler: 'gcc' }), s.version, 'the version query and the run name the same library');
  t.equal(s.journalMode, 'memory', 'an in-memory database keeps its journal in memory');
  // EXPLAIN of the INSERT: Init, Transaction, Goto, OpenWrite, SoftNull, String8, NewRowid, MakeRecord, Insert, Halt (3.40, 3.54).
  t.ok(s.vmStepsPerInsert >= 5 && s.vmStepsPerInsert <= 60, `${s.vmStepsPerInsert} VM steps per INSERT`);
  t.ok(s.insertsPerRun >= 1000, 'a run is at least the first sizing step');
  t.same([s.rounds, s.runs], [3, 3 * quick.repetitions], 'three processes by default, their runs pooled');
  t.ok(s.nsPerStep.min > 0 && s.nsPerStep.min <= s.nsPerStep.median && s.nsPerStep.median <= s.nsPerStep.max, `ns per step ${JSON.stringify(s.nsPerStep)}`);
  t.ok(Math.abs(s.nsPerInsert.min - s.nsPerStep.min * s.vmStepsPerInsert) < 1e-6 * s.nsPerInsert.min, 'ns per INSERT = ns per step × steps per INSERT');
  // prepare, B-tree and pager: far above one opcode of a toy interpreter (a few ns).
  t.ok(s.nsPerStep.min > 20, `a VM step costs ${s.nsPerStep.min.toFixed(1)} ns`);
});

t.test('the program output parses to the least, median and slowest run; output without a version or runs is an error', async (t) => {
  const s = parseSqliteRuns('libsqlite3 3.40.1 memory\nrun 1000 10000 3000000\nrun 1000 10000 5000000\nrun 1000 10000 4000000\n');
  if (typeof s === 'string') throw new Error(s);
  t.same(s.nsPerStep, { min: 300, median: 400, max: 500 });
  t.same(s.nsPerInsert, { min: 3000, median: 4000, max: 5000 });
  t.equal(s.vmStepsPerInsert, 10);
  t.same([s.rounds, s.runs], [1, 3]);
  t.type(parseSqliteRuns('run 1000 10000 3000000\n'), 'string');
  t.type(parseSqliteRuns('libsqlite3 3.40.1 memory\n'), 'string');
  t.type(parseSqliteRuns('libsqlite3 3.40.1 memory\nrun 1000 0 3000000\n'), 'string');
});

t.test('the price list takes vmstep from SQLite and says what was timed', { skip: noSqlite }, async (t) => {
  const list = measurePrices({ cacheDir: scratch(t), compiler: 'gcc', ...quick });
  t.ok(list.measured, list.reason ?? 'measured');
  const s = list.sqlite;
  if (s === undefined) throw new Error(`no SQLite figures: ${list.vmstepFallback}`);
  t.equal(list.vmstepFallback, undefined);
  t.equal(list.machine.sqlite, s.version);
  const vmstep = vmstepOf(list)!;
  t.same([vmstep.ns, vmstep.median, vmstep.max], [s.nsPerStep.min, s.nsPerStep.median, s.nsPerStep.max]);
  t.match(vmstep.what, `SQLite ${s.version}`);
  t.match(vmstep.what, 'journal_mode=DELETE asked, memory answered');
  t.match(vmstep.source, '-lsqlite3');
  t.match(list.method, `vmstep from SQLite ${s.version}`);
  t.equal(list.prices.length, 12, 'every C-priced kind once');
  t.ok(list.prices.every((p) => p.ns > 0), 'every price positive');
});

t.test('without the SQLite library, vmstep falls back to the interpreter kernel and the list says why', { skip: noGcc }, async (t) => {
  const list = measurePrices({ cacheDir: scratch(t), compiler: 'gcc', sqliteLibrary: MISSING, ...quick });
  t.ok(list.measured, 'the other kinds are still priced');
  t.equal(list.sqlite, undefined);
  t.equal(list.machine.sqlite, null);
  t.match(list.vmstepFallback, `-l${MISSING}`);
  const vmstep = vmstepOf(list)!;
  t.ok(vmstep.ns > 0, 'the interpreter kernel priced it');
  t.match(vmstep.what, /^FALLBACK, SQLite's C library could not be timed \(.*-lflexos-no-such-sqlite/);
  t.match(vmstep.source, 'an interpreter, not SQLite');
  t.match(list.method, 'NOT SQLite');
});

t.test('the cache measures again when the SQLite library version or the kernels change, or the library appears', { skip: noSqlite }, async (t) => {
  const dir = scratch(t);
  const once = { minRunMs: 1, repetitions: 1 } as const; // only whether it measures matters here, not its figures
  const file = join(dir, 'prices.json');
  const first = loadPrices({ cacheDir: dir, ...once });
  t.notOk(first.cached);
  t.ok(first.sqlite, 'priced from SQLite');
  t.ok(loadPrices({ cacheDir: dir, ...once }).cached, 'the same machine, kernels and library: read from the cache');
  const edit = (change: (m: Record<string, unknown>) => void): void => {
    const list = JSON.parse(readFileSync(file, 'utf8')) as { machine: Record<string, unknown> };
    change(list.machine);
    writeFileSync(file, JSON.stringify(list));
  };
  edit((m) => (m['sqlite'] = '3.0.0'));
  const upgraded = loadPrices({ cacheDir: dir, ...once });
  t.notOk(upgraded.cached, 'another SQLite version: measured again');
  t.equal(upgraded.machine.sqlite, first.machine.sqlite, 'and cached under this library version');
  edit((m) => (m['kernels'] = 'older-source'));
  t.notOk(loadPrices({ cacheDir: dir, ...once }).cached, 'other kernel sources: measured again');
  // A list that fell back is cached under sqlite null; the library's arrival measures again.
  t.notOk(loadPrices({ cacheDir: dir, sqliteLibrary: MISSING, ...once }).cached);
  const fallback = loadPrices({ cacheDir: dir, sqliteLibrary: MISSING, ...once });
  t.ok(fallback.cached && fallback.vmstepFallback !== undefined, 'still without the library: the fallback list from the cache');
  const installed = loadPrices({ cacheDir: dir, ...once });
  t.notOk(installed.cached, 'the library installed: measured again');
  t.ok(installed.sqlite, 'now priced from SQLite');
});
