// uktime as the app sees it, in booted images: clock_gettime (realtime against the host's clock,
// monotonic never going back), gettimeofday, nanosleep's duration and its argument checks; with
// uktime isolated, a timespec in the app's private heap is EFAULT and a shared one works.

import t from 'tap';
import { performance } from 'node:perf_hooks';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { CLOCK_MONOTONIC, CLOCK_REALTIME } from '../../../kernel/uktime/uktime.js';
import { makeAddress } from '../../../shm/address.js';
import { bootEcho, type EchoImage } from '../../fixtures/echoapp/harness.js';

const E = ERRNO;
const UNMAPPED = makeAddress(999, 0);

/** seconds and nanoseconds (or microseconds) of a timespec / timeval at `address`. */
function fields(img: EchoImage, address: number): [number, number] {
  return [img.host.read64(address), img.host.read64(address + 8)];
}

t.test('uktime in the app compartment (mpk2)', async (t) => {
  const img = await bootEcho(t, 'mpk2', 'dss');
  const ts = await img.alloc('private', 64);
  const time = (fn: string, ...args: number[]): Promise<number> => img.call('uktime', fn, ...args);

  await t.test('clock_gettime(CLOCK_REALTIME) is the wall clock', async (t) => {
    const before = Date.now();
    t.equal(await time('clock_gettime', CLOCK_REALTIME, ts), 0, 'returns 0');
    const after = Date.now();
    const [sec, nsec] = fields(img, ts);
    t.ok(Number.isInteger(sec) && Number.isInteger(nsec) && nsec >= 0 && nsec < 1e9, `tv_sec ${sec}, tv_nsec ${nsec}: integers, nsec in [0, 1e9)`);
    const ms = sec * 1000 + nsec / 1e6;
    t.ok(ms >= before - 1 && ms <= after + 1, `between the host's readings before and after (${before} <= ${ms.toFixed(0)} <= ${after})`);
  });

  await t.test('clock_gettime(CLOCK_MONOTONIC) never goes back and counts sleeps', async (t) => {
    const readings: number[] = [];
    for (let i = 0; i < 20; i++) {
      t.equal(await time('clock_gettime', CLOCK_MONOTONIC, ts + 16), 0);
      const [sec, nsec] = fields(img, ts + 16);
      readings.push(sec * 1e9 + nsec);
    }
    t.ok(readings.every((r, i) => i === 0 || r >= readings[i - 1]!), 'non-decreasing over 20 readings');
    await img.call('uksched', 'uk_sched_sleep_ms', 30);
    await time('clock_gettime', CLOCK_MONOTONIC, ts + 16);
    const [sec, nsec] = fields(img, ts + 16);
    const advanced = (sec * 1e9 + nsec - readings[19]!) / 1e6;
    t.ok(advanced >= 29, `advanced ${advanced.toFixed(1)} ms across a 30 ms sleep`);
  });

  await t.test('bad clocks and bad pointers', async (t) => {
    for (const clock of [-1, 99, 2 ** 31]) t.equal(await time('clock_gettime', clock, ts), -E.EINVAL, `clock ${clock}: EINVAL`);
    t.equal(await time('clock_gettime', CLOCK_REALTIME, UNMAPPED), -E.EFAULT, 'timespec unmapped: EFAULT');
    t.equal(await time('clock_gettime', CLOCK_REALTIME, 0), -E.EFAULT, 'timespec NULL: EFAULT');
    const end = img.host.base('shared-heap') + img.host.size('shared-heap');
    t.equal(await time('clock_gettime', CLOCK_REALTIME, end - 8), -E.EFAULT, 'timespec running past its region: EFAULT');
    t.equal(await time('gettimeofday', UNMAPPED, 0), -E.EFAULT, 'timeval unmapped: EFAULT');
    t.equal(await time('nanosleep', UNMAPPED, 0), -E.EFAULT, 'nanosleep request unmapped: EFAULT');
  });

  await t.test('gettimeofday and the millisecond clocks', async (t) => {
    const before = Date.now();
    t.equal(await time('gettimeofday', ts + 32, 0), 0, 'returns 0');
    const nowMs = await time('uk_time_now_ms');
    const after = Date.now();
    const [sec, usec] = fields(img, ts + 32);
    t.ok(Number.isInteger(sec) && Number.isInteger(usec) && usec >= 0 && usec < 1e6, `tv_sec ${sec}, tv_usec ${usec}`);
    const ms = sec * 1000 + usec / 1000;
    // uktime derives it from the worker's performance.timeOrigin: allow for the monotonic clock's drift from the wall clock.
    t.ok(ms >= before - 20 && ms <= after + 20, `within the host's readings (${before} <= ${ms.toFixed(0)} <= ${after}, 20 ms slack)`);
    t.ok(nowMs >= before && nowMs <= after, 'uk_time_now_ms is Date.now() of the guest');
    const a = await time('ukplat_monotonic_us');
    await img.call('uksched', 'uk_sched_sleep_ms', 10);
    const b = await time('ukplat_monotonic_us');
    t.ok(Number.isInteger(a) && b - a >= 9000, `ukplat_monotonic_us advanced ${b - a} us across 10 ms`);
  });

  await t.test('nanosleep', async (t) => {
    const req = ts;
    const rem = ts + 16;
    img.host.write64(req, 0);
    img.host.write64(req + 8, 50e6);
    img.host.write64(rem, 7);
    img.host.write64(rem + 8, 7);
    const started = performance.now();
    t.equal(await time('nanosleep', req, rem), 0, 'nanosleep({0, 50 ms}) returns 0');
    const slept = performance.now() - started;
    t.ok(slept >= 49 && slept < 1000, `slept ${slept.toFixed(1)} ms`);
    t.same(fields(img, rem), [0, 0], 'an uninterrupted sleep leaves nothing remaining');
    img.host.write64(req, 0);
    img.host.write64(req + 8, 0);
    t.equal(await time('nanosleep', req, 0), 0, 'a zero sleep, rem NULL');
    img.host.write64(req, -1);
    t.equal(await time('nanosleep', req, 0), -E.EINVAL, 'negative seconds: EINVAL');
    img.host.write64(req, 0);
    img.host.write64(req + 8, -1);
    t.equal(await time('nanosleep', req, 0), -E.EINVAL, 'negative nanoseconds: EINVAL');
    img.host.write64(req + 8, 1e9);
    const again = performance.now();
    const r = await time('nanosleep', req, 0);
    t.equal(r, -E.EINVAL, 'tv_nsec of 1e9 (out of [0, 999999999]): EINVAL');
    t.ok(performance.now() - again < 500, 'and returns at once');
  });
});

t.test('uktime isolated from the app (mpk2, uktime with lwip)', async (t) => {
  const img = await bootEcho(t, 'mpk2', 'dss', { place: { uktime: 'comp2' } });
  const priv = await img.alloc('private', 64);
  const shared = await img.alloc('shared', 64);
  const before = img.machine.counters.snapshot();
  t.equal(await img.call('uktime', 'clock_gettime', CLOCK_REALTIME, priv), -E.EFAULT, "a timespec in the app's private heap: EFAULT (uktime may not write it)");
  t.equal(await img.call('uktime', 'clock_gettime', CLOCK_REALTIME, shared), 0, 'a timespec in the shared heap works');
  t.ok(Math.abs(img.host.read64(shared) - Date.now() / 1000) < 5, 'and holds the time');
  t.equal(await img.call('uktime', 'gettimeofday', priv, 0), -E.EFAULT, 'gettimeofday into private memory: EFAULT');
  const rows = img.machine.counters.rowsSince(before);
  t.equal(rows.find((r) => r.caller === 'echoapp' && r.callee === 'uktime')?.count, 3, 'three echoapp -> uktime crossings');
});
