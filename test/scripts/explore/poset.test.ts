import t from 'tap';
import { appNamed, libraryRegistry } from '../../../workloads/registry.js';
import fc from 'fast-check';
import { expandSpace } from '../../../compartments/config/space.js';
import { buildPoset } from '../../../scripts/explore/poset.js';

const points = expandSpace(appNamed('redis').space(), { registry: libraryRegistry });
const poset = buildPoset(points);
const at = (l: string): number => poset.indexOf(l);

t.test("the paper's Redis poset: 80 nodes, 166 Hasse edges, one root", async (t) => {
  t.equal(poset.size, 80);
  t.equal(poset.edges.length, 166);
  t.same(poset.roots.map((i) => poset.labels[i]), ['R1N1S1L1']);
  t.equal(buildPoset(expandSpace(appNamed('nginx').space(), { registry: libraryRegistry })).edges.length, 166);
  t.equal(buildPoset(points, { crossLayout: 'product' }).edges.length, 256, 'without the paper rule every hardening level repeats the layout edges');
});

t.test('finer compartmentalisation and more hardening are safer; hardened layouts are incomparable', async (t) => {
  t.ok(poset.safer(at('R1N1S1L1'), at('R1N1S1L2')));
  t.ok(poset.safer(at('R1N1S1L2'), at('R1N1S2L3')));
  t.ok(poset.safer(at('R2N2S1L1'), at('R1N1S2L3')));
  t.ok(poset.safer(at('R1N1S1L1'), at('R1HN1S2L3H')), 'from the unhardened root everything is safer');
  t.ok(poset.safer(at('R1N1S2L1'), at('R1N1S2L1H')));
  t.ok(poset.safer(at('R1N1S2L1H'), at('R1HN1S2L1H')));
  t.notOk(poset.safer(at('R1N1S1L2H'), at('R1N1S2L3H')), 'hardened configurations of different layouts');
  t.notOk(poset.safer(at('R1N1S2L3H'), at('R1N1S1L2H')));
  t.notOk(poset.safer(at('R1N1S1L2'), at('R1N1S2L1')), 'sibling layouts are incomparable');
  t.notOk(poset.safer(at('R1HN1S1L1'), at('R1N1S1L1H')), 'different hardened libraries are incomparable');
  t.same(poset.levels[at('R1N1S1L1')], 0);
  t.same(poset.levels[at('R1HN1HS2HL3H')], 6);
});

t.test('the order is a strict partial order and the edges are its covers', async (t) => {
  const idx = fc.integer({ min: 0, max: 79 });
  fc.assert(
    fc.property(idx, idx, idx, (a, b, c) => {
      if (poset.safer(a, a)) return false;
      if (poset.safer(a, b) && poset.safer(b, a)) return false;
      if (poset.safer(a, b) && poset.safer(b, c) && !poset.safer(a, c)) return false;
      return true;
    }),
    { numRuns: 3000 },
  );
  for (const [a, b] of poset.edges) {
    t.ok(poset.safer(a, b));
    t.notOk([...poset.above[a]!].some((c) => poset.safer(c, b)), `${poset.labels[a]} -> ${poset.labels[b]} is a cover`);
  }
  // The closure of the edges is the order.
  let pairs = 0;
  for (let i = 0; i < 80; i++) pairs += poset.above[i]!.size;
  const closure = poset.labels.map((_, i) => {
    const seen = new Set<number>();
    const todo = [i];
    while (todo.length) {
      const x = todo.pop()!;
      for (const [a, b] of poset.edges) if (a === x && !seen.has(b)) { seen.add(b); todo.push(b); }
    }
    return seen.size;
  });
  t.equal(closure.reduce((s, x) => s + x, 0), pairs);
});
