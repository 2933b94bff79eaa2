// PFADD, PFCOUNT and PFMERGE: Redis's replies (1 when a register changed), estimates that match
// Redis 5's for the same elements, the cached cardinality, and errors for strings that are not HLLs.

import t from 'tap';
import { OK, WRONGTYPE, bulk, check, harness, int } from './harness.js';

t.test('PFADD reports a change; PFCOUNT estimates; PFMERGE unions', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['pfadd', 'hll', 'a', 'b', 'c', 'd', 'e', 'f', 'g'], int(1)],
    [['pfadd', 'hll', 'a'], int(0)],
    [['pfcount', 'hll'], int(7)],
    [['pfadd', 'other', 'c', 'x', 'y'], int(1)],
    [['pfcount', 'hll', 'other'], int(9)],
    [['pfmerge', 'union', 'hll', 'other'], OK],
    [['pfcount', 'union'], int(9)],
    [['pfadd', 'empty'], int(1)],
    [['pfcount', 'empty'], int(0)],
    [['pfcount', 'nokey'], int(0)],
    [['pfmerge', 'fresh'], OK],
    [['pfcount', 'fresh'], int(0)],
  ]);
});

t.test('PFCOUNT answers as Redis 5 does for larger sets (checked against redis-server)', async (t) => {
  const { run } = harness();
  for (let i = 0; i < 1000; i++) run('pfadd', 'h', `element:${i}`);
  // Same hash, registers and estimator as Redis: redis-server answers 997 for these 1000 elements.
  t.equal(run('pfcount', 'h'), int(997));
});

t.test('a small HLL is sparse, byte for byte as Redis writes it', async (t) => {
  const { run } = harness();
  run('pfadd', 'x', 'a');
  // redis-server: PFADD x a; GET x. XZERO(12711), VAL(2 x1), XZERO(3672), cache invalid.
  t.equal(run('get', 'x'), bulk('HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80\x71\xa6\x84\x4e\x57'));
  for (let i = 0; i < 3000; i++) run('pfadd', 'x', `e${i}`);
  t.equal(run('strlen', 'x'), int(12304), 'promoted to dense past 3000 bytes');
});

t.test('PFCOUNT caches the cardinality in the header until the next change', async (t) => {
  const { run } = harness();
  run('pfadd', 'h', 'a', 'b');
  const bytes = (): string => run('get', 'h').split('\r\n')[1]!;
  t.equal(bytes().charCodeAt(15) & 0x80, 0x80, 'invalid after PFADD');
  run('pfcount', 'h');
  t.equal(bytes().slice(8, 16), '\x02\0\0\0\0\0\0\0', 'the count, little-endian, valid');
  run('pfadd', 'h', 'c');
  t.equal(bytes().charCodeAt(15) & 0x80, 0x80, 'invalidated by a change');
});

t.test('Keys that are not HyperLogLogs are refused', async (t) => {
  const { run } = harness();
  run('set', 's', 'not an hll');
  run('rpush', 'l', 'x');
  const invalid = '-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n';
  check(t, run, [
    [['pfadd', 's', 'a'], invalid],
    [['pfcount', 's'], invalid],
    [['pfcount', 'nokey', 's'], invalid],
    [['pfmerge', 'dst', 's'], invalid],
    [['pfadd', 'l', 'a'], WRONGTYPE],
    [['exists', 'dst'], int(0)],
  ]);
});
