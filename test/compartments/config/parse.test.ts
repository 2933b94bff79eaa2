// The configuration parser: what a valid kraft.yaml becomes, and one refusal per FlexOS rule,
// each a ConfigError (FLEXOS_ERR_CONFIG) whose message names the offending field path.

import t, { type Test } from 'tap';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../kernel/abi/errors.js';
import { createRegistry } from '../../../kernel/abi/library.js';
import { loadConfigurationFile, parseConfiguration } from '../../../compartments/config/parse.js';
import { compartmentOf, DEFAULT_GATE_CYCLES, librariesIn } from '../../../kernel/abi/schema.js';
import { fixtureRegistry as registry, REDIS_IMAGE } from './registry-fixture.js';

const MiB = 1024 * 1024;
const parse = (source: string | Record<string, unknown>) => parseConfiguration(source, { registry });

/** Asserts `source` is refused with a ConfigError at `path`, the message naming that path. */
function refuses(t: Test, source: string | Record<string, unknown>, path: string, mentions: string[] = []): void {
  try {
    parse(source);
    t.fail(`accepted, expected a refusal at ${path}`);
  } catch (error) {
    t.ok(error instanceof ConfigError, 'a ConfigError');
    const e = error as ConfigError;
    t.equal(e.code, 'FLEXOS_ERR_CONFIG');
    t.equal(e.path, path, 'path');
    t.ok(e.message.startsWith(`${path}: `), `message names the path: ${e.message}`);
    for (const word of mentions) t.match(e.message, word, `message mentions ${word}`);
  }
}

/** Two MPK compartments, comp1 default, plus whatever `rest` adds. */
const pku2 = (rest: string): string => `
compartments:
  - {name: comp1, mechanism: {driver: intel-pku}, default: true}
  - {name: comp2, mechanism: {driver: intel-pku}}
${rest}`;

const EXAMPLE = `
name: redis-mpk2
compartments:
  - name: comp1
    mechanism: {driver: intel-pku}
    default: true
  - name: comp2
    mechanism: {driver: intel-pku}
libraries:
  redis:  {compartment: comp1}
  lwip:   {compartment: comp2, hardening: [kasan]}
  newlib: {}
sharing:
  stack: private
  dss: true
  shared_heap: 8MiB
  heap: 33554432
gates: {policy: adaptive, pin: spread, timeout_ms: 500}
cost_model:
  cpu: Xeon Gold
  clock_ghz: 3.1
  gate_cycles: {mpk-dss: 120}
`;

t.test('the documented example becomes the documented Configuration', async (t) => {
  const c = parse(EXAMPLE);
  t.equal(c.name, 'redis-mpk2');
  t.equal(c.driver, 'intel-pku');
  t.same(c.compartments, [
    { name: 'comp1', index: 1, driver: 'intel-pku', isDefault: true },
    { name: 'comp2', index: 2, driver: 'intel-pku', isDefault: false },
  ]);
  t.same(c.libraries.map((l) => l.name), REDIS_IMAGE, 'every library of the dependency closure, sorted');
  t.same(librariesIn(c, 'comp2'), ['lwip'], 'only lwip in comp2');
  t.equal(compartmentOf(c, 'newlib').name, 'comp1', 'an entry without compartment goes to the default');
  t.equal(compartmentOf(c, 'tlsf').name, 'comp1', 'an unlisted library goes to the default');
  t.same(c.libraries.find((l) => l.name === 'lwip')?.hardening, ['kasan']);
  t.same(c.libraries.find((l) => l.name === 'tlsf')?.hardening, []);
  t.equal(c.stack, 'dss');
  t.equal(c.sharedHeapSize, 8 * MiB);
  t.equal(c.heapSize, 32 * MiB);
  t.same(c.gates, { policy: 'adaptive', pin: 'spread', timeoutMs: 500 });
  t.same(c.costModel, { cpu: 'Xeon Gold', clockGhz: 3.1, gateCycles: { ...DEFAULT_GATE_CYCLES, 'mpk-dss': 120 } });
  t.same(c.warnings, []);
});

t.test('defaults: no compartments means one fcalls compartment, and the documented sizes, gates and cost model', async (t) => {
  const c = parse('libraries: {redis: {}}');
  t.equal(c.name, 'custom');
  t.same(c.compartments, [{ name: 'comp1', index: 1, driver: 'fcalls', isDefault: true }]);
  t.equal(c.stack, 'shared');
  t.equal(c.heapSize, 64 * MiB);
  t.equal(c.sharedHeapSize, 16 * MiB);
  t.same(c.gates, { policy: 'yield', pin: 'one-core', timeoutMs: 10000 });
  t.same(c.costModel, { cpu: 'Xeon Silver 4114', clockGhz: 2.2, gateCycles: { function: 2, 'mpk-light': 62, 'mpk-dss': 108, ept: 462 } });
  t.equal(parseConfiguration('libraries: {redis: {}}', { registry, name: 'from-file' }).name, 'from-file');
});

