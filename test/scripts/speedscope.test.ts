// A small synthetic .cpuprofile in speedscope's format: the file has what the bundled schema requires,
// stacks run root first over one shared frame table, GatePort.call under a named gate frame becomes
// the crossing to its target, weights are V8's time deltas, and the gate share counts gate stacks.

import t from 'tap';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gateShare, toSpeedscope, type CpuProfile } from '../../scripts/speedscope.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });
// (root) -> main -> gate:lwip.recv -> call (gates/caller) ; main -> work ; (idle)
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 6] },
    { id: 2, callFrame: frame('main', 'file:///x/dist/kernel/redis/server.js', 9), children: [3, 5] },
    { id: 3, callFrame: frame('gate:lwip.recv'), children: [4] },
    { id: 4, callFrame: frame('call', 'file:///x/dist/compartments/gates/caller.js', 73) },
    { id: 5, callFrame: frame('work', 'file:///x/dist/kernel/redis/server.js', 40) },
    { id: 6, callFrame: frame('(idle)') },
  ],
  samples: [4, 4, 5, 6, 4],
  timeDeltas: [0, 200, 210, 190, 200],
};

const schema = JSON.parse(readFileSync(join(dirname(createRequire(import.meta.url).resolve('speedscope/package.json')), 'dist/release/file-format-schema.json'), 'utf8')) as {
  definitions: Record<string, { required?: string[]; enum?: string[] }>;
};

t.test('the file has every field the schema requires, in its units', async (t) => {
  const file = toSpeedscope('test run', [{ name: 'compartment comp1', profile }]);
  for (const key of schema.definitions['FileFormat.File']!.required!) t.ok(key in file, `file.${key}`);
  t.equal(file.$schema, 'https://www.speedscope.app/file-format-schema.json');
  const p = file.profiles[0]!;
  for (const key of schema.definitions['FileFormat.SampledProfile']!.required!) t.ok(key in p, `profile.${key}`);
  t.ok(schema.definitions['FileFormat.ValueUnit']!.enum!.includes(p.unit));
  for (const f of file.shared.frames) t.type(f.name, 'string');
  for (const stack of p.samples) for (const i of stack) t.ok(i >= 0 && i < file.shared.frames.length, 'a stack indexes the frame table');
});

t.test('stacks root first, the gate labelled by its target, weights from the time deltas', async (t) => {
  const file = toSpeedscope('test run', [{ name: 'compartment comp1', profile }]);
  const p = file.profiles[0]!;
  const names = p.samples.map((stack) => stack.map((i) => file.shared.frames[i]!.name).join(';'));
  t.same(names, ['main;gate:lwip.recv;gate -> lwip.recv', 'main;gate:lwip.recv;gate -> lwip.recv', 'main;work', '(idle)', 'main;gate:lwip.recv;gate -> lwip.recv']);
  t.same(p.weights, [200, 210, 190, 200, 200], 'each sample weighs the time to the next (the last its own delta)');
  t.equal(p.unit, 'microseconds');
  t.equal(p.endValue, 1000);
  const main = file.shared.frames.find((f) => f.name === 'main')!;
  t.same(main, { name: 'main', file: 'dist/kernel/redis/server.js', line: 10 }, 'files as the repository names them, lines from 1');
  t.same(gateShare(file, p), { gate: 610, total: 1000 });
});

t.test('threads share one frame table; a call outside a gate keeps its name', async (t) => {
  const plain: CpuProfile = { nodes: [{ id: 1, callFrame: frame('(root)'), children: [2] }, { id: 2, callFrame: frame('call', 'file:///x/dist/compartments/gates/caller.js', 73), hitCount: 3 }] };
  const file = toSpeedscope('two', [{ name: 'a', profile }, { name: 'b', profile: plain }]);
  t.same(file.profiles.map((p) => p.name), ['a', 'b']);
  t.equal(file.shared.frames.filter((f) => f.name === 'call').length, 1, 'the same frame once');
  const b = file.profiles[1]!;
  t.same(b.samples.map((s) => s.map((i) => file.shared.frames[i]!.name)), [['call']]);
  t.same(b.weights, [3], 'without samples: hit counts');
  t.equal(b.unit, 'none');
});
