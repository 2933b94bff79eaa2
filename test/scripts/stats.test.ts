// The shared mean and median: empty input reads 0, an even count takes the mean of the middle two.

import t from 'tap';
import { mean, median } from '../../scripts/stats.js';

t.test('mean and median', async (t) => {
  t.equal(mean([]), 0);
  t.equal(mean([1, 2, 6]), 3);
  t.equal(median([]), 0);
  t.equal(median([5, 1, 3]), 3, 'odd count: the middle one, whatever the order');
  t.equal(median([4, 1, 3, 2]), 2.5, 'even count: the mean of the middle two');
  const xs = [3, 1, 2];
  median(xs);
  t.same(xs, [3, 1, 2], 'the input is not sorted in place');
});
