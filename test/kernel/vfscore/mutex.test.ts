// The vfscore mutex alone, over fake uksched calls: created once at init (a failure stops the boot),
// then every wrapped operation is exactly lock(id), the body, unlock(id), also when the body throws;
// a failed lock is returned and the body does not run.

import t from 'tap';
import { VfsMutex } from '../../../kernel/vfscore/mutex.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';

function uksched(answers: { init?: number; lock?: number } = {}) {
  const calls: string[] = [];
  const mutex = new VfsMutex({
    init: () => (calls.push('init'), answers.init ?? 7),
    lock: (id) => (calls.push(`lock(${id})`), answers.lock ?? 0),
    unlock: (id) => (calls.push(`unlock(${id})`), 0),
  });
  return { mutex, calls };
}

t.test('an operation runs between one lock and one unlock of the mutex init made', async (t) => {
  const { mutex, calls } = uksched();
  mutex.init();
  const add = mutex.locked((a = 0, b = 0) => (calls.push(`body(${a},${b})`), a + b));
  t.equal(add(2, 3), 5, 'the body result and arguments pass through');
  t.same(calls, ['init', 'lock(7)', 'body(2,3)', 'unlock(7)']);
});

t.test('a body that throws still unlocks, and the error propagates', async (t) => {
  const { mutex, calls } = uksched();
  mutex.init();
  const boom = mutex.locked(() => {
    throw new RangeError('boom');
  });
  t.throws(() => boom(), RangeError);
  t.same(calls, ['init', 'lock(7)', 'unlock(7)']);
});

t.test('a failed lock is the result; the body and unlock do not run', async (t) => {
  const { mutex, calls } = uksched({ lock: -ERRNO.EDEADLK });
  mutex.init();
  t.equal(mutex.locked(() => (calls.push('body'), 0))(), -ERRNO.EDEADLK);
  t.same(calls, ['init', 'lock(7)']);
});

t.test('uk_mutex_init failing stops the boot', async (t) => {
  const { mutex } = uksched({ init: -ERRNO.ENOMEM });
  t.throws(() => mutex.init(), { code: 'FLEXOS_ERR_BOOT', message: `vfscore: uk_mutex_init failed (${-ERRNO.ENOMEM})` });
});
