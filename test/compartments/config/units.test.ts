// Memory sizes in configurations: binary units only, positive whole bytes, exact round trip.

import t from 'tap';
import fc from 'fast-check';
import { formatSize, parseSize } from '../../../compartments/config/units.js';

t.test('numbers and binary units', async (t) => {
  t.equal(parseSize(4096, 'x'), 4096);
  t.equal(parseSize('512KiB', 'x'), 512 * 1024);
  t.equal(parseSize('8 MiB', 'x'), 8 * 1024 ** 2);
  t.equal(parseSize('1.5GiB', 'x'), 1.5 * 1024 ** 3);
  t.equal(parseSize('100', 'x'), 100);
});

t.test('refused: negative, zero, fractional bytes, decimal or unknown units, too large, wrong type', async (t) => {
  for (const bad of [-1, 0, 0.5, '-8MiB', '8MB', '8 mib', '1.1B', '5GiB', true, null, [8]]) {
    t.throws(() => parseSize(bad, 'sharing.heap'), { code: 'FLEXOS_ERR_CONFIG', path: 'sharing.heap' }, `refuses ${JSON.stringify(bad)}`);
  }
  for (const bad of ['8constructor', '1toString', '2valueOf']) {
    t.throws(() => parseSize(bad, 'sharing.heap'), { path: 'sharing.heap', message: /not a size/ }, `${JSON.stringify(bad)}: an unknown unit, not an inherited property`);
  }
});

t.test('property: formatSize then parseSize is the identity', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 4 * 1024 ** 3 }), (n) => parseSize(formatSize(n), 'x') === n));
  t.equal(formatSize(16 * 1024 ** 2), '16MiB');
  t.equal(formatSize(1536), '1536B', 'not a whole number of KiB: stays in bytes');
  t.equal(formatSize(3 * 1024), '3KiB');
});
