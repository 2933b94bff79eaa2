// The flame-graph converter on a small synthetic .cpuprofile: folded stacks count samples per
// stack, GatePort.call under a named gate frame is relabelled with its target, and the SVG gives
// frames widths proportional to their samples with hover titles.

import t from 'tap';
import { flameSvg, foldedText, foldProfile, gateSamples, type CpuProfile } from '../../scripts/flame.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });
// (root) -> main -> gate:lwip.recv -> call (gates/caller) ; main -> work ; (idle)
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 6] },
    { id: 2, callFrame: frame('main', 'file:///x/kernel/redis/server.js', 9), children: [3, 5] },
    { id: 3, callFrame: frame('gate:lwip.recv'), children: [4] },
    { id: 4, callFrame: frame('call', 'file:///x/compartments/gates/caller.js', 73) },
    { id: 5, callFrame: frame('work', 'file:///x/kernel/redis/server.js', 40) },
    { id: 6, callFrame: frame('(idle)') },
  ],
  samples: [4, 4, 4, 5, 6, 6, 4, 2],
};

t.test('folding counts one stack per sample, root first, and labels the gate with its target', async (t) => {
  const folded = foldProfile(profile);
  t.same(Object.fromEntries(folded), {
    'main server.js:10;gate:lwip.recv;gate -> lwip.recv': 4,
    'main server.js:10;work server.js:41': 1,
    'main server.js:10': 1,
    '(idle)': 2,
  });
  t.equal(gateSamples(folded), 4);
  t.match(foldedText(folded), /^\(idle\) 2\nmain server\.js:10 1\n/);
});

t.test('a GatePort.call outside a named gate frame keeps its own name', async (t) => {
  const folded = foldProfile({ nodes: [{ id: 1, callFrame: frame('(root)'), children: [2] }, { id: 2, callFrame: frame('call', 'file:///x/compartments/gates/caller.js', 73), hitCount: 3 }] });
  t.same(Object.fromEntries(folded), { 'call caller.js:74': 3 });
});

t.test('a function named call in another caller.js is not the gate', async (t) => {
  const other = { ...profile, nodes: profile.nodes.map((n) => (n.id === 4 ? { ...n, callFrame: frame('call', 'file:///x/compartments/model/bench-libs/caller.js', 73) } : n)) };
  t.same(Object.fromEntries(foldProfile(other))['main server.js:10;gate:lwip.recv;call caller.js:74'], 4);
});

t.test('the SVG gives each frame a width proportional to its samples and a title', async (t) => {
  const svg = flameSvg(foldProfile(profile), { title: 'test <comp1>', width: 820 });
  const width = (label: string): number => {
    const m = new RegExp(`<title>${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\([^)]*\\)</title><rect [^>]*width="([\\d.]+)"`).exec(svg);
    if (!m) throw new Error(`no frame ${label}`);
    return Number(m[1]);
  };
  // 800 px of frames for 8 samples: 100 px a sample.
  t.equal(width('all'), 800);
  t.equal(width('main server.js:10'), 600);
  t.equal(width('gate -&gt; lwip.recv'), 400);
  t.equal(width('(idle)'), 200);
  t.match(svg, /<title>gate:lwip\.recv \(4 samples, 50\.00%\)<\/title>/);
  t.match(svg, /test &lt;comp1&gt;/, 'the title is escaped');
  t.match(svg, /^<\?xml[^]*<\/svg>\n$/);
});