t.test('an already-parsed object is accepted and means the same as its YAML', async (t) => {
  const object = {
    compartments: [
      { name: 'comp1', mechanism: { driver: 'intel-pku' }, default: true },
      { name: 'comp2', mechanism: 'intel-pku' },
    ],
    libraries: { redis: { compartment: 'comp1' }, lwip: { compartment: 'comp2' } },
  };
  const yaml = pku2('libraries: {redis: {compartment: comp1}, lwip: {compartment: comp2}}');
  t.same(parse(object), parse(yaml));
});

t.test('the result is frozen all the way down', async (t) => {
  const c = parse(EXAMPLE);
  t.ok(Object.isFrozen(c) && Object.isFrozen(c.libraries) && Object.isFrozen(c.libraries[0]) && Object.isFrozen(c.costModel.gateCycles));
});

t.test('hardening: H expands to kasan+ubsan+stackprotector, merged, deduplicated and sorted', async (t) => {
  const c = parse('libraries: {redis: {hardening: [cfi, H, kasan]}, lwip: {hardening: H}}');
  t.same(c.libraries.find((l) => l.name === 'redis')?.hardening, ['cfi', 'kasan', 'stackprotector', 'ubsan']);
  t.same(c.libraries.find((l) => l.name === 'lwip')?.hardening, ['kasan', 'stackprotector', 'ubsan']);
});

t.test('stack strategy per driver and sharing options', async (t) => {
  const strategy = (driver: string, sharing: string) =>
    parse(`compartments: [{name: c, mechanism: {driver: ${driver}}, default: true}]\nlibraries: {redis: {}}\nsharing: ${sharing}`).stack;
  t.equal(strategy('intel-pku', '{}'), 'dss', 'MPK default: private stacks + DSS');
  t.equal(strategy('intel-pku', '{dss: false}'), 'heap', 'private stacks without DSS: stack-to-heap');
  t.equal(strategy('intel-pku', '{stack: shared}'), 'shared', 'MPK-light');
  t.equal(strategy('vmept', '{}'), 'heap', 'EPT default: stack-to-heap');
  t.equal(strategy('vmept', '{dss: true}'), 'dss', 'EPT with the shadow stack in shared memory');
  t.equal(strategy('vmept', '{stack: shared}'), 'shared');
  t.equal(strategy('fcalls', '{}'), 'shared');
  const fcalls = parse('libraries: {redis: {}}\nsharing: {stack: private, dss: true}');
  t.equal(fcalls.stack, 'shared', 'fcalls has nothing to protect');
  t.match(fcalls.warnings.join('\n'), /ignored/, 'and says the options were ignored');
});

t.test('an unlisted together-mate follows its listed partner', async (t) => {
  const c = parse(pku2('libraries: {redis: {compartment: comp1}, uksched: {compartment: comp2}}'));
  t.equal(compartmentOf(c, 'ukschedcoop').name, 'comp2');
});

t.test('an unused compartment after the last used one is dropped with a warning', async (t) => {
  const c = parse(`
compartments:
  - {name: comp1, mechanism: {driver: intel-pku}, default: true}
  - {name: comp2, mechanism: {driver: intel-pku}}
  - {name: comp3, mechanism: {driver: intel-pku}}
libraries: {redis: {}, lwip: {compartment: comp2}}`);
  t.same(c.compartments.map((x) => [x.name, x.index]), [['comp1', 1], ['comp2', 2]]);
  t.equal(c.warnings.length, 1);
  t.match(c.warnings[0], /compartments\[2\].*comp3.*dropped/);
});

t.test('several fcalls compartments are accepted with a warning', async (t) => {
  const c = parse(`
compartments: [{name: a, mechanism: {driver: fcalls}, default: true}, {name: b, mechanism: {driver: fcalls}}]
libraries: {redis: {}, lwip: {compartment: b}}`);
  t.equal(c.compartments.length, 2);
  t.match(c.warnings.join('\n'), /does not isolate/);
});

t.test('compartmentOf throws TypeError for a library not in the image', async (t) => {
  t.throws(() => compartmentOf(parse('libraries: {redis: {}}'), 'sqlite'), TypeError);
});

