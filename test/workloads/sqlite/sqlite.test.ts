// The SQLite workload on the paper's three configurations: the INSERT benchmark completes and the
// database holds what was inserted and passes integrity_check; file operations, lock changes
// included, cross into vfscore (a gate under mpk3 and ept2, none under none), ~26 per autocommit INSERT;
// SQL errors come back with SQLite's message and leave the database intact; run.js reports it.

import t from 'tap';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadPreset } from '../../../workloads/presets.js';
import { libraryRegistry } from '../../../workloads/registry.js';
import { SqliteImage, modelBench, sqliteReport } from '../../../workloads/sqlite/drive.js';
import { splitStatements } from '../../../workloads/sqlite/sqlite.js';
import { fixedPricing } from '../../fixtures/pricing.js';

const COUNT = 300;
const LOCK_OPS = ['lock', 'unlock', 'checklock'] as const;
const run = promisify(execFile);
const RUN_JS = fileURLToPath(new URL('../../../../scripts/run.js', import.meta.url));

t.test('splitStatements cuts where SQLite says a statement ends, not at every semicolon', async (t) => {
  t.same(splitStatements("SELECT ';'; INSERT INTO tab(text) VALUES ('a;b');\nSELECT 1"), ["SELECT ';';", " INSERT INTO tab(text) VALUES ('a;b');", '\nSELECT 1']);
  t.same(splitStatements('CREATE TRIGGER tr AFTER INSERT ON tab BEGIN SELECT 1; SELECT 2; END; SELECT 3;'), ['CREATE TRIGGER tr AFTER INSERT ON tab BEGIN SELECT 1; SELECT 2; END;', ' SELECT 3;']);
  t.same(splitStatements('  \n'), []);
});

