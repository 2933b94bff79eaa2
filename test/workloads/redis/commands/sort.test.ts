// SORT as Redis 5 documents it: numeric and ALPHA order, DESC, LIMIT, BY patterns (strings and hash
// fields, nosort), GET patterns with '#', STORE into a list, and its errors.

import t from 'tap';
import { NOTINT, SYNTAX, WRONGTYPE, array, check, harness, int } from './harness.js';

t.test('SORT orders numerically, ALPHA, DESC and with LIMIT', async (t) => {
  const { run } = harness();
  run('rpush', 'l', '3', '1', '2', '10');
  run('rpush', 'words', 'b', 'a', 'c');
  check(t, run, [
    [['sort', 'l'], array('1', '2', '3', '10')],
    [['sort', 'l', 'desc'], array('10', '3', '2', '1')],
    [['sort', 'l', 'alpha'], array('1', '10', '2', '3')],
    [['sort', 'l', 'limit', '1', '2'], array('2', '3')],
    [['sort', 'l', 'limit', '-1', '2'], array('1', '2')],
    [['sort', 'l', 'limit', '1', '-1'], array('2', '3', '10')],
    [['sort', 'l', 'limit', '10', '2'], array()],
    [['sort', 'words', 'alpha', 'desc'], array('c', 'b', 'a')],
    [['sort', 'words'], "-ERR One or more scores can't be converted into double\r\n"],
    [['sort', 'nokey'], array()],
    [['sort', 'l', 'limit', 'x', '2'], NOTINT],
    [['sort', 'l', 'bogus'], SYNTAX],
  ]);
  run('set', 's', 'x');
  t.equal(run('sort', 's'), WRONGTYPE);
});

t.test('SORT BY and GET look other keys up, # is the element', async (t) => {
  const { run } = harness();
  run('rpush', 'l', '1', '2', '3');
  run('mset', 'w_1', '30', 'w_2', '20', 'w_3', '10', 'o_1', 'one', 'o_3', 'three');
  run('hset', 'h_1', 'f', 'b');
  run('hset', 'h_2', 'f', 'a');
  check(t, run, [
    [['sort', 'l', 'by', 'w_*'], array('3', '2', '1')],
    [['sort', 'l', 'by', 'w_*', 'get', '#', 'get', 'o_*'], array('3', 'three', '2', null, '1', 'one')],
    [['sort', 'l', 'by', 'h_*->f', 'alpha', 'get', 'h_*->f'], array(null, 'a', 'b')],
    [['sort', 'l', 'by', 'nosort', 'desc'], array('3', '2', '1')],
    [['sort', 'l', 'by', 'nosort', 'limit', '1', '1'], array('2')],
    [['sort', 'l', 'get', 'nostar'], array(null, null, null)],
  ]);
  run('rpush', 'blank', '1', '2');
  run('set', 'w_1', '');
  t.equal(run('sort', 'blank', 'by', 'w_*'), array('1', '2'), 'an empty weight is 0, as strtod reads it');
  run('set', 'w_1', ' 25');
  t.equal(run('sort', 'blank', 'by', 'w_*'), array('2', '1'), 'strtod skips leading blanks');
});

t.test('SORT STORE writes a list (GET misses become empty strings) and deletes on empty', async (t) => {
  const { run } = harness();
  run('rpush', 'l', '2', '1');
  run('sadd', 'set', 'b', 'c', 'a');
  check(t, run, [
    [['sort', 'l', 'store', 'dst'], int(2)],
    [['lrange', 'dst', '0', '-1'], array('1', '2')],
    [['sort', 'l', 'get', 'x_*', 'store', 'dst'], int(2)],
    [['lrange', 'dst', '0', '-1'], array('', '')],
    [['sort', 'set', 'by', 'nosort', 'store', 'dst'], int(3)],
    [['lrange', 'dst', '0', '-1'], array('a', 'b', 'c')],
    [['sort', 'nokey', 'store', 'dst'], int(0)],
    [['exists', 'dst'], int(0)],
  ]);
});
