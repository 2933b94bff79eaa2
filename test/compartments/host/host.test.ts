// The host: exactly one worker thread per compartment, each loading only its own libraries; a
// shutdown that unwinds everything, is idempotent and leaves no thread behind; a boot that fails
// in a library's create rejects clearly and leaves no thread behind either.

import t from 'tap';
import { readdirSync } from 'node:fs';
import { Machine } from '../../../compartments/host/host.js';
import type { FlexosError } from '../../../kernel/abi/errors.js';
import { parseConfiguration } from '../../../compartments/config/parse.js';
import { fixtureRegistry as registry, fixtureYaml } from '../../fixtures/libs/registry.js';

const SMALL = 'sharing: {heap: 1MiB, shared_heap: 1MiB}';
const config = (driver: string, placement: Record<string, string>, extra = SMALL) =>
  parseConfiguration(fixtureYaml(driver, placement, extra), { registry });
/** OS threads of this process (Linux): each compartment worker is one. */
const threads = (): number => readdirSync('/proc/self/task').length;
/** Fails instead of hanging when `promise` has not settled within `ms` (a bound, not a coordination). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}
const workerHandles = (): number => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;

t.test('one worker per compartment, each holding exactly its own libraries', async (t) => {
  const baseline = threads();
  // A worker may bring helper threads (module loader hooks under a test runner): measure one first.
  let perWorker = 0;
  for (const [placement, expected] of [
    [{ alpha: 'a', beta: 'a', gamma: 'a' }, [['a', ['alpha', 'beta', 'gamma']]]],
    [{ alpha: 'a', beta: 'b', gamma: 'c' }, [['a', ['alpha']], ['b', ['beta']], ['c', ['gamma']]]],
    [{ alpha: 'a', beta: 'a', gamma: 'b' }, [['a', ['alpha', 'beta']], ['b', ['gamma']]]],
  ] as const) {
    const machine = await Machine.boot(config('intel-pku', placement), { registry });
    t.teardown(() => machine.shutdown());
    perWorker ||= threads() - baseline;
    t.ok(perWorker >= 1, 'a compartment is a thread');
    t.equal(threads() - baseline, expected.length * perWorker, `${expected.length} compartments: ${expected.length} workers`);
    t.equal(workerHandles(), expected.length, 'one control channel per compartment');
    const status = await machine.status();
    t.same(status.map((s) => [s.compartment, [...s.libraries].sort()]), expected, 'status lists each compartment with its libraries');
    t.equal(await machine.run('gamma', 'step', [4]), 4 * 3 + 2, 'the entry point runs in the owner compartment');
    await machine.shutdown();
    t.equal(threads(), baseline, 'shutdown joined every thread');
  }
});

t.test('shutdown is clean and idempotent; a stopped machine refuses calls instead of hanging', async (t) => {
  const baseline = threads();
  const machine = await Machine.boot(config('intel-pku', { alpha: 'a', beta: 'b', gamma: 'c' }), { registry });
  t.equal(await machine.run('alpha', 'stress', [50]), 0, 'works before');
  const first = machine.shutdown();
  t.equal(machine.shutdown(), first, 'a second shutdown is the same shutdown');
  await within(first, 10_000, 'shutdown');
  await within(machine.shutdown(), 1000, 'a second shutdown');
  t.equal(threads(), baseline, 'no thread left');
  t.equal(workerHandles(), 0, 'no control channel left');
  t.same(process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap' && r !== 'CloseReq'), [], 'nothing keeps the process alive');
  t.equal(machine.failure, null, 'no worker error on the way down');
  await t.rejects(within(machine.run('alpha', 'ping'), 5000, 'run after shutdown'), { code: 'FLEXOS_ERR_SHUTDOWN' }, 'run after shutdown');
  await t.rejects(within(machine.status(), 5000, 'status after shutdown'), { code: 'FLEXOS_ERR_SHUTDOWN' }, 'status after shutdown');
});

t.test('an unknown entry library is refused by name', async (t) => {
  const machine = await Machine.boot(config('fcalls', { alpha: 'a' }), { registry });
  t.teardown(() => machine.shutdown());
  await t.rejects(machine.run('redis', 'main'), { code: 'FLEXOS_ERR_BAD_ARGUMENT', message: /redis is not in the image/ });
});

t.test('a boot that fails in a library create rejects clearly and leaves no thread', async (t) => {
  const baseline = threads();
  for (const placement of [{ alpha: 'a', beta: 'b', broken: 'c' }, { broken: 'a' }]) {
    const booting = Machine.boot(config('intel-pku', placement), { registry });
    const error = await booting.then(() => undefined, (e: unknown) => e as FlexosError);
    const label = Object.keys(placement).join('+');
    t.match(error?.message, /create failed on purpose/, `${label}: carries the error of create`);
    t.match(error?.message, /\bbroken\b/, `${label}: names the library that failed`);
    t.equal(error?.code, 'FLEXOS_ERR_BOOT', `${label}: a boot error`);
    t.equal(threads(), baseline, 'every started thread was terminated');
    t.equal(workerHandles(), 0, 'no control channel left');
  }
});

t.test('a build error refuses the boot before any thread starts', async (t) => {
  const baseline = threads();
  await t.rejects(Machine.boot(config('vmept', { wide: 'a', beta: 'b' }), { registry }), { code: 'FLEXOS_ERR_BUILD' });
  t.equal(threads(), baseline);
});
