// The resume store of scripts/paper.js: appended lines survive a reopen, a line cut short by an
// interruption is ignored, forget (--fresh) rewrites the file without the dropped labels, and
// measureEach keeps what is stored with the same parameters, measures the rest and appends each
// result as it comes (so a crash mid-figure loses only the configuration in flight).

import t from 'tap';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultStore, type PaperRecord } from '../../../scripts/paper/store.js';
import { measureEach, withDeadline } from '../../../scripts/paper/measure.js';

const dir = mkdtempSync(join(tmpdir(), 'paper-store-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const rec = (label: string, measured = 1): PaperRecord => ({ label, measured, modelled: measured / 2, unit: 'rps' });
const quiet = { say: () => undefined };

t.test('appended records survive reopening, in order, with their extras', async (t) => {
  const path = join(dir, 'a', 'fig.jsonl');
  const store = ResultStore.open(path);
  store.append({ ...rec('R1N1S1L1', 10), app: 'redis' });
  store.append(rec('R1N1S1L2', 20));
  const again = ResultStore.open(path);
  t.same(again.records().map((r) => r.label), ['R1N1S1L1', 'R1N1S1L2']);
  t.equal(again.get('R1N1S1L1')?.['app'], 'redis');
  t.ok(again.has('R1N1S1L2'));
  t.notOk(again.has('R1N1S2L1'));
  t.equal(readFileSync(path, 'utf8').trim().split('\n').length, 2, 'one line per record');
});

t.test('a line cut short by an interruption is ignored; a later line for a label wins', async (t) => {
  const path = join(dir, 'b.jsonl');
  const store = ResultStore.open(path);
  store.append(rec('x', 1));
  store.append(rec('x', 5));
  appendFileSync(path, '{"label":"y","measured":3,"mod');
  const again = ResultStore.open(path);
  t.same(again.records().map((r) => [r.label, r.measured]), [['x', 5]]);
});

t.test('a record appended after a torn line survives, and so do the records before it', async (t) => {
  const path = join(dir, 'torn.jsonl');
  const store = ResultStore.open(path);
  store.append(rec('a', 1));
  store.append(rec('b', 2));
  const torn = '{"label":"c","measured":3,"mod';
  appendFileSync(path, torn); // killed mid-write
  const said: string[] = [];
  const again = ResultStore.open(path, { say: (text) => said.push(text) });
  t.equal(said.length, 1, 'the repair is told once');
  t.match(said[0], path);
  t.match(said[0], `${Buffer.byteLength(torn)} bytes`);
  again.append(rec('d', 4));
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
  t.same(lines.map((l) => (JSON.parse(l) as PaperRecord).label), ['a', 'b', 'd'], 'every line parses; the torn one is gone');
  t.same(ResultStore.open(path, quiet).records().map((r) => [r.label, r.measured]), [['a', 1], ['b', 2], ['d', 4]]);
});

t.test('a whole record missing only its newline is kept and terminated', async (t) => {
  const path = join(dir, 'unterminated.jsonl');
  appendFileSync(path, JSON.stringify(rec('a', 1)));
  const said: string[] = [];
  const store = ResultStore.open(path, { say: (text) => said.push(text) });
  store.append(rec('b', 2));
  t.match(said[0], /lacked its newline/);
  t.same(ResultStore.open(path, quiet).records().map((r) => r.label), ['a', 'b']);
  t.equal(readFileSync(path, 'utf8').split('\n').length, 3, 'two lines and the final newline');
});

t.test('append refuses a record without the four fields', async (t) => {
  const store = ResultStore.open(join(dir, 'c.jsonl'));
  t.throws(() => store.append({ label: 'x', measured: 1 } as unknown as PaperRecord), TypeError);
});

t.test('forget drops the selected labels from memory and from the file', async (t) => {
  const path = join(dir, 'd.jsonl');
  const store = ResultStore.open(path);
  for (const l of ['a', 'b', 'c']) store.append(rec(l));
  t.equal(store.forget((l) => l !== 'b'), 2);
  t.same(store.records().map((r) => r.label), ['b']);
  t.same(ResultStore.open(path).records().map((r) => r.label), ['b']);
  t.equal(store.forget(() => true), 1);
  t.equal(readFileSync(path, 'utf8'), '');
});

t.test('measureEach skips labels stored with the same params and measures the rest', async (t) => {
  const path = join(dir, 'e.jsonl');
  const first: string[] = [];
  const items = ['a', 'b', 'c'].map((label) => ({ label }));
  const out1 = await measureEach(items, ResultStore.open(path), async ({ label }) => (first.push(label), rec(label)), { ...quiet, params: { n: 1 } });
  t.same(first, ['a', 'b', 'c']);
  t.same(out1.map((r) => r['params']), [{ n: 1 }, { n: 1 }, { n: 1 }], 'params travel with each record');
  const second: string[] = [];
  const seen: [string, boolean][] = [];
  const more = [...items, { label: 'd' }];
  const out2 = await measureEach(more, ResultStore.open(path), async ({ label }) => (second.push(label), rec(label)), { ...quiet, params: { n: 1 }, onRecord: (r, kept) => seen.push([r.label, kept]) });
  t.same(second, ['d'], 'a rerun measures only the label not stored');
  t.same(out2.map((r) => r.label), ['a', 'b', 'c', 'd'], 'records come back in item order');
  t.same(seen, [['a', true], ['b', true], ['c', true], ['d', false]]);
  const third: string[] = [];
  await measureEach(items, ResultStore.open(path), async ({ label }) => (third.push(label), rec(label)), { ...quiet, params: { n: 2 } });
  t.same(third, ['a', 'b', 'c'], 'records measured with other params are measured again');
});

t.test('measureEach appends each result before measuring the next', async (t) => {
  const path = join(dir, 'f.jsonl');
  const items = ['a', 'b', 'c'].map((label) => ({ label }));
  await t.rejects(
    measureEach(items, ResultStore.open(path), async ({ label }) => {
      if (label === 'c') throw new Error('the image crashed');
      return rec(label);
    }, { ...quiet, params: null }),
    /crashed/,
  );
  t.same(ResultStore.open(path).records().map((r) => r.label), ['a', 'b']);
});

t.test('with onFailure, a failing configuration is reported and the figure goes on', async (t) => {
  const path = join(dir, 'g.jsonl');
  const failed: string[] = [];
  const out = await measureEach(['a', 'b', 'c'].map((label) => ({ label })), ResultStore.open(path), async ({ label }) => {
    if (label === 'b') throw new Error('stuck');
    return rec(label);
  }, { ...quiet, params: null, onFailure: (label) => failed.push(label) });
  t.same(failed, ['b']);
  t.same(out.map((r) => r.label), ['a', 'c']);
  t.same(ResultStore.open(path).records().map((r) => r.label), ['a', 'c'], 'the failed one is not stored, so a rerun retries it');
});

t.test('withDeadline rejects a body that never settles and runs onTimeout', async (t) => {
  let stopped = false;
  await t.rejects(withDeadline(20, new Promise(() => undefined), { what: 'the workload', onTimeout: async () => void (stopped = true) }), /the workload did not finish within 0 s/);
  t.ok(stopped);
  await t.rejects(withDeadline(20, new Promise(() => undefined), { what: 'the workload', onTimeout: async () => undefined }), { code: 'FLEXOS_ERR_BENCHMARK' }, 'a run past its deadline is a benchmark failure');
  t.equal(await withDeadline(1000, Promise.resolve(7), { what: 'x', onTimeout: async () => { t.fail('no timeout'); } }), 7);
});
