// uksched (with ukschedcoop) as the app sees it, in a booted image: cooperative threads (created,
// run when the main thread yields, sleeps, joins or blocks, synchronised by semaphores and condition
// variables); a wait that no thread could ever end reports EDEADLK instead of hanging; bad ids are
// EINVAL; sleep sleeps; with the scheduler isolated (mpk3) every call crosses exactly one gate.

import t, { type Test } from 'tap';
import { performance } from 'node:perf_hooks';
import * as abi from '../../../kernel/lwip/abi.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { bootEcho, type Layout, type Sharing } from '../../fixtures/echoapp/harness.js';

const E = ERRNO;
const LAYOUTS: readonly (readonly [Layout, Sharing])[] = [
  ['none', 'shared'],
  ['mpk3', 'dss'],
];

for (const [layout, sharing] of LAYOUTS) {
  t.test(`uksched on ${layout}`, async (t) => {
    const img = await bootEcho(t, layout, sharing);
    const sched = (fn: string, ...args: number[]): Promise<number> => img.call('uksched', fn, ...args);
    /** Resolves with the result, failing the test if the call takes longer than a lock that hangs would. */
    const prompt = async (t: Test, what: string, call: Promise<number>): Promise<number> => {
      const started = performance.now();
      const r = await call;
      t.ok(performance.now() - started < 2000, `${what} returned at once`);
      return r;
    };

    await t.test('mutex', async (t) => {
      const m = await sched('uk_mutex_init');
      const n = await sched('uk_mutex_init');
      t.ok(m > 0 && n > 0 && m !== n, `uk_mutex_init hands out distinct ids (${m}, ${n})`);
      t.equal(await sched('uk_mutex_lock', m), 0, 'lock');
      t.equal(await prompt(t, 'a second lock', sched('uk_mutex_lock', m)), -E.EDEADLK, 'locking it again: EDEADLK, not a hang');
      t.equal(await sched('uk_mutex_trylock', m), -E.EBUSY, 'trylock while held: EBUSY');
      t.equal(await sched('uk_mutex_lock', n), 0, 'another mutex is independent');
      t.equal(await sched('uk_mutex_unlock', m), 0, 'unlock');
      t.equal(await sched('uk_mutex_unlock', m), -E.EPERM, 'unlocking a mutex we do not hold: EPERM');
      t.equal(await sched('uk_mutex_trylock', m), 0, 'trylock of a free mutex takes it');
      t.equal(await sched('uk_mutex_unlock', m), 0, 'unlock');
      t.equal(await sched('uk_mutex_unlock', n), 0, 'unlock the other');
      for (const bad of [0, -1, 99999, 1.5]) {
        const got = [await sched('uk_mutex_lock', bad), await sched('uk_mutex_trylock', bad), await sched('uk_mutex_unlock', bad)];
        t.same(got, [-E.EINVAL, -E.EINVAL, -E.EINVAL], `mutex id ${bad}: EINVAL for lock, trylock and unlock`);
      }
    });

    await t.test('semaphore', async (t) => {
      const s = await sched('uk_sem_init', 2);
      t.ok(s > 0, 'uk_sem_init(2)');
      t.equal(await sched('uk_sem_down', s), 0, 'down (1 left)');
      t.equal(await sched('uk_sem_down', s), 0, 'down (0 left)');
      t.equal(await prompt(t, 'down on an empty semaphore', sched('uk_sem_down', s)), -E.EDEADLK, 'down on 0: EDEADLK, not a hang');
      t.equal(await sched('uk_sem_down_try', s), -E.EAGAIN, 'down_try on 0: EAGAIN');
      t.equal(await sched('uk_sem_up', s), 0, 'up');
      t.equal(await sched('uk_sem_down_try', s), 0, 'down_try takes it');
      t.equal(await sched('uk_sem_init', -1), -E.EINVAL, 'a negative count: EINVAL');
      t.equal(await sched('uk_sem_init', 0.5), -E.EINVAL, 'a fractional count: EINVAL');
      t.equal(await sched('uk_sem_init', 0), s + 1, 'a count of 0 is fine');
      for (const bad of [0, -3, 4242]) {
        const got = [await sched('uk_sem_down', bad), await sched('uk_sem_down_try', bad), await sched('uk_sem_up', bad)];
        t.same(got, [-E.EINVAL, -E.EINVAL, -E.EINVAL], `semaphore id ${bad}: EINVAL`);
      }
    });

    await t.test('condition variables and threads', async (t) => {
      const c = await sched('uk_condvar_init');
      const m = await sched('uk_mutex_init');
      t.ok(c > 0, 'uk_condvar_init');
      t.equal(await sched('uk_condvar_wait', c, m), -E.EPERM, 'waiting without holding the mutex: EPERM');
      t.equal(await sched('uk_mutex_lock', m), 0, 'lock the mutex');
      t.equal(await prompt(t, 'condvar_wait', sched('uk_condvar_wait', c, m)), -E.EDEADLK, 'waiting with no thread left to signal: EDEADLK');
      t.equal(await sched('uk_mutex_unlock', m), 0, 'the wait gave the mutex back');
      t.equal(await sched('uk_condvar_signal', c), 0, 'signal');
      t.equal(await sched('uk_condvar_signal', c + 100), -E.EINVAL, 'signal of an unknown condvar: EINVAL');
      const self = await sched('uk_thread_current');
      t.ok(self > 0, `uk_thread_current (${self})`);
      t.equal(await prompt(t, 'joining oneself', sched('uk_thread_join', self)), -E.EDEADLK, 'joining oneself: EDEADLK');
      t.ok((await sched('uk_thread_join', self + 1000)) < 0, 'joining a thread that does not exist fails');
      t.equal(await sched('uk_thread_create', -1, 0), -E.EINVAL, 'a thread entry that is not a function pointer: EINVAL');
      t.equal(await sched('uk_sched_yield'), 0, 'yield with no other thread ready runs nothing');
    });

    await t.test('cooperative threads', async (t) => {
      const entry = async (i: number): Promise<number> => img.machine.run('echoapp', 'threadEntry', [i]);
      const [counter, sleeper, semWaiter, semPoster] = [await entry(0), await entry(1), await entry(2), await entry(3)];
      const counters = await img.alloc('shared', 16);
      img.host.write32(counters, 0);
      img.host.write32(counters + 4, 3);
      img.host.write32(counters + 8, 0);
      img.host.write32(counters + 12, 5);
      const a = await sched('uk_thread_create', counter, counters);
      const b = await sched('uk_thread_create', counter, counters + 8);
      t.ok(a > 1 && b > a, `two threads created (${a}, ${b})`);
      t.equal(await sched('uk_sched_yield'), 1, 'yield runs the ready threads');
      t.ok(img.host.read32(counters) >= 1 && img.host.read32(counters + 8) >= 1, 'both threads ran');
      t.equal(await sched('uk_thread_join', b), 5, 'join b: its exit value');
      t.equal(img.host.read32(counters + 8), 5, 'b counted to its limit');
      t.equal(await sched('uk_thread_join', a), 3, 'join a: it had finished while b ran');
      t.ok((await sched('uk_thread_join', a)) < 0, 'a joined thread is gone');

      let started = performance.now();
      const z = await sched('uk_thread_create', sleeper, 40);
      t.equal(await sched('uk_thread_join', z), 7, 'a thread that sleeps, then exits');
      t.ok(performance.now() - started >= 39, 'join waited for its sleep');

      const s = await sched('uk_sem_init', 0);
      const w = await sched('uk_thread_create', semWaiter, s);
      t.equal(await sched('uk_sched_yield'), 1, 'the waiter runs and finds the semaphore at 0');
      t.equal(await sched('uk_sem_up', s), 0, 'the main thread posts');
      t.equal(await sched('uk_thread_join', w), 42, 'the waiter got it and exited');

      started = performance.now();
      await sched('uk_thread_create', semPoster, s);
      t.equal(await prompt(t, 'sem_down while a thread can post', sched('uk_sem_down', s)), 0, 'the main thread blocks on a semaphore until a thread posts it');
      t.equal(await sched('uk_sem_down', s), -E.EDEADLK, 'and with no thread left, the same wait is EDEADLK');
    });

    await t.test('sleep', async (t) => {
      let started = performance.now();
      t.equal(await sched('uk_sched_sleep_ms', 40), 0, 'sleep 40 ms');
      const slept = performance.now() - started;
      t.ok(slept >= 39 && slept < 1000, `slept ${slept.toFixed(1)} ms`);
      started = performance.now();
      t.equal(await sched('uk_sched_sleep_ms', -5), -E.EINVAL, 'a negative duration: EINVAL');
      t.ok(performance.now() - started < 500, 'at once');
    });

    await t.test("lwip's core lock (a uksched mutex) was never disturbed", async (t) => {
      const s = await img.call('lwip', 'socket', abi.AF_INET, abi.SOCK_STREAM, 0);
      t.ok(s >= 3, 'socket() takes and releases the core lock');
      t.equal(await img.call('lwip', 'close', s), 0, 'close() too');
    });

    if (layout === 'mpk3') {
      await t.test('each call from the app crosses exactly one echoapp -> uksched gate', async (t) => {
        const before = img.machine.counters.snapshot();
        const m = await sched('uk_mutex_init');
        await sched('uk_mutex_lock', m);
        await sched('uk_mutex_lock', m);
        await sched('uk_mutex_unlock', m);
        await sched('uk_thread_current');
        const rows = img.machine.counters.rowsSince(before);
        t.same(
          rows.map((r) => [`${r.caller}->${r.callee}`, r.kind, r.count]),
          [['echoapp->uksched', 'mpk-dss', 5]],
          'five calls, five mpk-dss crossings, nothing else',
        );
      });
    }
  });
}
