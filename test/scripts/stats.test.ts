// The shared mean and median: empty input reads 0, an even count takes the mean of the middle two;
// the coefficient of variation of repeated figures and Spearman's rank correlation (ties share ranks).

import t from 'tap';
import { coefficientOfVariation, mean, median, spearman } from '../../scripts/stats.js';

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

t.test('coefficient of variation: sample standard deviation over the mean', async (t) => {
  t.equal(coefficientOfVariation([5, 5, 5]), 0);
  t.equal(coefficientOfVariation([1]), 0, 'one run has no spread');
  t.ok(Math.abs(coefficientOfVariation([90, 100, 110]) - 0.1) < 1e-12);
});

t.test('spearman: 1 for the same order, -1 reversed, ties share ranks', async (t) => {
  t.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  t.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  t.ok(Math.abs(spearman([1, 2, 3], [1, 3, 2]) - 0.5) < 1e-12);
  t.ok(Math.abs(spearman([1, 1, 2], [1, 2, 3]) - Math.sqrt(3) / 2) < 1e-12, 'a tie');
  t.throws(() => spearman([1], [1]), RangeError);
});
