// `scripts/profile.js` end to end: a short real Redis run under --cpu-prof gives one flame graph per
// compartment and one for the host, and the compartments' graphs show gate frames by target.

import t from 'tap';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScript } from '../fixtures/node-script.js';

t.test('redis-mpk2: one SVG per compartment with gate frames, one for the host, and an index', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'flexos-profile-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const { code, stdout, stderr } = await runScript('profile.js', ['redis-mpk2', '--requests', '2000', '--out', out]);
  t.equal(code, 0, stderr);
  const files = readdirSync(out).filter((f) => f.endsWith('.svg')).sort();
  t.same(files, ['flame-comp1.svg', 'flame-comp2.svg', 'flame-host.svg']);
  for (const c of ['comp1', 'comp2']) {
    const svg = readFileSync(join(out, `flame-${c}.svg`), 'utf8');
    t.match(svg, /<title>gate:(lwip|newlib|uktime|redis)\.\w+ \(\d+ samples?/, `${c} shows a named gate`);
    t.match(svg, /<title>gate -&gt; \w+\.\w+ /, `${c} shows the crossing itself`);
  }
  t.match(readFileSync(join(out, 'index.html'), 'utf8'), /href="flame-comp2\.svg"/);
  t.match(stdout, new RegExp(`comp1 .* samples.*flame-comp1\\.svg`));
});
