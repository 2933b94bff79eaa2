// The run report page, built from a run's JSON without a browser: one compartment box per
// compartment holding its libraries, one arrow per gate edge, the hardened library marked, every
// chart with its axes and legend, and nothing the page would fetch from a network.

import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runReportHtml } from '../../../scripts/report/html.js';
import { writeRunReport } from '../../../scripts/report/write.js';
import { EDGES, runJson } from './run-fixture.js';

const count = (html: string, pattern: RegExp): number => (html.match(pattern) ?? []).length;
/** Anything a browser would load: a script or stylesheet element, or an attribute or CSS url() naming http(s). */
export const NETWORK_REFERENCE = /<script|<link|<iframe|<img|(?:src|href|xlink:href|action|poster)\s*=\s*["']?\s*(?:https?:)?\/\/|url\(\s*["']?\s*(?:https?:)?\/\/|@import/i;

t.test('one compartment box per compartment, holding its libraries; the hardened library is marked', async (t) => {
  const html = await runReportHtml(runJson());
  t.equal(count(html, /<g class="compartment" /g), 3);
  for (const [name, libs] of [['comp1', ['newlib', 'redis']], ['comp2', ['uksched', 'ukschedcoop']], ['comp3', ['lwip']]] as const) {
    const box = html.match(new RegExp(`<g class="compartment" data-compartment="${name}"[^>]*>(.*?)</g><g class="(?:compartment|gate-edges)"`))?.[1] ?? '';
    for (const lib of libs) t.match(box, `data-library="${lib}"`, `${lib} is drawn inside ${name}`);
  }
  t.match(html, /<g class="library hardened" data-library="lwip">/, 'lwip is marked hardened');
  t.match(html, /class="hardening-badge"[^>]*>K SP U</, 'with its options (H = kasan, stackprotector, ubsan)');
  t.equal(count(html, /<g class="library hardened"/g), 1, 'and no other library is');
  t.match(html, /data-mechanism="intel-pku"/);
});

t.test('one arrow per gate edge, as wide as its crossings per request', async (t) => {
  const html = await runReportHtml(runJson());
  t.equal(count(html, /<g class="gate-edge" /g), EDGES.length);
  const width = (edge: string): number => Number(html.match(new RegExp(`data-edge="${edge.replace('>', '&#62;')}"[^]*?stroke-width="([0-9.]+)"`))?.[1]);
  t.ok(width('lwip -> uksched') > width('lwip -> newlib') && width('lwip -> newlib') > width('redis -> lwip'), 'the busiest edge is the widest');
  t.match(html, /0\.80\/req/, 'labelled with its crossings per request');
  // redis (comp1) -> lwip (comp3) passes comp2: it runs in a lane below the boxes, not across comp2's libraries.
  const boxBottom = Math.max(...[...html.matchAll(/<g class="compartment"[^>]*><title>[^<]*<\/title><rect x="[0-9.]+" y="([0-9.]+)" width="[0-9.]+" height="([0-9.]+)"/g)].map((m) => Number(m[1]) + Number(m[2])));
  const route = html.match(/data-edge="redis -&#62; lwip"[^]*?<path d="([^"]+)"/)?.[1] ?? '';
  const lane = Number(route.match(/V([0-9.]+) H/)?.[1]);
  t.ok(lane > boxBottom, `the lane (y ${lane}) is below the boxes (y ${boxBottom})`);
});

t.test('every chart has its axes and a legend; the latency chart is the HdrHistogram percentile plot', async (t) => {
  const html = await runReportHtml(runJson());
  const charts = [...html.matchAll(/<div class="figure chart" data-chart="([a-z-]+)">(.*?)<\/div>/g)];
  t.same(charts.map((c) => c[1]), ['throughput', 'latency', 'compartment-time', 'model']);
  for (const [, name, svg] of charts) {
    t.ok(count(svg!, /class="mark-group role-axis"/g) >= 2, `${name}: x and y axes`);
    t.match(svg!, /class="mark-group role-legend"/, `${name}: a legend`);
  }
  const latency = charts[1]![2]!;
  t.match(latency, /Latency by percentile \(2,000 requests\)/, 'both GET runs, every request');
  t.match(latency, />99\.9%</, 'the tail on the percentile axis');
  t.match(latency, /built-in client \(HdrHistogram\)/);
  t.match(html, /GET throughput \(mean\)[^]*2 runs: 9,000 rps to 9,500 rps/, 'the spread of the runs beside the mean');
});

t.test('a real client gives percentiles only: the page plots its p50 and p99 per run and says so', async (t) => {
  const html = await runReportHtml(runJson({ histogram: false }));
  t.match(html, /the client printed p50 and p99 only/);
  t.match(html, /run 2 \(client&#39;s percentiles\)|run 2 \(client's percentiles\)/);
});

t.test('the page references no network: no http(s) URL, no script, no stylesheet link', async (t) => {
  const html = await runReportHtml(runJson());
  t.notMatch(html, /https?:\/\//i, 'no http(s) URL anywhere in the page');
  t.notMatch(html, NETWORK_REFERENCE);
  t.ok(NETWORK_REFERENCE.test('<img src="https://example.org/x.png">') && NETWORK_REFERENCE.test('<script>'), 'the check sees what it looks for');
});

t.test('a page from a saved run JSON is the same page; a JSON from before run reports is refused by name', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flexos-report-'));
  const json = runJson();
  writeFileSync(join(dir, 'run.json'), JSON.stringify(json));
  const saved = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
  t.equal(await runReportHtml(saved), await runReportHtml(json));
  const { compartments: _c, time_by_compartment: _t, ...old } = saved;
  await t.rejects(runReportHtml(old), { name: 'TypeError', message: /compartments, time_by_compartment/ });
  await t.rejects(runReportHtml([]), TypeError);
});

t.test('writeRunReport links the CPU profiles when profile.js made them for the preset, and says how otherwise', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flexos-report-'));
  const json = runJson();
  const none = await writeRunReport(json, join(dir, 'out', 'page.html'), { profiles: join(dir, 'profiles') });
  t.equal(none.profiles, undefined);
  t.match(readFileSync(join(dir, 'out', 'page.html'), 'utf8'), /node scripts\/profile\.js redis-report-test/);
  mkdirSync(join(dir, 'profiles', 'redis-report-test'), { recursive: true });
  writeFileSync(join(dir, 'profiles', 'redis-report-test', 'index.html'), '<html></html>');
  const linked = await writeRunReport(json, join(dir, 'out', 'page.html'), { profiles: join(dir, 'profiles') });
  t.equal(linked.profiles, '../profiles/redis-report-test/index.html');
  t.match(readFileSync(join(dir, 'out', 'page.html'), 'utf8'), /<a class="profiles" href="\.\.\/profiles\/redis-report-test\/index\.html">/);
});
