// `node scripts/paper.js` as a user runs it: argument errors exit 2 with a message naming what is
// valid; a tiny real fig10 run prints one JSON object per preset, keeps them in the results folder,
// draws the chart, and a rerun measures nothing while --fresh measures again.

import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScript, type Finished } from '../../fixtures/node-script.js';

const dir = mkdtempSync(join(tmpdir(), 'paper-cli-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function paper(args: readonly string[]): Promise<Finished> {
  return runScript('paper.js', args, 120_000);
}

t.test('an unknown figure exits 2 and lists the figures', async (t) => {
  const r = await paper(['fig7']);
  t.equal(r.code, 2);
  t.match(r.stderr, /unknown figure "fig7"/);
  t.match(r.stderr, /fig6, fig9, fig10, fig11/);
  t.equal(r.stdout, '');
});

t.test('no figure exits 2; --help exits 0 and names every figure and option', async (t) => {
  t.equal((await paper([])).code, 2);
  const help = await paper(['--help']);
  t.equal(help.code, 0);
  for (const word of ['fig6', 'fig9', 'fig10', 'fig11', '--quick', '--fresh', '--plot', '--json', '--only', '--labels']) t.match(help.stdout, word);
});

t.test('bad options exit 2 naming the option', async (t) => {
  const only = await paper(['fig6', '--only', 'memcached', '--results', dir]);
  t.equal(only.code, 2);
  t.match(only.stderr, /--only.*redis, nginx/);
  const labels = await paper(['fig10', '--labels', 'sqlite-mpk9', '--results', dir]);
  t.equal(labels.code, 2);
  t.match(labels.stderr, /--labels: unknown sqlite-mpk9; valid: sqlite-none, sqlite-mpk3, sqlite-ept2/);
  const foreign = await paper(['fig11', '--count', '5', '--results', dir]);
  t.equal(foreign.code, 2);
  t.match(foreign.stderr, /--count: not an option of fig11/);
});

t.test('fig10, a tiny real run: JSON per preset, stored, plotted, resumed, --fresh', async (t) => {
  const args = ['fig10', '--count', '20', '--json', '--results', dir];
  const first = await paper([...args, '--plot']);
  t.equal(first.code, 0, first.stderr);
  const lines = first.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  // FlexOS's three, then the baselines beside them.
  t.same(lines.map((l) => l['label']), ['sqlite-none', 'sqlite-mpk3', 'sqlite-ept2', 'sqlite-unikraft', 'sqlite-linux-pt2', 'sqlite-sel4-pt3', 'sqlite-cubicleos-mpk3']);
  for (const l of lines) {
    t.equal(l['unit'], 's');
    t.ok(typeof l['measured'] === 'number' && l['measured'] > 0, `${String(l['label'])} measured`);
    t.ok(typeof l['modelled'] === 'number' && l['modelled'] > 0, `${String(l['label'])} modelled`);
  }
  t.equal(readFileSync(join(dir, 'fig10.jsonl'), 'utf8').trim().split('\n').length, 7, 'one stored line per preset');
  const svg = readFileSync(join(dir, 'fig10.svg'), 'utf8');
  for (const l of lines) t.match(svg, `>${String(l['label'])}</text>`, `a bar pair for ${String(l['label'])}`);
  t.ok(existsSync(join(dir, 'fig10.vl.json')) && existsSync(join(dir, 'fig10.png')), 'the Vega-Lite spec and the PNG beside the SVG');

  const again = await paper(args);
  t.equal(again.code, 0);
  t.same(again.stdout, first.stdout, 'a rerun prints the stored results unchanged');
  t.match(again.stderr, /7 of 7 already measured/);
  t.notMatch(again.stderr, /booting/, 'and boots nothing');

  const fresh = await paper([...args, '--fresh', '--labels', 'sqlite-none']);
  t.equal(fresh.code, 0);
  t.match(fresh.stderr, /dropped 1 stored result/);
  t.match(fresh.stderr, /sqlite-none: booting/);
  t.notMatch(fresh.stderr, /sqlite-mpk3: booting/, '--fresh with --labels measures only those again');
  t.ok(existsSync(join(dir, 'fig10.jsonl')));
});
