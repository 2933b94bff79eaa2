// Fuzzing gate argument marshalling through booted images: random argument lists (NaN, Infinity,
// -0, huge, fractional, too many) come back exactly or fail with a clear error, never hang, and the
// compartments keep serving (a normal call afterwards still works).

import t from 'tap';
import fc from 'fast-check';
import { Machine } from '../../compartments/host/host.js';
import { parseConfiguration } from '../../compartments/config/parse.js';
import { MAX_ARGS } from '../../compartments/gates/protocol.js';
import { fixtureYaml } from '../fixtures/libs/registry.js';
import { probeRegistry as registry } from './libs/probe.js';

const special = fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 2 ** 53 - 1, -(2 ** 53), 1e308, 5e-324, 0.5, -1.25, 2 ** 31, -(2 ** 31) - 1);
const arg = fc.oneof(special, fc.integer(), fc.double(), fc.maxSafeInteger());
const argList = fc.oneof(fc.array(arg, { maxLength: MAX_ARGS }), fc.array(arg, { minLength: MAX_ARGS + 1, maxLength: MAX_ARGS + 4 }));

type Outcome = { ok: true; values: number[] } | { ok: false; error: Error & { code?: string } };

/** Sends `args` through the gate once per position and collects what came back (or the error). */
async function roundTrip(machine: Machine, args: number[]): Promise<Outcome> {
  const values: number[] = [];
  const positions = args.length === 0 ? [0] : args.map((_, k) => k).filter((k) => k < MAX_ARGS);
  try {
    for (const k of positions) values.push(await machine.run('relay', 'relay', [k, ...args]));
    return { ok: true, values };
  } catch (error) {
    return { ok: false, error: error as Error & { code?: string } };
  }
}

function bounded<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: a hung gate`)), ms)))]).finally(() => clearTimeout(timer));
}

for (const driver of ['intel-pku', 'vmept'] as const) {
  t.test(`${driver}: random argument lists through a gate`, async (t) => {
    const config = parseConfiguration(fixtureYaml(driver, { relay: 'a', probe: 'b' }, 'gates: {timeout_ms: 2000}'), { registry });
    const machine = await Machine.boot(config, { registry, stopGraceMs: 500 });
    t.teardown(() => machine.shutdown());
    const seen = { exact: 0, refused: 0, tooMany: 0 };
    await fc.assert(
      fc.asyncProperty(argList, async (args) => {
        const r = await bounded(roundTrip(machine, args), 5000);
        if (args.length > MAX_ARGS) {
          // More than a control block carries: refused before anything is posted.
          if (r.ok || r.error.name !== 'RangeError' || !/at most 16/.test(r.error.message)) throw new Error(`${args.length} arguments: expected a RangeError, got ${r.ok ? 'a result' : r.error.message}`);
          seen.tooMany++;
        } else if (driver === 'vmept' && args.some((a) => !Number.isInteger(a))) {
          if (r.ok || r.error.code !== 'FLEXOS_ERR_BAD_ARGUMENT' || !/integers and addresses only/.test(r.error.message)) throw new Error(`non-integer on EPT: expected FLEXOS_ERR_BAD_ARGUMENT, got ${r.ok ? 'a result' : r.error.message}`);
          seen.refused++;
        } else {
          if (!r.ok) throw new Error(`${JSON.stringify(args.map(String))}: ${r.error.message}`);
          const expected = args.length === 0 ? [-1] : args;
          if (!r.values.every((v, k) => Object.is(v, expected[k]))) throw new Error(`sent ${args.map(String).join(', ')}; got ${r.values.map(String).join(', ')}`);
          seen.exact++;
        }
        // The compartments still serve a normal call after whatever came before.
        if ((await bounded(machine.run('relay', 'relay', [0, 42]), 5000)) !== 42) throw new Error('a normal call failed after the fuzzed one');
      }),
      { numRuns: 60 },
    );
    t.ok(seen.exact > 0, `lists that come back exactly (${seen.exact})`);
    t.ok(seen.tooMany > 0, `lists over ${MAX_ARGS} refused with a RangeError (${seen.tooMany})`);
    if (driver === 'vmept') t.ok(seen.refused > 0, `non-integers refused by the EPT gate (${seen.refused})`);
    const doubles = await roundTrip(machine, [NaN, -0, Infinity, 0.1]);
    if (driver === 'vmept') t.match(doubles, { ok: false, error: { code: 'FLEXOS_ERR_BAD_ARGUMENT', message: /argument 1 is NaN/ } }, 'doubles are refused by the EPT gate, naming the argument');
    else t.same(doubles, { ok: true, values: [NaN, -0, Infinity, 0.1] }, 'NaN, -0, Infinity and fractions come back exactly under MPK');
    t.equal(machine.failure, null, 'no compartment thread failed');
  });
}
