// Fault injection end to end against Redis: a wild write from lwip is stopped by MPK isolation and
// corrupts keys without it; an infinite loop is stopped by the gate watchdog; a crash names the
// library; the matrix scores containment; and `run.js --inject` exits on its own with its status.

import t from 'tap';
import { loadPreset } from '../../workloads/presets.js';
import { libraryRegistry as registry } from '../../workloads/registry.js';
import { runInjection } from '../../scripts/inject/experiment.js';
import { safetyMatrix, formatMatrix } from '../../scripts/safety-matrix.js';
import { runScript } from '../fixtures/node-script.js';

const preset = (name: string) => loadPreset(name, { registry });
const quick = { registry, library: 'lwip', after: 150, timeoutMs: 500, keys: 8 } as const;

t.test('redis-mpk2: a wild write from lwip into the app heap is stopped by isolation', async (t) => {
  const r = await runInjection(preset('redis-mpk2'), { ...quick, fault: 'wild-write' });
  t.match(r.outcome, { kind: 'isolation', library: 'lwip', compartment: 'comp2', region: 'heap.comp1' });
  t.match(r.outcome.summary, /protection fault: lwip in compartment comp2 touched region heap\.comp1/);
  t.ok(r.stopped);
  t.same(r.corrupted, [], 'no key was changed');
});

t.test('redis-none: the same wild write is not stopped and the corrupted keys are reported', async (t) => {
  const r = await runInjection(preset('redis-none'), { ...quick, fault: 'wild-write' });
  t.equal(r.outcome.kind, 'not-stopped');
  t.notOk(r.stopped);
  t.equal(r.corrupted.length, 8, 'every reference key changed');
  t.match(r.outcome.summary, /corrupted keys: flexos:ref:0/);
});

t.test('redis-mpk2: an infinite loop in lwip is stopped by the watchdog', async (t) => {
  const r = await runInjection(preset('redis-mpk2'), { ...quick, fault: 'infinite-loop' });
  t.match(r.outcome, { kind: 'watchdog', library: 'lwip' });
  t.match(r.outcome.summary, /did not return within 500 ms/);
});

t.test('a crash in lwip is reported with the library', async (t) => {
  const r = await runInjection(preset('redis-mpk2'), { ...quick, fault: 'crash' });
  t.match(r.outcome, { kind: 'crashed', library: 'lwip', compartment: 'comp2' });
  t.match(r.outcome.summary, /lwip.*Cannot read properties of null/);
});

t.test('the matrix scores containment per configuration', async (t) => {
  const m = await safetyMatrix(['redis-none', 'redis-mpk2'], { library: 'lwip', faults: ['wild-write', 'secret-read'], after: 150, timeoutMs: 500 });
  t.same(m.rows.map((r) => [r.configuration, r.containment]), [['redis-none', 0], ['redis-mpk2', 1]]);
  const text = formatMatrix(m).join('\n');
  t.match(text, /redis-none\s+not-stopped keys!16\s+not-stopped\s+0%/);
  t.match(text, /redis-mpk2\s+isolation\s+isolation\s+100%/);
});

t.test('run.js --inject: a hung lwip is reported and the process exits by itself', async (t) => {
  const child = await runScript('run.js', ['redis-mpk2', '--inject', 'lwip:infinite-loop', '--after', '150', '--timeout-ms', '500'], 30_000);
  t.equal(child.code, 3, 'exit status 3: stopped');
  t.match(child.stdout, /outcome: watchdog \(stopped\)/);
  t.match(child.stdout, /compartment comp2/);
});
