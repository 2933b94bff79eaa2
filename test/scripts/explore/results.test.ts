import t from 'tap';
import { appNamed, libraryRegistry } from '../../../workloads/registry.js';
import { mkdtempSync, readFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSpace } from '../../../compartments/config/space.js';
import { buildPoset } from '../../../scripts/explore/poset.js';
import { searchBudget } from '../../../scripts/explore/search.js';
import { readResults, resumable } from '../../../scripts/explore/results.js';

const points = expandSpace(appNamed('redis').space(), { registry: libraryRegistry });
const poset = buildPoset(points);
const value = (l: string): number => 500_000 * 0.8 ** points[poset.indexOf(l)]!.hardened.length * (l.startsWith('R1N1S1L1') ? 1 : 0.85);

t.test('an interrupted exploration resumes without re-measuring what it recorded', async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'explore-')), 'results.jsonl');
  const key = { path, space: 'redis', metric: 'modelled' };
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
  // Another metric in the same file is not mixed in.
  t.same(readResults(path, { space: 'redis', metric: 'measured' }), []);
});
