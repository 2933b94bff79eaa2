import t from 'tap';
import { appNamed, libraryRegistry } from '../../../workloads/registry.js';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSpace } from '../../../compartments/config/space.js';
import { buildPoset } from '../../../scripts/explore/poset.js';
import { searchBudget } from '../../../scripts/explore/search.js';
import { renderHtml, renderSvg } from '../../../scripts/explore/picture.js';

const points = expandSpace(appNamed('redis').space(), { registry: libraryRegistry });
const poset = buildPoset(points);
const result = await searchBudget(poset, async (l) => ({ value: 100 - 10 * points[poset.indexOf(l)]!.hardened.length }), { budget: 75, margin: 0 });
const input = { title: 'redis exploration', metric: 'modelled throughput', poset, result };

t.test('the HTML has one node per configuration, marks the chosen ones and shows skipped ones hollow', async (t) => {
  const html = renderHtml(input);
  t.match(html, /^<!doctype html>/);
  t.match(html, /<svg /);
  const nodes = [...html.matchAll(/<g class="node (\w+)" data-label="([^"]+)"/g)];
  t.equal(nodes.length, 80);
  t.equal(new Set(nodes.map((m) => m[2])).size, 80);
  const chosen = nodes.filter((m) => m[1] === 'chosen').map((m) => m[2]).sort();
  t.same(chosen, [...result.safest].sort());
  t.ok(chosen.length > 0);
  const skipped = result.outcomes.filter((o) => !o.measured).map((o) => o.label);
  t.ok(skipped.length > 0);
  for (const l of skipped) t.match(html, new RegExp(`data-label="${l}"[^>]*><title>[^<]*</title><circle[^>]*fill="none"`), `${l} hollow`);
  t.equal((html.match(/<line class="edge"/g) ?? []).length, 166);
  t.match(html, /budget modelled throughput &gt;= 75/);
  t.equal((html.match(/<tr class=/g) ?? []).length, 80, 'a table row per configuration');
});

t.test('no two labels overlap, even on the widest levels of the 80-configuration Redis space', async (t) => {
  const svg = renderSvg(input);
  const size = /<svg [^>]*width="([\d.]+)" height="([\d.]+)"/.exec(svg)!;
  const [width, height] = [Number(size[1]), Number(size[2])];
  // Each label's box: centred on its x, 9 px type from its baseline up, 0.75 em a character (the
  // widest capitals of these labels, H and N, in DejaVu Sans; digits and R, S, L are narrower).
  const boxes = [...svg.matchAll(/data-label="([^"]+)"[^]*?<text x="([\d.]+)" y="([\d.]+)" text-anchor="middle">([^<]+)<\/text>/g)].map((m) => {
    const [x, y, w] = [Number(m[2]), Number(m[3]), m[4]!.length * 9 * 0.75];
    return { label: m[1]!, left: x - w / 2, right: x + w / 2, top: y - 9, bottom: y + 3 };
  });
  t.equal(boxes.length, 80, 'a label per configuration');
  t.same(boxes.map((b) => b.label).sort(), poset.labels.slice().sort(), 'each under its own node');
  const overlaps: string[] = [];
  for (const [i, a] of boxes.entries()) {
    for (const b of boxes.slice(i + 1)) if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) overlaps.push(`${a.label} / ${b.label}`);
  }
  t.same(overlaps, [], 'no two label boxes overlap');
  t.ok(boxes.every((b) => b.left >= 0 && b.right <= width && b.top >= 0 && b.bottom <= height), 'every label inside the picture');
  t.ok(width <= 1400, `the picture fits a screen's width (${width} px): wide levels wrap into rows`);
});

t.test('the SVG alone is a standalone document', async (t) => {
  const svg = renderSvg(input);
  t.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  t.match(svg, /<\/svg>$/);
});

t.test('renders in headless Chromium', { skip: existsSync('/usr/bin/chromium') ? false : '/usr/bin/chromium is not installed' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'picture-'));
  const page = join(dir, 'p.html');
  writeFileSync(page, renderHtml(input));
  // The flags keep Chromium off the network (this machine has none) and out of any profile.
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`];
  const dom = execFileSync('/usr/bin/chromium', [...flags, '--dump-dom', `file://${page}`], { encoding: 'utf8', timeout: 60_000 });
  t.equal((dom.match(/class="node /g) ?? []).length, 80, 'the rendered page has every node');
  const chosen = [...dom.matchAll(/class="node chosen" data-label="([^"]+)"/g)].map((m) => m[1]).sort();
  t.same(chosen, [...input.result.safest].sort(), 'and marks exactly the chosen configurations');
});
