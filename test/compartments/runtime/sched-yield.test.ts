// sched_yield through WASI: available on Linux, quick, built once per thread, and silent (Node's
// experimental-WASI warning is held back), so compartments can call it in their wait loops.

import t from 'tap';
import { performance } from 'node:perf_hooks';
import { schedYield } from '../../../compartments/runtime/sched-yield.js';
import { runNode } from '../../fixtures/node-script.js';

t.test('gives a callable sched_yield, the same one on every call', async (t) => {
  const give = schedYield();
  t.type(give, 'function', 'WASI maps sched_yield on Linux');
  t.equal(schedYield(), give, 'built once');
  const perCallUs = (calls: number, call: () => void): number => {
    const started = performance.now();
    for (let i = 0; i < calls; i++) call();
    return ((performance.now() - started) * 1000) / calls;
  };
  const us = perCallUs(10_000, give!);
  // A system call, not a sleep: Atomics.wait with a tiny timeout sleeps (~160 µs on a quiet machine).
  // Compared in the same run, so a busy machine slows both.
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const sleepUs = perCallUs(200, () => Atomics.wait(cell, 0, 0, 0.001));
  t.ok(us < sleepUs / 2, `${us.toFixed(2)} µs per call, a tiny Atomics.wait ${sleepUs.toFixed(2)} µs`);
});

t.test('prints no warning: the experimental-WASI notice is held back', async (t) => {
  const module = new URL('../../../compartments/runtime/sched-yield.js', import.meta.url).href;
  const script = `import { schedYield } from ${JSON.stringify(module)}; const y = schedYield(); y(); console.log(typeof y);`;
  const { code, stdout, stderr } = await runNode(['--input-type=module', '-e', script]);
  t.equal(code, 0, stderr);
  t.equal(stdout.trim(), 'function');
  t.equal(stderr, '', 'nothing on stderr');
});
