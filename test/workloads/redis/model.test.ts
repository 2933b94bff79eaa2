// The modelled clock of a booted Redis image under redis-benchmark: the libraries report the work
// Redis 5 and FlexOS's libraries do per GET, the host counts the TCP segments it carries, and the
// model priced from those counts splits by library, repeats exactly on the same counts and charges
// hardening on the hardened library's work only.

import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { launch } from '../../../workloads/launch.js';
import { loadPreset } from '../../../workloads/presets.js';
import { libraryRegistry } from '../../../workloads/registry.js';
import { openWindow } from '../../../compartments/model/window.js';
import { projectRun } from '../../../compartments/model/cost-model.js';
import { HOST_ROW } from '../../../compartments/runtime/work-counters.js';
import { fixedPricing } from '../../fixtures/pricing.js';

const run = promisify(execFile);
const hasClient = spawnSync('redis-benchmark', ['--version']).status === 0;

t.test('redis-mpk2 under redis-benchmark GET', { skip: hasClient ? false : 'redis-benchmark is not installed (scripts/install.sh installs it)' }, async (t) => {
  const config = loadPreset('redis-mpk2', { registry: libraryRegistry });
  const image = await launch(config, { registry: libraryRegistry, port: 0 });
  t.teardown(() => image.stop());
  const requests = 4000;
  await run('redis-benchmark', ['-p', String(image.port), '-n', '1000', '-c', '4', '-P', '16', '-t', 'set', '-d', '3', '-q']);
  const close = openWindow(image.machine);
  await run('redis-benchmark', ['-p', String(image.port), '-n', String(requests), '-c', '4', '-P', '16', '-k', '1', '-t', 'get', '-d', '3', '--csv']);
  const w = close();
  const per = (library: string, kind: keyof (typeof w.work)[number]['work']): number => (w.work.find((r) => r.library === library)?.work[kind] ?? 0) / requests;

  t.test('Redis reports its parse, dictionary and reply work per GET', async (t) => {
    // "key:__rand_int__" is 16 bytes; the command "GET" 3: each hashed at least once per request.
    t.ok(per('redis', 'hash') >= 16 + 3, `hash ${per('redis', 'hash')} B/GET`);
    t.ok(per('redis', 'compare') >= 3, `compare ${per('redis', 'compare')} B/GET`);
    t.ok(per('redis', 'walk') >= 2, `walk ${per('redis', 'walk')}/GET: the command table and the keyspace`);
    t.ok(per('redis', 'int') >= 3, `int ${per('redis', 'int')}/GET: the count, two lengths, the reply's`);
    t.ok(per('redis', 'alloc') >= 4, `alloc ${per('redis', 'alloc')}/GET: two argument objects made and freed`);
    // A GET is "*2\r\n$3\r\nGET\r\n$16\r\nkey:__rand_int__\r\n": 36 bytes scanned; the reply "$3\r\nxxx\r\n" 9 copied.
    t.ok(per('redis', 'scan') >= 36 && per('redis', 'scan') < 60, `scan ${per('redis', 'scan')} B/GET`);
    t.ok(per('redis', 'copy') >= 9 + 19, `copy ${per('redis', 'copy')} B/GET`);
  });

  t.test("newlib copies lwip's payloads, the host carries the segments", async (t) => {
    t.ok(per('newlib', 'copy') >= 36 + 9, `newlib copy ${per('newlib', 'copy')} B/GET: the request in, the reply out`);
    t.ok(per(HOST_ROW, 'segment') > 0 && per(HOST_ROW, 'segment') < 1, `segments ${per(HOST_ROW, 'segment')}/GET (16 GETs share one)`);
    t.ok(per(HOST_ROW, 'checksum') >= 36 + 9, `checksum ${per(HOST_ROW, 'checksum')} B/GET`);
  });

  t.test('the model splits by library and by edge, sums to its total and repeats on the same counts', async (t) => {
    const pricing = fixedPricing();
    const inputs = { requests, work: w.work, crossings: w.crossings, costModel: config.costModel, prices: pricing.prices, hardening: {}, slowdown: pricing.slowdown };
    const a = projectRun(inputs);
    const sum = a.byLibrary.reduce((s, l) => s + l.ns, 0) + a.byEdge.reduce((s, e) => s + e.ns, 0);
    t.ok(Math.abs(sum - a.totalNs) < 1e-6 * a.totalNs, 'libraries + edges = total');
    t.ok(a.gateNs > 0, 'redis-mpk2 crosses into lwip');
    t.same(projectRun(inputs), a);
    const hardened = projectRun({ ...inputs, hardening: { redis: ['kasan', 'ubsan', 'stackprotector'] } });
    const redisNs = (r: typeof a) => r.byLibrary.find((l) => l.library === 'redis')!.ns;
    t.equal(redisNs(hardened), 2 * redisNs(a), "redis's work doubles at × 2");
    t.ok(Math.abs(hardened.totalNs - a.totalNs - redisNs(a)) < 1e-6 * a.totalNs, 'and nothing else moves');
  });
});
