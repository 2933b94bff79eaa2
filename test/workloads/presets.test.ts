// The named presets: every one parses against a registry shaped like the kernel's, and each
// layout puts the libraries where FLEXOS.md says the paper put them.

import t from 'tap';
import { loadPreset, PRESETS, presetNames } from '../../workloads/presets.js';
import { compartmentOf, librariesIn } from '../../kernel/abi/schema.js';
import type { Configuration } from '../../kernel/abi/schema.js';
import { fixtureRegistry as registry } from '../compartments/config/registry-fixture.js';

const load = (name: string): Configuration => loadPreset(name, { registry });

/** The layout as sets of library names per compartment, in compartment order. */
const layout = (c: Configuration): string[][] => c.compartments.map((x) => librariesIn(c, x.name));

t.test('every preset parses, without warnings, and carries its own name', async (t) => {
  t.same(presetNames(), Object.keys(PRESETS).sort());
  t.ok(presetNames().length >= 16);
  for (const name of presetNames()) {
    const c = load(name);
    t.equal(c.name, name, `${name} is named ${name}`);
    t.same(c.warnings, [], `${name} has no warnings`);
    t.ok(PRESETS[name]?.description, `${name} has a description`);
    t.ok(c.libraries.every((l) => l.hardening.length === 0), `${name} hardens nothing`);
  }
});

t.test('an unknown preset is refused, listing the valid names', async (t) => {
  t.throws(() => load('redis-mpk9'), { code: 'FLEXOS_ERR_CONFIG', path: 'preset', message: /redis-mpk9.*redis-mpk2.*sqlite-ept2/ });
  t.throws(() => load('toString'), { code: 'FLEXOS_ERR_CONFIG' }, 'not fooled by Object.prototype');
});

for (const app of ['redis', 'nginx']) {
  t.test(`${app} presets: none, mpk2, mpk2-light, mpk3, ept2`, async (t) => {
    const none = load(`${app}-none`);
    t.equal(none.driver, 'fcalls');
    t.equal(none.compartments.length, 1);
    t.equal(none.stack, 'shared');

    for (const [name, stack] of [[`${app}-mpk2`, 'dss'], [`${app}-mpk2-light`, 'shared'], [`${app}-ept2`, 'heap']] as const) {
      const c = load(name);
      t.equal(c.driver, name.endsWith('ept2') ? 'vmept' : 'intel-pku', `${name} driver`);
      t.equal(c.stack, stack, `${name} stack strategy`);
      t.same(librariesIn(c, 'comp2'), ['lwip'], `${name}: lwip alone in comp2`);
      t.ok(compartmentOf(c, app).isDefault && compartmentOf(c, 'newlib').isDefault && compartmentOf(c, 'tlsf').isDefault, `${name}: ${app}, newlib and the rest in the default compartment`);
    }

    const mpk3 = load(`${app}-mpk3`);
    t.equal(mpk3.stack, 'dss');
    t.same(layout(mpk3).slice(1), [['uksched', 'ukschedcoop'], ['lwip']], 'R1N1S2L3');
    t.ok(layout(mpk3)[0]?.includes(app) && layout(mpk3)[0]?.includes('newlib'));
  });
}

t.test('sqlite presets: none, mpk3 {sqlite+newlib+rest}/{vfscore+ramfs}/{uktime}, ept2', async (t) => {
  t.equal(load('sqlite-none').driver, 'fcalls');
  const mpk3 = load('sqlite-mpk3');
  t.equal(mpk3.driver, 'intel-pku');
  t.equal(mpk3.stack, 'dss');
  t.same(layout(mpk3).slice(1), [['ramfs', 'vfscore'], ['uktime']]);
  t.ok(compartmentOf(mpk3, 'sqlite').isDefault && compartmentOf(mpk3, 'newlib').isDefault && compartmentOf(mpk3, 'uksched').isDefault);
  const ept2 = load('sqlite-ept2');
  t.equal(ept2.driver, 'vmept');
  t.same(layout(ept2).slice(1), [['ramfs', 'vfscore']]);
  t.ok(compartmentOf(ept2, 'uktime').isDefault);
});

t.test('iperf presets: the app alone in comp1, the default comp2 holds the rest', async (t) => {
  t.equal(load('iperf-none').driver, 'fcalls');
  for (const [name, driver, stack] of [['iperf-mpk2-light', 'intel-pku', 'shared'], ['iperf-mpk2-dss', 'intel-pku', 'dss'], ['iperf-ept2', 'vmept', 'heap']] as const) {
    const c = load(name);
    t.equal(c.driver, driver, `${name} driver`);
    t.equal(c.stack, stack, `${name} stack strategy`);
    t.same(layout(c)[0], ['iperf'], `${name}: iperf alone in comp1`);
    t.notOk(c.compartments[0]?.isDefault);
    t.ok(c.compartments[1]?.isDefault, `${name}: comp2 is the default`);
    t.ok(['lwip', 'newlib', 'uksched', 'tlsf', 'netdev'].every((l) => compartmentOf(c, l).name === 'comp2'), `${name}: lwip, newlib and the rest in comp2`);
  }
});
