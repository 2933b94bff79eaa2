import t from 'tap';
import { appNamed, libraryRegistry } from '../../../workloads/registry.js';
import { mkdtempSync, readFileSync, appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSpace } from '../../../compartments/config/space.js';
import { buildPoset } from '../../../scripts/explore/poset.js';
import { searchBudget } from '../../../scripts/explore/search.js';
import { readResults, resumable, type ResultLine } from '../../../scripts/explore/results.js';

const points = expandSpace(appNamed('redis').space(), { registry: libraryRegistry });
const poset = buildPoset(points);
const value = (l: string): number => 500_000 * 0.8 ** points[poset.indexOf(l)]!.hardened.length * (l.startsWith('R1N1S1L1') ? 1 : 0.85);

t.test('an interrupted exploration resumes without re-measuring what it recorded', async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'explore-')), 'results.jsonl');
  const said: string[] = [];
  const key = { path, space: 'redis', metric: 'modelled', settings: 'requests=20000', say: (text: string) => void said.push(text) };
  const all: string[] = [];
  await searchBudget(poset, async (l) => (all.push(l), { value: value(l) }), { budget: 200_000, margin: 0 });
  // First run: killed after half of its measurements.
  const half = Math.floor(all.length / 2);
  let count = 0;
  const first = resumable(async (l) => {
    if (count++ === half) throw new Error('interrupted');
    return { value: value(l) };
  }, key);
  await t.rejects(searchBudget(poset, first.measure, { budget: 200_000, margin: 0 }), /interrupted/);
  t.equal(readResults(path, key).length, half, 'every measurement before the interruption is in the file');
  appendFileSync(path, '{"space":"redis","metric":"modelled","lab'); // a torn last line
  // Second run: replays the recorded half, measures only the rest.
  const fresh: string[] = [];
  const second = resumable(async (l) => (fresh.push(l), { value: value(l) }), key);
  const r = await searchBudget(poset, second.measure, { budget: 200_000, margin: 0 });
  t.equal(second.replayed(), half);
  t.same(fresh, all.slice(half), 'nothing recorded is measured again');
  t.equal(r.measuredCount, all.length);
  t.equal(readFileSync(path, 'utf8').split('\n').filter((x) => x.startsWith('{"space"') && x.endsWith('}')).length, all.length);
  const lines = readFileSync(path, 'utf8').split('\n').filter((x) => x !== '');
  t.same(lines.map((x) => (JSON.parse(x) as ResultLine).label), all, 'every line parses: the torn one was dropped, the next record has its own line');
  t.match(said.join('\n'), new RegExp(`${path}: dropped a torn last line \\(\\d+ bytes`), 'the repair is told, naming the file and the bytes');
  // Another metric in the same file is not mixed in.
  t.same(readResults(path, { space: 'redis', metric: 'measured' }), []);
});

const line = (label: string, settings: string | undefined, v: number): string =>
  JSON.stringify({ space: 'redis', metric: 'measured', ...(settings === undefined ? {} : { settings }), label, value: v, at: 'then' }) + '\n';

t.test('a sample appended after a torn line survives, and so does the one before it', async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'explore-')), 'results.jsonl');
  const key = { path, space: 'redis', metric: 'measured', settings: 's', say: () => undefined };
  writeFileSync(path, line('A', 's', 1) + '{"space":"redis","metric":"measured","settings":"s","label":"B","val');
  const run = resumable(async () => ({ value: 2 }), key);
  t.same(await run.measure('A'), { value: 1 }, 'the earlier record is replayed');
  t.same(await run.measure('B'), { value: 2 }, 'the torn one is measured again');
  t.same(readResults(path, key).map((l) => [l.label, l.value]), [['A', 1], ['B', 2]], 'both records parse after the append');
  const rerun = resumable(async () => t.fail('nothing to measure') as never, key);
  t.same([await rerun.measure('A'), await rerun.measure('B')], [{ value: 1 }, { value: 2 }]);
});

t.test('samples measured under other settings are not replayed, and the run says how many and why', async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'explore-')), 'results.jsonl');
  writeFileSync(path, line('A', 'requests=1000', 10) + line('A', 'requests=1000', 11) + line('A', undefined, 12) + line('A', 'requests=20000', 13));
  const said: string[] = [];
  const measured: string[] = [];
  const run = resumable(async (l) => (measured.push(l), { value: 99 }), { path, space: 'redis', metric: 'measured', settings: 'requests=20000', say: (text) => void said.push(text) });
  t.same(run.skipped, [{ settings: 'requests=1000', count: 2 }, { settings: undefined, count: 1 }]);
  t.equal(said.length, 1);
  t.match(said[0], /not replaying 3 recorded sample\(s\) of redis\/measured, taken under other settings \(2 under requests=1000; 1 recorded without their settings/);
  t.match(said[0], /this run: requests=20000/);
  t.same(await run.measure('A'), { value: 13 }, 'the sample of the same settings is replayed');
  t.same(await run.measure('A'), { value: 99 }, 'then measured anew, never taken from other settings');
  t.same(measured, ['A']);
  t.equal(readResults(path, { space: 'redis', metric: 'measured', settings: 'requests=20000' }).at(-1)?.settings, 'requests=20000', 'each new record carries its settings');
});
