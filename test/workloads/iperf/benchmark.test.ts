// iperf as the iPerf client: a non-zero exit and a report without its summary line are ClientErrors
// with FLEXOS_ERR_CLIENT naming iperf (the run against an image is test/workloads/iperf/server.test.ts).

import t from 'tap';
import { parseIperf, runIperf } from '../../../workloads/iperf/benchmark.js';
import { fakeClientDir, withPath } from '../../fixtures/fake-client.js';

t.test('a report without the summary line is a ClientError naming iperf', async (t) => {
  t.throws(() => parseIperf('connect failed: Connection refused'), { code: 'FLEXOS_ERR_CLIENT', client: 'iperf', message: /^could not read iperf's report/ });
});

t.test('iperf exiting non-zero is a ClientError with its exit status', async (t) => {
  const run = withPath(fakeClientDir('iperf', 1, 'connect failed: Connection refused'), () => runIperf({ port: 1, durationS: 1, cpu: null }));
  await t.rejects(run, { code: 'FLEXOS_ERR_CLIENT', client: 'iperf', exitStatus: 1, message: 'iperf exited with 1: connect failed: Connection refused' });
});
