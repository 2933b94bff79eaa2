// SafeStack: a hardened library's large stack buffers live on an unsafe stack, so overflowing one
// cannot reach the canary of its frame; buffers annotated shared still reach other compartments.

import t from 'tap';
import { bootBuggy, violation } from '../../../fixtures/hardening/boot.js';

t.test('an overflow of a safestacked buffer does not trip the stack protector', async (t) => {
  const protectedOnly = await bootBuggy(t, ['stackprotector']);
  const error = await violation(protectedOnly.run('buggy', 'bigBufferSmash', [48]));
  t.match(error.info, { check: 'stackprotector', library: 'buggy' }, 'without safestack the canary is hit');
  const both = await bootBuggy(t, ['stackprotector', 'safestack']);
  t.equal(await both.run('buggy', 'bigBufferSmash', [48]), 0, 'with safestack the overflow stays on the unsafe stack');
  const small = await violation(both.run('buggy', 'stackSmash', [32]));
  t.match(small.info, { check: 'stackprotector' }, 'small buffers stay on the safe stack, still protected');
});

for (const sharing of ['stack: private, dss: true', 'stack: shared, dss: false', 'stack: private, dss: false']) {
  t.test(`safestacked shared buffers reach the other compartment (${sharing})`, async (t) => {
    const machine = await bootBuggy(t, ['safestack'], { sharing });
    t.equal(await machine.run('buggy', 'shareBuffer', [64]), 64);
    t.equal(await machine.run('buggy', 'shareBuffer', [8]), 8, 'small ones too');
    const plain = await bootBuggy(t, [], { sharing });
    t.equal(await machine.run('buggy', 'workout', [30]), await plain.run('buggy', 'workout', [30]), 'correct code runs the same');
  });
}
