// The list deque against an array model: pushes and pops at both ends, inserts, removals and
// replacements inside (shifting either side), across growth and wrap-around of the ring.

import t from 'tap';
import { HandleDeque } from '../../../../workloads/redis/structs/deque.js';

t.test('random operations keep the deque equal to an array', async (t) => {
  let seed = 11;
  const rnd = (n: number): number => Math.floor(((seed = (seed * 48271) % 2147483647) / 2147483647) * n);
  const d = new HandleDeque(2);
  const model: number[] = [];
  let next = 1;
  for (let step = 0; step < 5000; step++) {
    const op = rnd(6);
    if (op === 0) {
      d.pushFront(next, next % 7);
      model.unshift(next++);
    } else if (op === 1) {
      d.pushBack(next, next % 7);
      model.push(next++);
    } else if (op === 2) {
      const at = rnd(model.length + 1);
      d.insertAt(at, next, next % 7);
      model.splice(at, 0, next++);
    } else if (op === 3 && model.length > 0) {
      const at = rnd(model.length);
      d.removeAt(at);
      model.splice(at, 1);
    } else if (op === 4 && model.length > 0) {
      const at = rnd(model.length);
      d.setAt(at, next, next % 7);
      model[at] = next++;
    } else if (op === 5 && model.length > 0) {
      if (rnd(2) === 0) {
        d.dropFront();
        model.shift();
      } else {
        d.dropBack();
        model.pop();
      }
    }
  }
  t.equal(d.length, model.length);
  const got = Array.from({ length: d.length }, (_, i) => d.addrAt(i));
  t.same(got, model);
  t.ok(got.every((a, i) => d.lenAt(i) === a % 7), 'lengths travel with their addresses');
  t.throws(() => d.insertAt(d.length + 1, 0, 0), RangeError);
  t.throws(() => d.removeAt(d.length), RangeError);
});
