// `run.js <preset> --html <file>` end to end: a short run with the built-in client writes the page
// beside the text report, drawn from the same figures as --json; --html is refused where there is
// no run to report (--serve, --inject, SQLite's local runs), naming the option; --from-json redraws a saved run.

import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScript } from '../../fixtures/node-script.js';

const runJs = (args: readonly string[]) => runScript('run.js', args, 180_000);

t.test('a run writes its report page: the preset, its compartments and gate edges, the whole latency curve', async (t) => {
  const page = join(mkdtempSync(join(tmpdir(), 'flexos-run-html-')), 'report.html');
  const { code, stdout, stderr } = await runJs(['redis-mpk2', '--requests', '2000', '--sizes', '1', '--warmup', '0', '--builtin', '--json', '--html', page]);
  t.equal(code, 0, stderr);
  t.match(stderr, `run report: ${page}`);
  const json = JSON.parse(stdout) as { compartments: unknown[]; crossings_by_edge: unknown[]; latency_distribution: { source: string } };
  const html = readFileSync(page, 'utf8');
  t.match(html, /<h1>flexos-sim run: redis-mpk2<\/h1>/);
  t.equal((html.match(/<g class="compartment" /g) ?? []).length, json.compartments.length);
  t.equal((html.match(/<g class="gate-edge" /g) ?? []).length, json.crossings_by_edge.length);
  t.ok(json.crossings_by_edge.length > 0, 'redis-mpk2 crosses gates');
  t.equal(json.latency_distribution.source, 'hdr-histogram', 'the built-in client keeps every request');
  t.notMatch(html, /https?:\/\//);

  const saved = join(mkdtempSync(join(tmpdir(), 'flexos-run-html-')), 'run.json');
  writeFileSync(saved, stdout);
  const again = `${saved}.html`;
  const redrawn = await runJs(['--from-json', saved, '--html', again]);
  t.equal(redrawn.code, 0, redrawn.stderr);
  t.equal(readFileSync(again, 'utf8'), html, '--from-json draws the saved run as the same page');
});

t.test('--from-json needs --html and a run JSON of this version, and says so', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flexos-run-html-'));
  writeFileSync(join(dir, 'old.json'), JSON.stringify({ preset: 'redis-mpk2', throughput_rps: { measured: 1, modelled: 2 } }));
  const old = await runJs(['--from-json', join(dir, 'old.json'), '--html', join(dir, 'x.html')]);
  t.equal(old.code, 2);
  t.match(old.stderr, /the run JSON has no .*compartments/);
  const noHtml = await runJs(['--from-json', join(dir, 'old.json')]);
  t.equal(noHtml.code, 2);
  t.match(noHtml.stderr, /give --html/);
});

t.test('--html with --serve or --inject, or for an application without a network run, is refused naming --html, before booting', async (t) => {
  for (const args of [['redis-none', '--serve', '--html', 'x.html'], ['redis-none', '--inject', 'lwip:crash', '--html', 'x.html'], ['sqlite-none', '--html', 'x.html']]) {
    const { code, stderr } = await runJs(args);
    t.equal(code, 2, `${args.join(' ')}: exit 2`);
    t.match(stderr, /--html/, `${args.join(' ')}: names --html`);
    t.notMatch(stderr, /booting/, `${args.join(' ')}: refused before booting`);
  }
});
