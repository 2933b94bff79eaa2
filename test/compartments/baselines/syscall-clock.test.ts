// The system call round trip timed in C on this machine: a positive time per getpid, kept as the
// last measurement for the reports, and arguments checked up front.

import t from 'tap';
import { lastSyscallMeasurement, measureSyscall } from '../../../compartments/baselines/syscall-clock.js';

t.test('a getpid round trip is timed in C and kept for the reports', async (t) => {
  const measured = measureSyscall({ calls: 2000, rounds: 2 });
  if (typeof measured === 'string') {
    t.pass(`not measured here (no C compiler): ${measured}`);
    return;
  }
  t.ok(measured.ns > 1 && measured.ns < 1e6, `a round trip takes ${measured.ns} ns`);
  t.equal(measured.calls, 2000);
  t.equal(measured.rounds, 2);
  t.equal(measured.hostCycles, measured.ns * measured.hostGhz, 'cycles at the host clock');
  t.equal(lastSyscallMeasurement(), measured, 'the reports read the last measurement');
});

t.test('bad arguments are refused before anything runs', async (t) => {
  t.throws(() => measureSyscall({ calls: 0 }), RangeError);
  t.throws(() => measureSyscall({ rounds: 1.5 }), RangeError);
});
