// Fault outcomes as the host classifies them: a protection fault is isolation (naming library and
// region) unless the address is in no region (a segfault); hardening and watchdog errors are
// recognised locally and through gates, nested gates included; anything else is a crash.

import t from 'tap';
import { classifyFailure, parseFaultSpec, STOPPED, FAULTS } from '../../../compartments/host/faults.js';
import { GateCalleeError, GateTimeoutError, HardeningViolation, ProtectionFault } from '../../../kernel/abi/errors.js';

const where = { library: 'lwip', compartment: 'comp2' };
const pf = (region: string) => new ProtectionFault({ address: 0x10_0000_0040, region, key: 0, compartment: 'comp2', library: 'lwip', access: 'write' });

t.test('parseFaultSpec', (t) => {
  t.same(parseFaultSpec('lwip:wild-write'), { library: 'lwip', fault: 'wild-write' });
  t.throws(() => parseFaultSpec('lwip:melt'), TypeError, 'an unknown fault is refused');
  t.throws(() => parseFaultSpec('lwip'), /<library>:<fault>/, 'a missing fault is refused, naming the form');
  t.equal(FAULTS.length, 8, 'the eight faults');
  t.end();
});

t.test('protection faults: isolation, or a segfault outside every region', (t) => {
  const local = classifyFailure(pf('heap.comp1'), where);
  t.match(local, { kind: 'isolation', library: 'lwip', compartment: 'comp2', region: 'heap.comp1' });
  const remote = new GateCalleeError('lwip', 'select', 'FLEXOS_ERR_PROTECTION_FAULT', pf('heap.comp1').message);
  t.match(classifyFailure(remote, where), { kind: 'isolation', library: 'lwip', region: 'heap.comp1' }, 'through a gate: from the text');
  t.match(classifyFailure(pf('(unmapped)'), where), { kind: 'crashed', region: '(unmapped)' }, 'no region: a segfault, not isolation');
  t.match(classifyFailure(pf('stack.comp2 (out of bounds)'), where), { kind: 'crashed' });
  t.end();
});

t.test('hardening, watchdog, refusals and crashes', (t) => {
  const violation = new HardeningViolation({ check: 'kasan', library: 'lwip', address: 0x40, detail: 'heap-buffer-overflow' });
  t.match(classifyFailure(violation, where), { kind: 'hardening', check: 'kasan', library: 'lwip' });
  const wrapped = new GateCalleeError('lwip', 'select', 'FLEXOS_ERR_HARDENING', violation.message);
  t.match(classifyFailure(wrapped, where), { kind: 'hardening', check: 'kasan', library: 'lwip' }, 'through a gate');
  const nested = new GateCalleeError('lwip', 'select', 'FLEXOS_ERR_GATE_CALLEE', `newlib.memcpy failed in its compartment: FLEXOS_ERR_HARDENING: ${violation.message}`);
  t.match(classifyFailure(nested, where), { kind: 'hardening', check: 'kasan' }, 'through nested gates: the innermost code');
  t.match(classifyFailure(new GateTimeoutError('gate to lwip.select did not return'), where), { kind: 'watchdog' });
  t.match(classifyFailure(new TypeError("Cannot read properties of null (reading 'next')"), where), { kind: 'crashed', library: 'lwip', compartment: 'comp2', summary: /crash in lwip/ });
  for (const kind of ['isolation', 'hardening', 'watchdog', 'refused'] as const) t.ok(STOPPED.has(kind), `${kind} counts as stopped`);
  for (const kind of ['crashed', 'not-stopped', 'hang'] as const) t.notOk(STOPPED.has(kind), `${kind} does not`);
  t.end();
});
