// `scripts/soak.js` on a short run: mixed load against redis-none, a memory table and a sparkline
// per thread, every key written during the run read back intact, and the machine-readable line.
// A --presets that names no preset is refused.

import t from 'tap';
import { sparkline } from '../../scripts/soak.js';
import { runScript } from '../fixtures/node-script.js';

t.test('sparkline maps the lowest value to the lowest bar and the highest to the highest', async (t) => {
  t.equal(sparkline([0, 7, 14]), '▁▅█');
  t.equal(sparkline([3, 3]), '▁▁');
});

t.test('a --presets naming no preset is refused, exit 2 (a soak of nothing would pass)', async (t) => {
  const { code, stderr } = await runScript('soak.js', ['--presets', ',']);
  t.equal(code, 2);
  t.match(stderr, /--presets: "," names no preset/);
});

t.test('a 6-second soak of redis-none: memory curve, no errors, every key intact', async (t) => {
  const { code, stdout } = await runScript('soak.js', ['--minutes', '0.1', '--presets', 'redis-none', '--keys', '20', '--threshold', '1000']);
  t.match(stdout, /redis-none: memory in MiB over time \(\d+ samples/);
  t.match(stdout, /^ +host +[▁▂▃▄▅▆▇█]+ /m, 'a sparkline for the host thread');
  t.match(stdout, /^ +comp1 tlsf +[▁▂▃▄▅▆▇█]+ /m, "a sparkline for the compartment's TLSF heap");
  const line = /^SOAK (.*)$/m.exec(stdout)?.[1];
  const summary = JSON.parse(line ?? '{}') as { presets?: { keys: number; wrongKeys: number; errors: number }[] };
  t.ok((summary.presets?.[0]?.keys ?? 0) > 0, 'keys were written');
  t.equal(summary.presets?.[0]?.wrongKeys, 0, 'every key read back intact');
  t.equal(summary.presets?.[0]?.errors, 0, 'no errors');
  t.equal(code, 0, 'exit 0');
});
