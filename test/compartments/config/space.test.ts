import t from 'tap';
import { readFileSync } from 'node:fs';
import { expandSpace, loadSpaceFile, paperSpace, paperSpaceYaml, parseSpace, type NetworkServerSpace } from '../../../compartments/config/space.js';
import { appNamed, libraryRegistry } from '../../../workloads/registry.js';
import { REDIS_SPACE } from '../../../workloads/redis/app.js';
import { NGINX_SPACE } from '../../../workloads/nginx/app.js';

const root = new URL('../../../../', import.meta.url);
const file = (app: string): string => new URL(`workloads/${app}/space.yaml`, root).pathname;

t.test("the paper's Redis space expands to 80 distinct, valid configurations with FLEXOS.md labels", async (t) => {
  const points = expandSpace(paperSpace(REDIS_SPACE), { registry: libraryRegistry });
  t.equal(points.length, 80);
  t.equal(new Set(points.map((p) => p.label)).size, 80);
  const labels = points.map((p) => p.label);
  for (const l of ['R1N1S1L1', 'R1N1S1L2', 'R1N1S2L1', 'R2N2S1L1', 'R1N1S2L3', 'R1HN1S2L1H', 'R1HN1HS2HL3H']) t.ok(labels.includes(l), l);
  for (const p of points) t.match(p.label, /^R\dH?N\dH?S\dH?L\dH?$/);
});

t.test('each point places and hardens its libraries as its label says', async (t) => {
  const byLabel = new Map(expandSpace(paperSpace(REDIS_SPACE), { registry: libraryRegistry }).map((p) => [p.label, p]));
  const none = byLabel.get('R1N1S1L1')!.configuration;
  t.equal(none.driver, 'fcalls', 'the one-compartment layout runs on fcalls');
  t.equal(none.compartments.length, 1);
  const c = byLabel.get('R1HN1S2L1H')!.configuration;
  t.equal(c.driver, 'intel-pku');
  t.equal(c.stack, 'dss');
  const where = (lib: string): string => c.libraries.find((l) => l.name === lib)!.compartment;
  t.equal(where('redis'), where('newlib'));
  t.equal(where('redis'), where('lwip'));
  t.not(where('uksched'), where('redis'));
  t.equal(where('ukschedcoop'), where('uksched'));
  t.same(c.libraries.find((l) => l.name === 'redis')!.hardening, ['kasan', 'stackprotector', 'ubsan']);
  t.same(c.libraries.find((l) => l.name === 'newlib')!.hardening, []);
  t.same(c.libraries.find((l) => l.name === 'lwip')!.hardening, ['kasan', 'stackprotector', 'ubsan']);
  const split = byLabel.get('R2N2S1L1')!.configuration;
  const def = split.compartments.find((x) => x.isDefault)!;
  t.equal(split.libraries.find((l) => l.name === 'redis')!.compartment, def.name, 'the default compartment holds the app');
  t.equal(split.libraries.find((l) => l.name === 'tlsf')!.compartment, def.name, 'and the rest');
});

t.test('the shipped space files parse; redis and nginx match paperSpace', async (t) => {
  for (const server of [REDIS_SPACE, NGINX_SPACE]) {
    const app = server.app;
    t.same(loadSpaceFile(file(app)), paperSpace(server), app);
    t.equal(readFileSync(file(app), 'utf8'), paperSpaceYaml(server));
    t.equal(expandSpace(paperSpace(server), { registry: libraryRegistry }).length, 80);
    t.same(appNamed(app).space(), paperSpace(server), `${app}: the application's space`);
  }
  const sqlite = loadSpaceFile(file('sqlite'));
  t.ok(sqlite.lowerIsBetter);
  t.equal(expandSpace(sqlite, { registry: libraryRegistry }).length, 4 * 16);
  const iperf = expandSpace(loadSpaceFile(file('iperf')), { registry: libraryRegistry });
  t.equal(iperf.length, 3 * 8);
  const isolated = iperf.find((p) => p.label === 'R1N2L2')!.configuration;
  t.equal(isolated.compartments.find((c) => c.isDefault)!.name, 'comp2', 'iperf: the stack side is the default compartment');
});

t.test('bad spaces are refused with the field path', async (t) => {
  const base = { name: 'x', app: 'redis', letters: { R: ['redis'], L: ['lwip'] } };
  t.throws(() => parseSpace({ ...base, layouts: [{ R: 1, L: 3 }] }), { code: 'FLEXOS_ERR_CONFIG', path: 'layouts[0]' }, 'a hole');
  t.throws(() => parseSpace({ ...base, layouts: [{ R: 1 }] }), { code: 'FLEXOS_ERR_CONFIG', path: 'layouts[0].L' }, 'a letter not placed');
  t.throws(() => parseSpace({ ...base, layouts: ['R1L2', { R: 1, L: 2 }] }), { code: 'FLEXOS_ERR_CONFIG', path: 'layouts[1]' }, 'a duplicate layout');
  t.throws(() => parseSpace({ ...base, layouts: ['R1L1'], harden: ['Q'] }), { code: 'FLEXOS_ERR_CONFIG', path: 'harden[0]' });
  t.throws(() => parseSpace({ ...base, layouts: ['R1L1'], sharing: { stack: 'shared', dss: true } }), { code: 'FLEXOS_ERR_CONFIG', path: 'sharing.dss' });
  t.throws(() => paperSpace('sqlite' as unknown as NetworkServerSpace), TypeError, 'a name is not a server');
  t.throws(() => paperSpace({ app: 'sqlite: [x]', title: 'SQLite', workload: {} }), TypeError, 'nor is what is not a library name');
  t.equal(expandSpace(parseSpace({ ...base, layouts: ['R1L2'], harden: ['L'] }), { registry: libraryRegistry }).map((p) => p.label).join(' '), 'R1L2 R1L2H');
});