for (const preset of ['sqlite-none', 'sqlite-mpk3', 'sqlite-ept2']) {
  t.test(preset, async (t) => {
    const config = loadPreset(preset, { registry: libraryRegistry });
    const isolated = preset !== 'sqlite-none';
    const image = await SqliteImage.boot(config, { registry: libraryRegistry });
    t.teardown(() => image.shutdown());

    t.test('the image holds the filesystem stack and no network stack', async (t) => {
      const libraries = image.machine.image.config.libraries.map((l) => l.name);
      for (const lib of ['sqlite', 'vfscore', 'ramfs', 'uksched', 'uktime']) t.ok(libraries.includes(lib), `${lib} is in the image`);
      t.notOk(libraries.includes('netdev'), 'no netdev');
      t.notOk(libraries.includes('lwip'), 'no lwip');
    });

    const result = await image.bench(COUNT);

    t.test(`${COUNT} autocommit INSERTs land in tab and integrity_check is ok`, async (t) => {
      t.same(await image.exec('SELECT count(*), min(id), max(id) FROM tab'), { ok: true, rows: `${COUNT}|1|${COUNT}\n`, truncated: false });
      t.equal(await image.integrity(), true);
    });

    t.test('file operations per INSERT are counted: about 26 with the default DELETE journal', async (t) => {
      const perInsert = result.fileOpsTotal / COUNT;
      t.ok(perInsert >= 20 && perInsert <= 30, `${perInsert} file operations per INSERT`);
      t.equal(result.fileOps.open, COUNT, 'the journal is opened once per transaction');
      t.equal(result.fileOps.delete, COUNT, 'and deleted once per transaction');
      t.ok(result.fileOps.sync >= 2 * COUNT, 'journal and database are synced');
    });

    t.test(isolated ? 'file operations cross into vfscore through a gate' : 'no gate is crossed without isolation', async (t) => {
      const toVfscore = result.window.crossings.find((r) => r.caller === 'sqlite' && r.callee === 'vfscore');
      if (!isolated) {
        t.same(result.window.crossings, [], 'the crossing matrix is empty');
        return;
      }
      const nonLock = result.fileOpsTotal - LOCK_OPS.reduce((s, op) => s + result.fileOps[op], 0);
      // Lock calls cross as fcntl(F_SETLK/F_GETLK) unless the level is already held, as in os_unix.c.
      t.ok((toVfscore?.count ?? 0) > nonLock, 'every non-lock file operation crosses, and lock changes cross as fcntl');
      t.ok((toVfscore?.count ?? 0) <= result.fileOpsTotal, 'no file operation crosses twice');
      t.equal(toVfscore?.kind, preset === 'sqlite-mpk3' ? 'mpk-dss' : 'ept');
    });

    t.test('the report gives measured and modelled seconds and the crossing matrix', async (t) => {
      const { seconds, model } = modelBench(config, result, fixedPricing());
      t.ok(seconds.measured > 0 && Number.isFinite(seconds.modelled) && seconds.modelled > 0, `measured ${seconds.measured} s, modelled ${seconds.modelled} s`);
      t.equal(model.gateNs > 0, isolated, 'gates are charged only when the filesystem is isolated');
      const report = sqliteReport({ config, result, integrity: true, pricing: fixedPricing(), configuration: preset });
      t.equal(report.json['preset'], preset);
      t.same(report.json['seconds'], seconds);
      t.equal((report.json['crossings'] as unknown[]).length, result.window.crossings.length);
      t.ok(report.text.some((line) => /PRAGMA integrity_check: ok/.test(line)));
    });

    t.test("an SQL error returns SQLite's message and leaves the database intact", async (t) => {
      const error = await image.exec("INSERT INTO tab(text) VALUES ('kept'); SELEC 1");
      t.same(error, { ok: false, code: 1, message: 'near "SELEC": syntax error' });
      const rolledBack = await image.exec("BEGIN; INSERT INTO tab(text) VALUES ('lost'); SELECT nope FROM tab");
      t.same(rolledBack, { ok: false, code: 1, message: 'no such column: nope' });
      t.same(await image.exec("SELECT count(*) FROM tab; SELECT count(*) FROM tab WHERE text = 'lost'"), { ok: true, rows: `${COUNT + 1}\n0\n`, truncated: false });
      t.equal(await image.integrity(), true);
    });

    t.test('lock levels hold across two connections to one file: a writer cannot commit under a reader', async (t) => {
      t.same(await image.exec("ATTACH '/flexos.db' AS twin"), { ok: true, rows: '', truncated: false });
      const busy = await image.exec("BEGIN; INSERT INTO tab(text) VALUES ('blocked'); SELECT count(*) FROM twin.tab; COMMIT");
      t.same(busy, { ok: false, code: 5, message: 'database is locked' });
      t.same(await image.exec("DETACH twin; SELECT count(*) FROM tab WHERE text = 'blocked'"), { ok: true, rows: '0\n', truncated: false });
      t.equal(await image.integrity(), true);
    });
  });
}

t.test('run.js: the benchmark as JSON, and an SQL error exits non-zero with SQLite\'s message', async (t) => {
  const { stdout } = await run(process.execPath, [RUN_JS, 'sqlite-mpk3', '--count', '50', '--json'], { timeout: 60_000 });
  const json = JSON.parse(stdout) as { preset: string; seconds: { measured: number; modelled: number }; crossings: { edge: string }[]; integrity_check: string };
  t.equal(json.preset, 'sqlite-mpk3');
  t.ok(json.seconds.measured > 0 && json.seconds.modelled > 0);
  t.ok(json.crossings.some((r) => r.edge === 'sqlite -> vfscore'));
  t.equal(json.integrity_check, 'ok');
  const failed = await run(process.execPath, [RUN_JS, 'sqlite-none', '--sql', 'SELEC 1'], { timeout: 60_000 }).then(
    () => null,
    (error: { code: number; stderr: string }) => error,
  );
  t.equal(failed?.code, 1);
  t.match(failed?.stderr, /near "SELEC": syntax error/);
  t.match(failed?.stderr, /PRAGMA integrity_check: ok/);
});
