// model-check's command line refuses what it cannot run, naming what is valid.

import t from 'tap';
import { runScript } from '../fixtures/node-script.js';

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
