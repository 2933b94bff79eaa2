// Redis's per-client limits alone: the output limit's verdicts (hard closes, soft throttles, soft for
// too long closes), the recent peaks INFO reports, and the log lines' formats.

import t from 'tap';
import { DEFAULT_CLIENT_LIMITS, RecentPeaks, bytesRepr, checkOutput, outputLimitMessage, queryLimitMessage, warningLine } from '../../../workloads/redis/client-limits.js';

const limits = { queryBufferLimit: 100, outputHard: 1000, outputSoft: 100, outputSoftSeconds: 2 };

t.test('the defaults: Redis query limit, a hard output cap of 64 MiB over a soft one', async (t) => {
  t.equal(DEFAULT_CLIENT_LIMITS.queryBufferLimit, 1024 ** 3);
  t.equal(DEFAULT_CLIENT_LIMITS.outputHard, 64 * 1024 ** 2);
  t.ok(DEFAULT_CLIENT_LIMITS.outputSoft > 0 && DEFAULT_CLIENT_LIMITS.outputSoft < DEFAULT_CLIENT_LIMITS.outputHard);
});

t.test('under the soft limit is ok and clears the mark', async (t) => {
  t.same(checkOutput(limits, 100, 5, 10), { verdict: 'ok', softSinceMs: -1 });
});

t.test('past the hard limit closes at once', async (t) => {
  t.equal(checkOutput(limits, 1001, -1, 0).verdict, 'close');
});

t.test('over the soft limit throttles, and closes once it stayed over for the soft seconds', async (t) => {
  const first = checkOutput(limits, 500, -1, 1000);
  t.same(first, { verdict: 'throttle', softSinceMs: 1000 }, 'marks when it went over');
  t.same(checkOutput(limits, 500, first.softSinceMs, 2999), { verdict: 'throttle', softSinceMs: 1000 }, 'the mark stays');
  t.equal(checkOutput(limits, 500, first.softSinceMs, 3000).verdict, 'close');
  t.equal(checkOutput({ ...limits, outputSoftSeconds: 0 }, 500, 0, 1e9).verdict, 'throttle', 'soft seconds 0: never closed for it');
});

t.test('zero limits are no limits', async (t) => {
  t.equal(checkOutput({ ...limits, outputHard: 0, outputSoft: 0 }, 1e12, -1, 0).verdict, 'ok');
});

t.test('recent peaks keep the biggest buffers of the last 8 seconds', async (t) => {
  const p = new RecentPeaks();
  p.record(1000, 10, 500);
  p.record(1500, 30, 100);
  p.record(3000, 5, 200);
  t.equal(p.input(3000), 30);
  t.equal(p.output(3000), 500);
  t.equal(p.output(8999), 500, 'still within 8 seconds');
  t.equal(p.output(9000), 200, 'the second of the 500 has passed');
  p.record(17_000, 1, 1); // the same slot as second 1, reused
  t.equal(p.output(17_000), 1);
});

t.test('log lines follow serverLog and catClientInfoString', async (t) => {
  t.equal(warningLine(Date.UTC(2026, 11, 3, 14, 5, 6, 7), 'hi'), '1:M 03 Dec 2026 14:05:06.007 # hi\n');
  t.equal(bytesRepr(Buffer.from('*1\r\n$3\r\n"a\\\x00')), '"*1\\r\\n$3\\r\\n\\"a\\\\\\x00"');
  t.equal(bytesRepr(new Uint8Array(100).fill(0x61)).length, 66, 'at most 64 bytes quoted');
  const c = { id: 3, fd: 7, name: null, qbuf: 10, omem: 20 };
  t.equal(queryLimitMessage(c, Buffer.from('ab')), 'Closing client that reached max query buffer length: id=3 fd=7 name= qbuf=10 omem=20 (qbuf initial bytes: "ab")');
  t.equal(outputLimitMessage({ ...c, name: 'x' }), 'Client id=3 fd=7 name=x qbuf=10 omem=20 scheduled to be closed ASAP for overcoming of output buffer limits.');
});
