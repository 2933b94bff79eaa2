// Stack protector: a hardened library's write past a stack buffer overwrites the frame canary and
// is reported when the frame returns, naming the library and the canary's address; unhardened it
// is silent; the stack unwinds correctly after a report.

import t from 'tap';
import { bootBuggy, violation } from '../../../fixtures/hardening/boot.js';
import { regionOf } from '../../../../shm/address.js';

for (const sharing of ['stack: private, dss: true', 'stack: shared, dss: false', 'stack: private, dss: false']) {
  t.test(`stack smashing is detected at frame exit (${sharing})`, async (t) => {
    const machine = await bootBuggy(t, ['stackprotector'], { sharing });
    t.equal(await machine.run('buggy', 'stackSmash', [16]), 0, 'filling the buffer exactly is fine');
    const error = await violation(machine.run('buggy', 'stackSmash', [32]));
    t.equal(error.code, 'FLEXOS_ERR_HARDENING');
    t.match(error.info, { check: 'stackprotector', library: 'buggy' });
    t.match(error.message, /stack smashing detected/);
    const region = machine.regions.find((r) => r.id === regionOf(error.info?.address ?? 0));
    t.match(region?.name, /^stack\./, 'the address is the canary on the stack');
    t.equal(await machine.run('buggy', 'stackSmash', [8]), 0, 'the stack unwound: the next frame is fine');
    t.ok((await machine.run('buggy', 'workout', [20])) > 0, 'correct code still runs');
  });
}

t.test('unhardened, the smash goes unnoticed', async (t) => {
  const machine = await bootBuggy(t, []);
  t.equal(await machine.run('buggy', 'stackSmash', [32]), 0);
});
