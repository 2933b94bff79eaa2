// netdev's tx notifications, as the host sees them: a burst of sends in one pass rings the host
// doorbell once (not once per packet), and bytes sent just before the guest goes idle still reach
// the peer (the driver rings from its beforeIdle hook), with netdev beside lwip and across a gate.

import t from 'tap';
import * as abi from '../../../kernel/lwip/abi.js';
import { bootEcho, connect, receive, type Layout, type Sharing } from '../../fixtures/echoapp/harness.js';

const LAYOUTS: readonly (readonly [Layout, Sharing])[] = [
  ['none', 'shared'],
  ['mpk2', 'dss'],
];
const SENDS = 50;
const BYTES = 8;

for (const [layout, sharing] of LAYOUTS) {
  t.test(`${layout}: ${SENDS} sends in one pass, one host wake; the bytes arrive with the guest idle`, async (t) => {
    const img = await bootEcho(t, layout, sharing);
    const { call } = img;
    const sa = await img.alloc('shared', 64);
    img.host.write(sa, new Uint8Array([abi.AF_INET, 0, 0, 0, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]));
    const listener = await call('lwip', 'socket', abi.AF_INET, abi.SOCK_STREAM, 0);
    t.equal(await call('lwip', 'bind', listener, sa, abi.SOCKADDR_IN_BYTES), 0);
    t.equal(await call('lwip', 'listen', listener, 4), 0);
    const accepting = call('lwip', 'accept', listener, 0, 0);
    const client = await connect(img.port);
    t.teardown(() => client.destroy());
    const fd = await accepting;
    t.ok(fd >= 0, 'accepted');

    const arriving = receive(client, SENDS * BYTES);
    const wakesBefore = img.backend.stats().hostWakes;
    t.equal(await img.machine.run('echoapp', 'sendBurst', [fd, SENDS, BYTES]), SENDS * BYTES, 'every send taken');
    // Nothing runs in the guest from here on: only the idle hook can have rung for these bytes.
    const got = await Promise.race([arriving, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    t.ok(got !== null && got.equals(Buffer.alloc(SENDS * BYTES, 0x61)), 'the peer received every byte');
    const wakes = img.backend.stats().hostWakes - wakesBefore;
    t.ok(wakes <= 2, `the host was woken ${wakes} time(s) for ${SENDS} sends (one ring per pass, not per packet)`);
  });
}
