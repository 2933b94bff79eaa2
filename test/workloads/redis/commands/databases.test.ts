// The 16 databases: SELECT changes the session's db, MOVE carries a key (and its TTL) across, SWAPDB
// exchanges two dbs under every client, FLUSHDB empties one db and FLUSHALL all, DBSIZE is per db.

import t from 'tap';
import { NIL, NOTINT, OK, bulk, check, harness, int } from './harness.js';

t.test('SELECT keeps keyspaces apart; DBSIZE and FLUSHDB are per database, FLUSHALL is not', async (t) => {
  const { run, session } = harness();
  check(t, run, [
    [['set', 'k', 'zero'], OK],
    [['select', '15'], OK],
    [['get', 'k'], NIL],
    [['set', 'k', 'fifteen'], OK],
    [['set', 'k2', 'x'], OK],
    [['dbsize'], int(2)],
    [['select', '16'], '-ERR DB index is out of range\r\n'],
    [['select', '-1'], '-ERR DB index is out of range\r\n'],
    [['select', 'x'], '-ERR invalid DB index\r\n'],
    [['flushdb'], OK],
    [['dbsize'], int(0)],
    [['select', '0'], OK],
    [['get', 'k'], bulk('zero')],
    [['select', '3'], OK],
    [['set', 'k', 'three'], OK],
    [['flushall'], OK],
    [['dbsize'], int(0)],
    [['select', '0'], OK],
    [['dbsize'], int(0)],
  ]);
  t.equal(session.db, 0);
});

t.test('MOVE carries the key and its TTL, refusing when the target has it', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['set', 'k', 'v', 'ex', '100'], OK],
    [['move', 'k', '1'], int(1)],
    [['exists', 'k'], int(0)],
    [['move', 'k', '1'], int(0)],
    [['select', '1'], OK],
    [['ttl', 'k'], int(100)],
    [['set', 'other', 'o'], OK],
    [['select', '0'], OK],
    [['set', 'other', 'mine'], OK],
    [['move', 'other', '1'], int(0)],
    [['get', 'other'], bulk('mine')],
    [['move', 'other', '0'], '-ERR source and destination objects are the same\r\n'],
    [['move', 'other', '16'], '-ERR index out of range\r\n'],
    [['move', 'other', 'x'], '-ERR index out of range\r\n'],
  ]);
});

t.test('SWAPDB exchanges two databases for the clients already on them', async (t) => {
  const { run } = harness();
  check(t, run, [
    [['set', 'a', 'in0'], OK],
    [['select', '1'], OK],
    [['set', 'b', 'in1', 'px', '5000'], OK],
    [['swapdb', '0', '1'], OK],
    [['get', 'a'], bulk('in0')],
    [['get', 'b'], NIL],
    [['select', '0'], OK],
    [['get', 'b'], bulk('in1')],
    [['pttl', 'b'], int(5000)],
    [['swapdb', '0', '0'], OK],
    [['swapdb', '0', '16'], '-ERR DB index is out of range\r\n'],
    [['swapdb', 'x', '1'], '-ERR invalid first DB index\r\n'],
    [['swapdb', '1', 'y'], '-ERR invalid second DB index\r\n'],
    [['dbsize'], int(1)],
  ]);
  t.equal(run('move', 'b', '99999999999999999999'), '-ERR index out of range\r\n', 'an index past long long is out of range');
  t.not(run('move', 'b', '1'), NOTINT);
});
