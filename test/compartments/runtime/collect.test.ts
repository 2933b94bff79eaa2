// collectGarbage: a full collection on demand with no node flag, so heap curves show what a heap
// retains; garbage made just before is gone after it.

import t from 'tap';
import { collectGarbage } from '../../../compartments/runtime/collect.js';

t.test('garbage is reclaimed by a forced collection', async (t) => {
  collectGarbage();
  const base = process.memoryUsage().heapUsed;
  let junk: number[][] | undefined = Array.from({ length: 2000 }, (_, i) => Array.from({ length: 1000 }, () => i));
  t.ok(process.memoryUsage().heapUsed > base + 8 * 1024 * 1024, 'the junk is on the heap');
  junk = undefined;
  collectGarbage();
  t.ok(process.memoryUsage().heapUsed < base + 2 * 1024 * 1024, `reclaimed (${junk ?? 'gone'})`);
  collectGarbage(); // a second call reuses the exposed collector
});
