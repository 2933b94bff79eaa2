// redis-benchmark as the Redis client: a run that exits non-zero, or prints no CSV, is a ClientError
// with FLEXOS_ERR_CLIENT naming redis-benchmark, with its exit status and what it printed.

import t from 'tap';
import { runRedisBenchmark } from '../../../workloads/redis/benchmark.js';
import { fakeClientDir, withPath } from '../../fixtures/fake-client.js';

const options = { port: 1, requests: 10, clients: 1, pipeline: 1, sizes: [1], tests: ['get'], cpu: null };

t.test('redis-benchmark exiting non-zero is a ClientError with its exit status', async (t) => {
  const run = withPath(fakeClientDir('redis-benchmark', 1, 'Could not connect to Redis at 127.0.0.1:1: Connection refused'), () => runRedisBenchmark(options));
  await t.rejects(run, { code: 'FLEXOS_ERR_CLIENT', client: 'redis-benchmark', exitStatus: 1, message: /^redis-benchmark -h 127\.0\.0\.1 -p 1 .* exited with 1: Could not connect/ });
});

t.test('redis-benchmark exiting 0 without a CSV report is a ClientError too', async (t) => {
  const run = withPath(fakeClientDir('redis-benchmark', 0, 'nothing to report'), () => runRedisBenchmark(options));
  await t.rejects(run, { code: 'FLEXOS_ERR_CLIENT', client: 'redis-benchmark', exitStatus: 0, message: /exited with 0: nothing to report$/ });
});