t.test('loadConfigurationFile names the image after the file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flexos-config-'));
  const file = join(dir, 'my-image.yaml');
  writeFileSync(file, pku2('libraries: {redis: {}, lwip: {compartment: comp2}}'));
  t.equal(loadConfigurationFile(file, { registry }).name, 'my-image');
  t.throws(() => loadConfigurationFile(join(dir, 'absent.yaml'), { registry }), { code: 'FLEXOS_ERR_CONFIG', path: '(file)' });
});

t.test('refused: no default compartment', async (t) => {
  refuses(t, 'compartments: [{name: c, mechanism: {driver: intel-pku}}]\nlibraries: {redis: {}}', 'compartments', ['default']);
});

t.test('refused: two default compartments', async (t) => {
  refuses(t, `
compartments: [{name: a, mechanism: {driver: intel-pku}, default: true}, {name: b, mechanism: {driver: intel-pku}, default: true}]
libraries: {redis: {}}`, 'compartments[1].default');
});

t.test('refused: a library placed in an unknown compartment', async (t) => {
  refuses(t, pku2('libraries: {redis: {}, lwip: {compartment: comp9}}'), 'libraries.lwip.compartment', ['comp9', 'comp1, comp2']);
});

t.test('refused: an unused compartment below a used one (a hole in the numbering)', async (t) => {
  refuses(t, `
compartments:
  - {name: comp1, mechanism: {driver: intel-pku}, default: true}
  - {name: comp2, mechanism: {driver: intel-pku}}
  - {name: comp3, mechanism: {driver: intel-pku}}
libraries: {redis: {}, lwip: {compartment: comp3}}`, 'compartments[1]', ['comp2', 'hole']);
});

t.test('refused: a default compartment left with no library', async (t) => {
  refuses(t, `
compartments: [{name: a, mechanism: {driver: intel-pku}}, {name: b, mechanism: {driver: intel-pku}, default: true}]
libraries: {${REDIS_IMAGE.map((l) => `${l}: {compartment: a}`).join(', ')}}`, 'compartments[1]', ['default']);
});

t.test('refused: mixed drivers', async (t) => {
  refuses(t, `
compartments: [{name: a, mechanism: {driver: intel-pku}, default: true}, {name: b, mechanism: {driver: vmept}}]
libraries: {redis: {}, lwip: {compartment: b}}`, 'compartments[1].mechanism.driver', ['vmept', 'intel-pku']);
});

/** `count` independent libraries, each in its own compartment, on `driver`. */
function spread(driver: string, count: number): { config: Record<string, unknown>; registry: ReturnType<typeof createRegistry> } {
  const names = Array.from({ length: count }, (_, i) => `lib${i}`);
  return {
    registry: createRegistry(names.map((name) => ({ name, exports: {}, calls: {}, whitelist: [], implementation: '' }))),
    config: {
      compartments: names.map((_, i) => ({ name: `comp${i + 1}`, mechanism: { driver }, default: i === 0 })),
      libraries: Object.fromEntries(names.map((name, i) => [name, { compartment: `comp${i + 1}` }])),
    },
  };
}

t.test('limits: 15 intel-pku compartments at most (key 15 is shared), 16 vmept', async (t) => {
  for (const [driver, max] of [['intel-pku', 15], ['vmept', 16]] as const) {
    const ok = spread(driver, max);
    t.equal(parseConfiguration(ok.config, { registry: ok.registry }).compartments.length, max, `${max} ${driver} accepted`);
    const over = spread(driver, max + 1);
    t.throws(() => parseConfiguration(over.config, { registry: over.registry }), { code: 'FLEXOS_ERR_CONFIG', path: 'compartments', message: new RegExp(`^compartments: .*at most ${max}`) }, `${max + 1} ${driver} refused`);
  }
});

t.test('refused: uksched and ukschedcoop apart', async (t) => {
  refuses(t, pku2('libraries: {redis: {}, uksched: {compartment: comp1}, ukschedcoop: {compartment: comp2}}'), 'libraries.ukschedcoop.compartment', ['together']);
});

t.test('refused: shared stacks with DSS', async (t) => {
  refuses(t, pku2('libraries: {redis: {}, lwip: {compartment: comp2}}\nsharing: {stack: shared, dss: true}'), 'sharing.dss', ['Shared stacks and DSS options are incompatible']);
});

t.test('refused: an unknown library, listing the valid names', async (t) => {
  refuses(t, 'libraries: {redsi: {}}', 'libraries.redsi', ['redis', 'ukschedcoop']);
});

