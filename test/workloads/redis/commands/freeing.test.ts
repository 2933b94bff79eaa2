// Every byte string the new commands allocate in the value store is accounted for: after any mix of
// them, FLUSHALL leaves the store empty (RENAME, MOVE, SWAPDB, SORT STORE, RESTORE, PF* rewrites...).

import t from 'tap';
import fc from 'fast-check';
import { harness } from './harness.js';

const KEYS = ['a', 'b', 'c'];
const command = fc.oneof(
  fc.tuple(fc.constantFrom('set', 'append', 'getset', 'setnx'), fc.constantFrom(...KEYS), fc.constantFrom('1', 'x', '2.5', '')).map((a) => [...a]),
  fc.tuple(fc.constant('incrbyfloat'), fc.constantFrom(...KEYS), fc.constantFrom('1.5', '-2', 'x')).map((a) => [...a]),
  fc.tuple(fc.constant('setrange'), fc.constantFrom(...KEYS), fc.constantFrom('0', '5'), fc.constantFrom('', 'ab')).map((a) => [...a]),
  fc.tuple(fc.constant('setbit'), fc.constantFrom(...KEYS), fc.constantFrom('0', '20'), fc.constantFrom('0', '1')).map((a) => [...a]),
  fc.tuple(fc.constant('bitop'), fc.constantFrom('and', 'not'), fc.constantFrom(...KEYS), fc.constantFrom(...KEYS)).map((a) => [...a]),
  fc.tuple(fc.constantFrom('rename', 'renamenx'), fc.constantFrom(...KEYS), fc.constantFrom(...KEYS)).map((a) => [...a]),
  fc.tuple(fc.constant('move'), fc.constantFrom(...KEYS), fc.constantFrom('1', '2')).map((a) => [...a]),
  fc.tuple(fc.constant('swapdb'), fc.constantFrom('0', '1'), fc.constantFrom('1', '2')).map((a) => [...a]),
  fc.tuple(fc.constant('rpush'), fc.constantFrom(...KEYS), fc.constantFrom('3', '1', 'z')).map((a) => [...a]),
  fc.tuple(fc.constant('sort'), fc.constantFrom(...KEYS), fc.constant('alpha'), fc.constant('store'), fc.constantFrom(...KEYS)).map((a) => [...a]),
  fc.tuple(fc.constantFrom('hsetnx', 'hincrbyfloat'), fc.constantFrom(...KEYS), fc.constantFrom('f', 'g'), fc.constantFrom('1', '0.5')).map((a) => [...a]),
  fc.tuple(fc.constant('pfadd'), fc.constantFrom(...KEYS), fc.constantFrom('e1', 'e2', 'e3')).map((a) => [...a]),
  fc.tuple(fc.constantFrom('pfcount', 'pfmerge'), fc.constantFrom(...KEYS), fc.constantFrom(...KEYS)).map((a) => [...a]),
  fc.tuple(fc.constant('dumprestore'), fc.constantFrom(...KEYS), fc.constantFrom(...KEYS)).map((a) => [...a]),
  fc.tuple(fc.constant('restore'), fc.constantFrom(...KEYS), fc.constant('0'), fc.constant('garbage-payload!')).map((a) => [...a]),
);

t.test('property: any mix of these commands leaves the store empty after FLUSHALL', async (t) => {
  fc.assert(
    fc.property(fc.array(command, { maxLength: 40 }), (cmds) => {
      const { run, store, ks } = harness();
      for (const argv of cmds) {
        if (argv[0] === 'dumprestore') {
          const reply = run('dump', argv[1]!);
          if (reply.startsWith('$') && reply !== '$-1\r\n') run('restore', argv[2]!, '0', reply.slice(reply.indexOf('\r\n') + 2, -2), 'replace');
        } else {
          run(...argv);
        }
      }
      run('flushall');
      return store.count === 0 && ks.storedBytes === 0;
    }),
    { numRuns: 300 },
  );
  t.pass('300 random command mixes freed every allocation');
});
