// model-check's statistics: the coefficient of variation of repeated figures and Spearman's rank
// correlation (ties share their mean rank); and its command line refuses what it cannot run.

import t from 'tap';
import { coefficientOfVariation, spearman } from '../../scripts/model-check.js';
import { runScript } from '../fixtures/node-script.js';

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

t.test('the command refuses an unknown preset and a bad count, naming what is valid', async (t) => {
  const bad = await runScript('model-check.js', ['--presets', 'redis-nope']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--presets: unknown preset redis-nope; valid: .*redis-mpk2/);
  const runs = await runScript('model-check.js', ['--runs', '1']);
  t.equal(runs.code, 2);
  t.match(runs.stderr, /--runs: "1" is not valid; expected an integer from 2 to 100/);
  const help = await runScript('model-check.js', ['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /coefficient of variation/);
});
