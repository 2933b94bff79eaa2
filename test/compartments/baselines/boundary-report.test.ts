// What reports say about a baseline's boundary (the price of each crossing and its source), an
// exploration space written on a baseline driver, and FlexOS images left exactly as they were.

import t from 'tap';
import { readFileSync } from 'node:fs';
import { boundaryJson, boundaryLines } from '../../../compartments/baselines/boundary-report.js';
import { expandSpace, parseSpace } from '../../../compartments/config/space.js';
import { loadPreset } from '../../../workloads/presets.js';
import { libraryRegistry } from '../../../workloads/registry.js';

const preset = (name: string) => loadPreset(name, { registry: libraryRegistry });

t.test('each baseline names what its crossings cost and where the figure comes from', async (t) => {
  t.match(boundaryLines(preset('sqlite-linux-pt2')).join('\n'), /470 cycles per round trip \(with KPTI; paper Fig\. 11: 470 with KPTI, 146 without\)/);
  t.match(boundaryLines(preset('sqlite-sel4-pt3')).join('\n'), /1267 cycles per call and reply \(seL4 performance page.*Call 629 \+ ReplyRecv 638/);
  t.match(boundaryLines(preset('sqlite-cubicleos-mpk3')).join('\n'), /108 cycles per trampoline .* 31 per window/);
  t.match(boundaryLines(preset('sqlite-unikraft')).join('\n'), /no gate layer/);
  t.same(boundaryLines(preset('sqlite-mpk3')), [], 'a FlexOS image\'s report is unchanged');
  t.match(JSON.stringify(boundaryJson(preset('redis-sel4-pt3'))), /sel4\.systems\/performance\.html/);
});

t.test('an exploration space may run its layouts on a baseline driver', async (t) => {
  const redis = readFileSync(new URL('../../../../workloads/redis/space.yaml', import.meta.url), 'utf8');
  const space = parseSpace(redis.replace('driver: intel-pku', 'driver: cubicleos').replace('one_compartment_driver: fcalls', 'one_compartment_driver: unikraft'));
  const points = expandSpace(space, { registry: libraryRegistry });
  t.equal(points.length, 80);
  const byLabel = new Map(points.map((p) => [p.label, p.configuration]));
  t.equal(byLabel.get('R1N1S1L1')?.driver, 'unikraft');
  t.equal(byLabel.get('R1N1S2L3')?.driver, 'cubicleos');
  t.equal(byLabel.get('R1N1S2L3')?.stack, 'dss');
});
