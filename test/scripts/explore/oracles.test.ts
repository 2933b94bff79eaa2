// The settings a results file keys its samples by: every option that changes a measurement changes
// the fingerprint, one that does not leave it alone, and a --from table is known by its contents.

import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appNamed } from '../../../workloads/registry.js';
import { settingsFingerprint } from '../../../scripts/explore/oracles.js';

t.test('each workload option of a network app changes the fingerprint', async (t) => {
  const space = appNamed('redis').space();
  const base = settingsFingerprint(space, 'measured', {});
  t.match(base, /^requests=\d+ sizes=\S+ duration=\d+ runs=\d+ builtin=false$/);
  for (const values of [{ requests: '1000' }, { sizes: '1,2' }, { duration: '7' }, { runs: '3' }, { builtin: true }]) {
    t.not(settingsFingerprint(space, 'measured', values), base, JSON.stringify(values));
  }
  t.equal(settingsFingerprint(space, 'modelled', {}), base, 'the metric is keyed apart already');
});

t.test('a local app is keyed by its count only', async (t) => {
  const space = appNamed('sqlite').space();
  t.match(settingsFingerprint(space, 'measured', { count: '50' }), /^count=50$/);
  t.equal(settingsFingerprint(space, 'measured', { count: '50', requests: '9' }), 'count=50', 'requests do not change a SQLite run');
});

t.test('a --from table is keyed by its contents, not its path alone', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'explore-oracles-'));
  const from = join(dir, 't.json');
  const space = appNamed('redis').space();
  writeFileSync(from, '{"R1N1S1L1": 1}');
  const first = settingsFingerprint(space, 'file', { from });
  t.match(first, /^from=\S+ sha256=[0-9a-f]{16}$/);
  writeFileSync(from, '{"R1N1S1L1": 2}');
  t.not(settingsFingerprint(space, 'file', { from }), first, 'the same path with another table');
  t.equal(settingsFingerprint(space, 'file', { from: join(dir, 'elsewhere.json') }), `from=${join(dir, 'elsewhere.json')}`, 'a table on the workers\' machines: its path');
});
