// The hand-written SVG charts of scripts/paper.js --plot: the markup is well-formed XML (every tag
// closed, no attribute twice, text escaped), a bar chart draws one group of bars per configuration
// with one bar per series, and a line chart one solid and one dashed polyline per preset.

import t from 'tap';
import { barChartSvg, lineChartSvg, type BarChart } from '../../../scripts/paper/svg.js';

/** A small XML well-formedness check: balanced tags, unique attributes, no raw & or < in text. */
function wellFormed(xml: string): string | null {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let at = 0;
  let m: RegExpExecArray | null;
  while ((m = tag.exec(body)) !== null) {
    const text = body.slice(at, m.index);
    if (/<|&(?!(lt|gt|amp|quot|apos);)/.test(text)) return `bad text before ${m[0]}: ${JSON.stringify(text.slice(0, 40))}`;
    at = tag.lastIndex;
    const names = [...(m[3] ?? '').matchAll(/([\w:-]+)="/g)].map((a) => a[1]);
    if (new Set(names).size !== names.length) return `an attribute twice in ${m[0]}`;
    if (m[1] === '/') {
      if (stack.pop() !== m[2]) return `</${m[2]}> closes the wrong tag`;
    } else if (m[4] !== '/') stack.push(m[2]!);
  }
  if (body.slice(at).trim() !== '') return `trailing text ${JSON.stringify(body.slice(at, at + 40))}`;
  if (stack.length) return `unclosed ${stack.join(', ')}`;
  return body.startsWith('<svg') ? null : 'the root is not <svg>';
}

const count = (s: string, re: RegExp): number => (s.match(re) ?? []).length;

t.test('the checker itself rejects broken markup', async (t) => {
  t.not(wellFormed('<svg><g></svg>'), null);
  t.not(wellFormed('<svg><text a="1" a="2">x</text></svg>'), null);
  t.not(wellFormed('<svg><text>a & b</text></svg>'), null);
  t.equal(wellFormed('<svg><text a="1">a &amp; b</text><rect/></svg>'), null);
});

t.test('a grouped bar chart: one group per configuration, one bar per series, group names', async (t) => {
  const labels = ['R1N1S1L1', 'R1N1S1L1H', 'R1N1S1L2', 'R1N1S1L2H', 'R1N1S2L3'];
  const chart: BarChart = {
    title: 'GET <throughput> & more',
    yLabel: 'rps',
    series: ['measured', 'modelled'],
    groups: [
      { name: 'R1N1S1L1', bars: labels.slice(0, 2).map((label, i) => ({ label, values: [100 + i, 90 + i] })) },
      { name: 'R1N1S1L2', bars: labels.slice(2, 4).map((label, i) => ({ label, values: [80 + i, 70 + i] })) },
      { name: 'R1N1S2L3', bars: [{ label: labels[4]!, values: [50, Number.NaN] }] },
    ],
  };
  const svg = barChartSvg([chart]);
  t.equal(wellFormed(svg), null);
  t.equal(count(svg, /<g class="config"/g), 5, 'one group per configuration');
  t.equal(count(svg, /<rect class="bar"/g), 10, 'measured and modelled side by side');
  for (const l of labels) t.match(svg, `data-label="${l}"`);
  t.equal(count(svg, /<text class="group"/g), 3, 'one caption per layout');
  t.match(svg, 'GET &lt;throughput&gt; &amp; more', 'text is escaped');
  const heights = [...svg.matchAll(/<rect class="bar"[^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
  t.ok(heights[0]! > heights[1]!, 'a larger value draws a taller bar');
  t.equal(heights[9], 0, 'a missing value draws no bar');
});

t.test('panels stack: two charts, both drawn, one document', async (t) => {
  const one = (name: string, n: number): BarChart => ({ title: name, yLabel: 'rps', series: ['measured', 'modelled'], groups: [{ name: '', bars: Array.from({ length: n }, (_, i) => ({ label: `${name}${i}`, values: [i + 1, i] })) }] });
  const svg = barChartSvg([one('redis', 80), one('nginx', 80)]);
  t.equal(wellFormed(svg), null);
  t.equal(count(svg, /<svg /g), 1);
  t.equal(count(svg, /<g class="config"/g), 160);
  t.throws(() => barChartSvg([]), RangeError);
});

t.test('a log-scale bar chart has decade ticks spanning the values', async (t) => {
  const svg = barChartSvg([{ title: 'gates', yLabel: 'ns', series: ['measured', 'modelled'], log: true, groups: [{ name: '', bars: [{ label: 'function', values: [2, 0.9] }, { label: 'ept', values: [10_000, 210] }] }] }]);
  t.equal(wellFormed(svg), null);
  for (const tick of ['>0.1<', '>1<', '>10<', '>100<', '>1k<', '>10k<']) t.match(svg, tick);
});

t.test('a line chart: one solid (measured) and one dashed (modelled) polyline per preset', async (t) => {
  const presets = ['iperf-none', 'iperf-mpk2-light', 'iperf-mpk2-dss', 'iperf-ept2'];
  const pts = (k: number) => [4, 10, 20].map((x) => ({ x, y: k * x }));
  const svg = lineChartSvg({
    title: 'iperf',
    xLabel: 'log2 buffer',
    yLabel: 'Gb/s',
    xTick: (x) => `2^${x}`,
    series: presets.flatMap((p, k) => [
      { name: `${p} measured`, key: p, dashed: false, points: pts(k + 1) },
      { name: `${p} modelled`, key: p, dashed: true, points: pts(k + 2) },
    ]),
  });
  t.equal(wellFormed(svg), null);
  t.equal(count(svg, /<polyline class="line solid"/g), presets.length);
  t.equal(count(svg, /<polyline class="line dashed"[^>]*stroke-dasharray/g), presets.length);
  for (const p of presets) t.match(svg, `data-series="${p} measured"`);
  t.match(svg, '>2^4<');
  t.match(svg, '>2^20<');
  const points = svg.match(/points="([^"]*)"/)?.[1]?.split(' ') ?? [];
  t.equal(points.length, 3, 'one vertex per buffer size');
});