t.test('refused: an unknown hardening option, listing the valid ones', async (t) => {
  refuses(t, 'libraries: {lwip: {hardening: [kasan, asan]}}', 'libraries.lwip.hardening[1]', ['asan', 'stackprotector', 'safestack']);
});

t.test('refused: names of Object.prototype are not hardening options (a fuzzer finding: __proto__ escaped as a TypeError)', async (t) => {
  for (const name of ['__proto__', 'constructor', 'toString']) refuses(t, `libraries: {iperf: {hardening: ${name}}}`, 'libraries.iperf.hardening', [name]);
});

t.test('refused: hardening a library that is never hardened', async (t) => {
  refuses(t, 'libraries: {redis: {}, tlsf: {hardening: H}}', 'libraries.tlsf.hardening', ['tlsf']);
});

t.test('refused: unknown keys, at the top and in a section, with a suggestion', async (t) => {
  refuses(t, 'libraries: {redis: {}}\nsharnig: {}', 'sharnig', ['did you mean "sharing"']);
  refuses(t, 'libraries: {redis: {}}\ngates: {polcy: spin}', 'gates.polcy', ['policy, pin, timeout_ms']);
  refuses(t, 'libraries: {redis: {compartmnet: comp1}}', 'libraries.redis.compartmnet', ['did you mean "compartment"']);
});

t.test('refused: wrong types', async (t) => {
  refuses(t, 'libraries: {redis: {}}\ngates: {timeout_ms: 10s}', 'gates.timeout_ms');
  refuses(t, 'compartments: {name: c}\nlibraries: {redis: {}}', 'compartments');
  refuses(t, 'compartments: [{name: c, mechanism: {driver: intel-pku}, default: "yes"}]\nlibraries: {redis: {}}', 'compartments[0].default');
  refuses(t, 'compartments: [{name: c, mechanism: {driver: mpk}, default: true}]\nlibraries: {redis: {}}', 'compartments[0].mechanism.driver', ['fcalls | intel-pku | vmept']);
  refuses(t, 'libraries: {redis: {}}\ngates: {policy: sleep}', 'gates.policy', ['spin | park | adaptive']);
  refuses(t, 'libraries: []', 'libraries');
  refuses(t, '- redis', '(root)');
});

t.test('refused: negative, zero and ambiguous sizes', async (t) => {
  refuses(t, 'libraries: {redis: {}}\nsharing: {heap: -1}', 'sharing.heap', ['positive']);
  refuses(t, 'libraries: {redis: {}}\nsharing: {shared_heap: 0}', 'sharing.shared_heap');
  refuses(t, 'libraries: {redis: {}}\nsharing: {shared_heap: 16MB}', 'sharing.shared_heap', ['MiB']);
});

t.test('refused: duplicate compartment names', async (t) => {
  refuses(t, `
compartments: [{name: a, mechanism: {driver: intel-pku}, default: true}, {name: a, mechanism: {driver: intel-pku}}]
libraries: {redis: {}}`, 'compartments[1].name', ['duplicate']);
});

t.test('refused: bad YAML syntax, naming the line', async (t) => {
  refuses(t, 'libraries:\n  redis: {}\n  lwip: [comp2\nsharing: {}\n', '(yaml)', ['line 4']);
  refuses(t, 'libraries:\n  redis: {}\n  redis: {}\n', '(yaml)', ['line 3']);
});

t.test('property: any placement of redis libraries is accepted with contiguous numbering, or refused for a hole', async (t) => {
  const movable = ['redis', 'newlib', 'lwip', 'uksched'];
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 4, maxLength: 4 }), (slots) => {
      const yaml = `compartments:\n${[1, 2, 3, 4].map((i) => `  - {name: comp${i}, mechanism: {driver: intel-pku}${i === 1 ? ', default: true' : ''}}`).join('\n')}\n` +
        `libraries: {${movable.map((l, i) => `${l}: {compartment: comp${slots[i]}}`).join(', ')}}`;
      const used = new Set([1, ...slots]);
      const highest = Math.max(...used);
      const hole = [...Array(highest).keys()].some((i) => !used.has(i + 1));
      let config;
      try {
        config = parse(yaml);
      } catch (error) {
        return hole && error instanceof ConfigError && /hole/.test((error as Error).message);
      }
      return !hole && config.compartments.length === highest &&
        config.compartments.every((c, i) => c.index === i + 1 && c.name === `comp${i + 1}`) &&
        movable.every((l, i) => compartmentOf(config, l).index === slots[i]) &&
        compartmentOf(config, 'ukschedcoop').index === slots[3];
    }),
    { numRuns: 200 },
  );
  t.pass('200 placements checked');
});
