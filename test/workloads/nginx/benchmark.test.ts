// wrk as the Nginx client: its report read into a run, and each way it can fail (missing, a non-zero
// exit, a report without figures) a ClientError with FLEXOS_ERR_CLIENT naming wrk.

import t from 'tap';
import { ClientError } from '../../../kernel/abi/errors.js';
import { parseWrk, runWrk } from '../../../workloads/nginx/benchmark.js';
import { emptyDir, fakeClientDir, withPath } from '../../fixtures/fake-client.js';

const options = { url: 'http://127.0.0.1:1/', threads: 1, connections: 1, durationS: 1, runs: 1, cpu: null };

t.test('a report without figures is a ClientError naming wrk', async (t) => {
  t.throws(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused'), { code: 'FLEXOS_ERR_CLIENT', client: 'wrk', message: /^could not read wrk's report:\nunable to connect/ });
});

t.test('wrk exiting non-zero is a ClientError with its exit status and output', async (t) => {
  const error = await withPath(fakeClientDir('wrk', 3, 'wrk: out of luck'), () => runWrk(options).then(() => null, (e: unknown) => e));
  t.ok(error instanceof ClientError);
  t.match(error, { code: 'FLEXOS_ERR_CLIENT', client: 'wrk', exitStatus: 3, message: 'wrk -t 1 -c 1 -d 1s --latency http://127.0.0.1:1/ exited with 3: wrk: out of luck' });
});

t.test('wrk missing is a ClientError with the system message and its cause', async (t) => {
  const error = await withPath(emptyDir(), () => runWrk(options).then(() => null, (e: unknown) => e));
  t.match(error, { code: 'FLEXOS_ERR_CLIENT', client: 'wrk', exitStatus: null, message: 'spawn wrk ENOENT', cause: { code: 'ENOENT' } });
});
