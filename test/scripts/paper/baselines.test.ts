// The Redis baselines table: one row per preset with its boundary, throughput relative to FlexOS's
// NONE, and notes naming where the baselines' costs come from.

import t from 'tap';
import { BASELINE_PRESETS, baselinesRows } from '../../../scripts/paper/baselines.js';
import type { PaperRecord } from '../../../scripts/paper/store.js';

const record = (label: string, driver: string, measured: number, modelled: number): PaperRecord => ({ label, measured, modelled, unit: 'rps', driver } as PaperRecord);

t.test('FlexOS NONE, MPK3 and EPT2 come first, then the four baselines', async (t) => {
  t.same(BASELINE_PRESETS.slice(0, 3), ['redis-none', 'redis-mpk3', 'redis-ept2']);
  t.same(BASELINE_PRESETS.slice(3), ['redis-unikraft', 'redis-linux-pt2', 'redis-sel4-pt3', 'redis-cubicleos-mpk3']);
});

t.test('rows are relative to redis-none; notes name Fig. 11 and seL4\'s figures', async (t) => {
  const { header, rows, notes } = baselinesRows([record('redis-none', 'fcalls', 1000, 2000), record('redis-linux-pt2', 'linux', 500, 1000)]);
  t.equal(header.length, rows[0]?.length);
  t.same(rows[1], ['redis-linux-pt2', 'linux', 500, 1000, '50%', '50%']);
  t.match(notes.join('\n'), /470 cycles/);
  t.match(notes.join('\n'), /629 \+ 638/);
});
