// The RDB value format DUMP uses: CRC-64/Jones as Redis computes it, length and integer encodings,
// and payload verification.

import t from 'tap';
import { RdbReader, RdbWriter, crc64, verifyDumpPayload } from '../../../workloads/redis/rdb-value.js';

t.test('crc64 is Redis crc64.c (Jones)', async (t) => {
  t.equal(crc64(Buffer.from('123456789')), 0xe9c6d914c4b8d9can);
});

t.test('lengths and strings round-trip, integers take the INT encodings', async (t) => {
  const w = new RdbWriter();
  for (const n of [0, 63, 64, 16383, 16384, 70000]) w.length(n);
  for (const s of ['12', '-300', '70000', '012', 'x'.repeat(100), '']) w.string(Buffer.from(s));
  const p = w.dumpPayload();
  t.ok(verifyDumpPayload(p));
  const r = new RdbReader(p);
  for (const n of [0, 63, 64, 16383, 16384, 70000]) t.equal(r.length(), n);
  for (const s of ['12', '-300', '70000', '012', 'x'.repeat(100), '']) t.equal(Buffer.from(r.string()).toString(), s);
  t.ok(r.done);
  const ints = new RdbWriter();
  ints.string(Buffer.from('12'));
  t.same([...ints.dumpPayload().subarray(0, 2)], [0xc0, 12], '"12" is stored as RDB_ENC_INT8');
  const bad = p.slice();
  bad[0] = bad[0]! ^ 1;
  t.notOk(verifyDumpPayload(bad), 'a flipped byte fails the CRC');
});
