// The skiplist's range descent (lastWhere / firstNotWhere, what zslFirstInRange and zslLastInRange do)
// against a sorted array, with ties on score ordered by member bytes.

import t from 'tap';
import { SortedSet } from '../../../../workloads/redis/structs/sorted-set.js';

t.test('lastWhere and firstNotWhere find the boundary of a prefix of the order', async (t) => {
  let seed = 5;
  const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const z = new SortedSet(random);
  const model: [number, string][] = [];
  for (let i = 0; i < 400; i++) {
    const member = `m${i}`;
    const score = Math.floor(random() * 40);
    z.insert(member, score, i, 1);
    model.push([score, member]);
  }
  model.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
  for (const bound of [-1, 0, 7, 7.5, 20, 39, 40]) {
    const below = model.filter(([s]) => s < bound);
    t.equal(z.lastWhere((n) => n.score < bound)?.member ?? null, below.at(-1)?.[1] ?? null, `last below ${bound}`);
    t.equal(z.firstNotWhere((n) => n.score < bound)?.member ?? null, model[below.length]?.[1] ?? null, `first at or above ${bound}`);
  }
  t.equal(new SortedSet().lastWhere(() => true), null, 'an empty set has no boundary');
});
