// The iPerf workload against the real Debian iperf2 client: the client connects, sends for a
// second and reports; every byte it sent reached the image (counted by the netdev backend).

import t from 'tap';
import { loadPreset } from '../../../workloads/presets.js';
import { libraryRegistry } from '../../../workloads/registry.js';
import { launch } from '../../../workloads/launch.js';
import { findIperf, runIperf, parseIperf } from '../../../workloads/iperf/benchmark.js';

t.test('parseIperf reads the summary line of iperf -f b', async (t) => {
  const run = parseIperf('[  1] 0.0000-2.0252 sec  638844988 Bytes  2523603992 bits/sec\n');
  t.same(run, { seconds: 2.0252, bytes: 638844988, bitsPerSecond: 2523603992 });
  t.throws(() => parseIperf('connect failed: Connection refused'), /could not read iperf's report/);
});

for (const [preset, buffer] of [['iperf-none', 16], ['iperf-mpk2-dss', 4096], ['iperf-ept2', 65536]] as const) {
  t.test(`${preset} with a ${buffer}-byte receive buffer serves the real iperf client`, { skip: findIperf() ? false : 'iperf is not installed' }, async (t) => {
    const image = await launch(loadPreset(preset, { registry: libraryRegistry }), { registry: libraryRegistry, port: 0, mainArgs: [buffer] });
    t.teardown(() => image.stop());
    const run = await runIperf({ port: image.port, durationS: 1, cpu: null });
    t.ok(run.bytes > 0, `the client sent ${run.bytes} bytes`);
    t.ok(run.bitsPerSecond > 0, 'and reports a bandwidth');
    // The client has closed: everything it sent is in the device (or read by the server).
    t.equal(image.backend.stats().rxBytes, run.bytes, 'every byte reached the image');
    if (preset !== 'iperf-none') t.ok(image.machine.counters.rows().some((r) => r.caller === 'iperf' && r.callee === 'lwip'), 'recv crosses the iperf -> lwip gate');
  });
}
