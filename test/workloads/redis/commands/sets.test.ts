// Set commands against Redis 5.0's replies (t_set.c): SMOVE, SRANDMEMBER's count semantics, SSCAN with
// MATCH/COUNT, SINTER/SUNION/SDIFF and their STORE forms, SPOP with a count; and that bytes are freed.

import t from 'tap';
import { NOTINT, SYNTAX, WRONGTYPE, check, harness } from './harness.js';

/** The members of an array reply of bulks, sorted (set replies come in hash-table order). */
function members(reply: string): string[] {
  const lines = reply.split('\r\n');
  const out: string[] = [];
  for (let i = 1; i < lines.length - 1; i += 2) out.push(lines[i + 1]!);
  return out.sort();
}

t.test('SINTER, SUNION, SDIFF', async (t) => {
  const { run } = harness();
  run('sadd', 'a', '1', '2', '3', 'x');
  run('sadd', 'b', '2', '3', '4');
  run('sadd', 'c', '3', '5');
  t.same(members(run('sinter', 'a', 'b')), ['2', '3']);
  t.same(members(run('sinter', 'a', 'b', 'c')), ['3']);
  t.same(members(run('sunion', 'a', 'c', 'nokey')), ['1', '2', '3', '5', 'x']);
  t.same(members(run('sdiff', 'a', 'b', 'c')), ['1', 'x']);
  t.same(members(run('sdiff', 'a', 'a')), []);
  t.equal(run('sdiff', 'nokey', 'a'), '*0\r\n');
  t.equal(run('sinter', 'a', 'nokey'), '*0\r\n');
  run('rpush', 'list', 'v');
  t.equal(run('sinter', 'a', 'list'), WRONGTYPE);
  t.equal(run('sinter', 'nokey', 'list'), '*0\r\n', 'Redis 5 stops at the missing key before type-checking the rest');
  t.equal(run('sunion', 'nokey', 'list'), WRONGTYPE, 'SUNION checks every key');
  t.equal(run('sdiff', 'a', 'list'), WRONGTYPE);
});

t.test('the STORE forms replace the destination, or delete it when the result is empty', async (t) => {
  const { run, store } = harness();
  run('sadd', 'a', '1', '2', '3');
  run('sadd', 'b', '2', '3', '4');
  check(t, run, [
    [['set', 'dst', 'old'], '+OK\r\n'],
    [['expire', 'dst', '100'], ':1\r\n'],
    [['sinterstore', 'dst', 'a', 'b'], ':2\r\n'],
    [['ttl', 'dst'], ':-1\r\n'],
    [['sunionstore', 'dst', 'a', 'b'], ':4\r\n'],
    [['sdiffstore', 'dst', 'a', 'b'], ':1\r\n'],
    [['smembers', 'dst'], '*1\r\n$1\r\n1\r\n'],
    [['sinterstore', 'dst', 'a', 'nokey'], ':0\r\n'],
    [['exists', 'dst'], ':0\r\n'],
    [['sunionstore', 'a', 'a', 'b'], ':4\r\n'],
    [['scard', 'a'], ':4\r\n'],
    [['sdiffstore', 'dst', 'b', 'a'], ':0\r\n'],
    [['sunionstore', 'dst'], "-ERR wrong number of arguments for 'sunionstore' command\r\n"],
  ]);
  run('del', 'a', 'b');
  t.equal(store.count, 0, 'stored results own their bytes and free them');
});

t.test('SMOVE moves one member; 0 when absent; same key; WRONGTYPE on either side', async (t) => {
  const { run } = harness();
  run('sadd', 'src', 'a', 'b');
  run('sadd', 'dst', 'b');
  run('set', 'str', 'v');
  check(t, run, [
    [['smove', 'src', 'dst', 'a'], ':1\r\n'],
    [['smove', 'src', 'dst', 'a'], ':0\r\n'],
    [['smove', 'nokey', 'dst', 'a'], ':0\r\n'],
    [['smove', 'src', 'src', 'b'], ':1\r\n'],
    [['smove', 'src', 'src', 'zz'], ':0\r\n'],
    [['smove', 'src', 'str', 'b'], WRONGTYPE],
    [['smove', 'str', 'dst', 'b'], WRONGTYPE],
    [['smove', 'nokey', 'str', 'b'], ':0\r\n'],
    [['smove', 'src', 'new', 'b'], ':1\r\n'],
    [['exists', 'src'], ':0\r\n'],
    [['smembers', 'new'], '*1\r\n$1\r\nb\r\n'],
    [['smove', 'dst', 'new', 'b'], ':1\r\n'],
    [['scard', 'new'], ':1\r\n'],
  ]);
});

