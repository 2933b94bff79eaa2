// `paper.js --plot`'s figures as Vega-Lite: each figure's spec compiles, its SVG carries the axis and
// legend titles a reader needs (Fig. 6 grouped by layout with the hardening patterns, Fig. 9 on a
// log-2 axis, Fig. 10 with the baselines), and writeFigure leaves the spec, the SVG and a real PNG.

import t from 'tap';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from 'vega-lite';
import { renderSvgDocument } from '../../../scripts/report/charts.js';
import { writeFigure } from '../../../scripts/paper/chart.js';
import { fig6Points, fig6Spec, hardeningPattern } from '../../../scripts/paper/fig6.js';
import { fig9Spec } from '../../../scripts/paper/fig9.js';
import { FIG10_PRESETS, fig10Spec } from '../../../scripts/paper/fig10.js';
import { fig11Spec, FIG11_GATES } from '../../../scripts/paper/fig11.js';
import type { PaperRecord } from '../../../scripts/paper/store.js';

/** A small stored result: the figures' records as paper.js keeps them, with made-up numbers. */
const record = (label: string, i: number, extra: Record<string, unknown> = {}): PaperRecord => ({ label, measured: 1000 + 37 * i, modelled: 90_000 - 500 * i, unit: 'rps', ...extra });
const redis = fig6Points('redis').slice(0, 20).map((p, i) => record(p.label, i, { layout: p.layout, app: 'redis' }));
const fig9 = ['iperf-none', 'iperf-mpk2-dss'].flatMap((preset, j) => [16, 256, 4096].map((size, i) => record(`${preset}/${size}`, i + j, { preset, buffer_bytes: size, unit: 'Gb/s' })));
const fig10 = FIG10_PRESETS.map((label, i) => record(label, i, { unit: 's', inserts: 20 }));
const fig11 = FIG11_GATES.map((label, i) => record(label, i, { unit: 'ns' }));

/** The text of every <text> element, entities decoded as far as the titles need. */
const texts = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'));

t.test('the hardening pattern: one letter per hardened library of the label, a dash otherwise', async (t) => {
  t.equal(hardeningPattern('R1N1S1L1'), '----');
  t.equal(hardeningPattern('R1N1HS1L1H'), '-N-L');
  t.equal(hardeningPattern('R1HN2HS2HL3H'), 'RNSL');
});

t.test('Fig. 6: a column per layout, hardening patterns on the x axis, measured and modelled in a legend', async (t) => {
  const spec = fig6Spec([{ app: 'redis', records: redis }]);
  t.doesNotThrow(() => compile(spec), 'the spec compiles with vega-lite');
  const svg = await renderSvgDocument(spec);
  t.notMatch(svg, /NaN/, 'every bar has a height on the log axis');
  const words = texts(svg);
  for (const layout of new Set(redis.map((r) => String(r['layout'])))) t.ok(words.includes(layout), `a header for layout ${layout}`);
  t.ok(words.includes('-N-L'), 'the hardening patterns label the bars');
  for (const title of ['GET requests/s (log)', 'hardened libraries', 'figure', 'measured', 'modelled']) t.ok(words.includes(title), `shows "${title}"`);
  t.throws(() => fig6Spec([{ app: 'redis', records: [] }]), RangeError, 'nothing measured: no figure');
});

t.test('Fig. 9: lines per preset over log-2 buffer sizes, measured and modelled panels', async (t) => {
  const spec = fig9Spec(fig9);
  t.doesNotThrow(() => compile(spec));
  const compiled = JSON.stringify(compile(spec).spec);
  t.match(compiled, /"name":"x","type":"log".{0,300}?"base":2/, 'the x scale is log 2');
  const words = texts(await renderSvgDocument(spec));
  for (const w of ['receive buffer size (bytes, log2)', 'Gb/s', 'preset', 'iperf-none', 'iperf-mpk2-dss', 'measured', 'modelled', '2^4', '2^8', '2^12']) t.ok(words.includes(w), `shows "${w}"`);
});

t.test('Fig. 10 and 11: bars for every preset, the baselines included, on a log axis', async (t) => {
  const svg10 = await renderSvgDocument(fig10Spec(fig10));
  t.notMatch(svg10, /NaN/, 'every bar has a height on the log axis (bars are not stacked from 0)');
  const words10 = texts(svg10);
  for (const label of FIG10_PRESETS) t.ok(words10.includes(label), `a bar pair for ${label}`);
  t.ok(words10.includes('seconds (log)') && words10.includes('figure'), 'the y axis and the legend titled');
  const words11 = texts(await renderSvgDocument(fig11Spec(fig11)));
  for (const gate of FIG11_GATES) t.ok(words11.includes(gate), `a bar pair for the ${gate} gate`);
  t.ok(words11.includes('ns per call (log)'));
});

t.test('writeFigure: the Vega-Lite spec to restyle, the SVG, and a PNG', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flexos-figure-'));
  const written = await writeFigure(dir, 'fig10', fig10Spec(fig10));
  t.same(written, { spec: join(dir, 'fig10.vl.json'), svg: join(dir, 'fig10.svg'), png: join(dir, 'fig10.png') });
  const spec = JSON.parse(readFileSync(written.spec, 'utf8')) as { $schema: string };
  t.match(spec.$schema, /vega-lite\/v6/);
  t.doesNotThrow(() => compile(spec as never), 'the written spec compiles as it is');
  t.match(readFileSync(written.svg, 'utf8'), /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, 'a standalone SVG document');
  const png = readFileSync(written.png);
  t.ok(statSync(written.png).size > 1000, 'the PNG is not empty');
  t.same([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'the PNG signature');
});
