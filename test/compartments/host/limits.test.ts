// Compartment resource limits: `limits: {memory_mb}` is validated by the parser, and a compartment
// that runs over it dies alone: the run rejects naming the compartment and the reason, the host
// process and the other compartments stay up, and the rest shuts down cleanly.

import t from 'tap';
import { readdirSync } from 'node:fs';
import { Machine } from '../../../compartments/host/host.js';
import { parseConfiguration } from '../../../compartments/config/parse.js';
import type { CompartmentDiedError } from '../../../kernel/abi/errors.js';
import { fixtureYaml } from '../../fixtures/libs/registry.js';
import { hogRegistry as registry } from '../../fixtures/libs/hog.js';

const SMALL = 'sharing: {heap: 1MiB, shared_heap: 1MiB}';
const withLimit = (limits: string): string =>
  fixtureYaml('intel-pku', { alpha: 'a', hog: 'b' }, SMALL).replace(/(  - name: b\n    mechanism: \{driver: intel-pku\})/, `$1\n    limits: ${limits}`);
const threads = (): number => readdirSync('/proc/self/task').length;

t.test('limits.memory_mb is parsed onto the compartment; other compartments have none', async (t) => {
  const config = parseConfiguration(withLimit('{memory_mb: 64}'), { registry });
  t.same(config.compartments.find((c) => c.name === 'b')?.limits, { memoryMb: 64 });
  t.equal(config.compartments.find((c) => c.name === 'a')?.limits, undefined);
});

t.test('bad limits are refused with the field path and what is valid', async (t) => {
  for (const [limits, path, problem] of [
    ['{memory_mb: 0}', 'compartments[1].limits.memory_mb', /out of range/],
    ['{memory_mb: 8}', 'compartments[1].limits.memory_mb', /out of range.*from 16 to 65536/],
    ['{memory_mb: 64.5}', 'compartments[1].limits.memory_mb', /expected an integer/],
    ['{memory_mb: lots}', 'compartments[1].limits.memory_mb', /expected a number/],
    ['{}', 'compartments[1].limits.memory_mb', /missing memory_mb/],
    ['{memory: 64}', 'compartments[1].limits', /memory/],
    ['64', 'compartments[1].limits', /mapping/],
  ] as const) {
    t.throws(() => parseConfiguration(withLimit(limits), { registry }), { code: 'FLEXOS_ERR_CONFIG', path: new RegExp(`^${path.replace(/[[\].]/g, '\\$&')}`), message: problem }, `limits: ${limits}`);
  }
});

t.test('a compartment over its memory limit dies alone; the host reports it and shuts the rest down', async (t) => {
  const baseline = threads();
  const machine = await Machine.boot(parseConfiguration(withLimit('{memory_mb: 64}'), { registry }), { registry });
  t.teardown(() => machine.shutdown());
  t.equal(machine.failure, null, 'nothing failed before');
  const error = await machine.run('hog', 'main').then(() => undefined, (e: unknown) => e as CompartmentDiedError);
  t.equal(error?.code, 'FLEXOS_ERR_COMPARTMENT_DIED');
  t.equal(error?.compartment, 'b', 'names the compartment');
  t.match(error?.message, /compartment b died: out of memory \(over its limit of 64 MiB\).*ERR_WORKER_OUT_OF_MEMORY/, 'says why');
  t.equal(machine.failure, error, 'the machine exposes the failure');
  t.equal(await machine.run('alpha', 'ping'), 1, 'the other compartment still answers');
  await t.rejects(machine.run('hog', 'main'), { code: 'FLEXOS_ERR_COMPARTMENT_DIED', message: /compartment b died/ }, 'a later call to the dead compartment rejects at once');
  await t.rejects(machine.status(), { code: 'FLEXOS_ERR_COMPARTMENT_DIED' }, 'status names the dead compartment');
  await machine.shutdown();
  t.equal(threads(), baseline, 'no thread left');
});