t.test('SRANDMEMBER: no count one member, count > 0 distinct, count < 0 with repeats', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['srandmember', 'nokey'], '$-1\r\n'],
    [['srandmember', 'nokey', '3'], '*0\r\n'],
    [['srandmember', 'nokey', 'x'], NOTINT],
    [['srandmember', 'k', '1', '2'], SYNTAX],
  ]);
  run('sadd', 'k', 'a', 'b', 'c', 'd');
  t.match(run('srandmember', 'k'), /^\$1\r\n[abcd]\r\n$/);
  t.equal(run('srandmember', 'k', '0'), '*0\r\n');
  const two = members(run('srandmember', 'k', '2'));
  t.equal(new Set(two).size, 2, 'two distinct members');
  t.same(members(run('srandmember', 'k', '10')), ['a', 'b', 'c', 'd'], 'a count past the size gives the whole set');
  const many = members(run('srandmember', 'k', '-10'));
  t.equal(many.length, 10, 'a negative count gives that many, repeating');
  t.ok(many.every((m) => 'abcd'.includes(m)));
  t.equal(run('scard', 'k'), ':4\r\n', 'nothing is removed');
});

t.test('SPOP with a count pops that many, the whole set past its size', async (t) => {
  const { run, store } = harness();
  run('sadd', 'k', 'a', 'b', 'c');
  t.equal(members(run('spop', 'k', '2')).length, 2);
  t.equal(run('scard', 'k'), ':1\r\n');
  t.equal(run('spop', 'k', '0'), '*0\r\n');
  t.equal(run('spop', 'k', '-1'), '-ERR index out of range\r\n');
  t.equal(members(run('spop', 'k', '5')).length, 1);
  t.equal(run('exists', 'k'), ':0\r\n');
  t.equal(store.count, 0);
});

t.test('SSCAN walks the set with COUNT, filters with MATCH, and sees every member present throughout', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['sscan', 'nokey', '0'], '*2\r\n$1\r\n0\r\n*0\r\n'],
    [['sscan', 'nokey', 'x'], '-ERR invalid cursor\r\n'],
    [['sadd', 'k', 'a'], ':1\r\n'],
    [['sscan', 'k', '0', 'COUNT', '0'], SYNTAX],
    [['sscan', 'k', '0', 'COUNT', 'x'], NOTINT],
    [['sscan', 'k', '0', 'MATCH'], SYNTAX],
    [['sscan', 'k', '0', 'FOO', 'bar'], SYNTAX],
    [['sscan', 'k', '0'], '*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n'],
  ]);
  const all = Array.from({ length: 50 }, (_, i) => `m${i}`);
  run('sadd', 'big', ...all);
  const seen = new Set<string>();
  let cursor = '0';
  let steps = 0;
  do {
    const lines = run('sscan', 'big', cursor, 'COUNT', '7').split('\r\n');
    cursor = lines[2]!;
    for (let i = 5; i < lines.length; i += 2) seen.add(lines[i]!);
    if (steps === 2) run('srem', 'big', 'm0', 'm1', 'm2', 'm3'); // removals mid-scan move members around
    steps++;
  } while (cursor !== '0' && steps < 100);
  for (const m of all.slice(4)) t.ok(seen.has(m), `${m} was returned`);
  t.match(run('sscan', 'big', '0', 'MATCH', 'm1*', 'COUNT', '1000'), /^\*2\r\n\$1\r\n0\r\n\*10\r\n/, 'm1, m10..m19 less the removed m1');
});
