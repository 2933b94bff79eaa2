// lwip's core lock alone, over a fake uksched: every call runs with the mutex held and releases it
// however it ends, a protection fault (here or across a gate) becomes -EFAULT while other errors
// propagate, and a blocking wait drops the lock, yields to ready threads, then takes it back.

import t from 'tap';
import { GateCalleeError, ProtectionFault } from '../../../kernel/abi/errors.js';
import { CoreLock, efault } from '../../../kernel/lwip/tcpip-core-lock.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { CallLog, FakeUksched } from './fakes.js';

function setup() {
  const log = new CallLog();
  const uksched = new FakeUksched();
  const waits: number[] = [];
  let heldWhileWaiting: boolean | undefined;
  const netdevWait = log.wrap('netdev', 'netdev_wait', (ms: number) => {
    waits.push(ms);
    heldWhileWaiting = uksched.held;
    return 1;
  });
  const core = new CoreLock({ ...uksched.imports(log), netdevWait });
  if (!core.init()) throw new RangeError('the fake uk_mutex_init failed');
  return { log, uksched, core, waits, held: () => heldWhileWaiting };
}

const fault = (): ProtectionFault => new ProtectionFault({ address: 64, region: 'heap.comp3', key: 3, compartment: 'comp2', library: 'lwip', access: 'write' });

t.test('init creates the mutex; a failed uk_mutex_init is reported as false', async (t) => {
  const log = new CallLog();
  const uksched = new FakeUksched();
  uksched.mutexId = -12;
  const core = new CoreLock({ ...uksched.imports(log), netdevWait: () => 0 });
  t.notOk(core.init());
  t.same(log.names(), ['uk_mutex_init']);
});

t.test('api() runs the body under the lock, once, and returns its result', async (t) => {
  const { log, uksched, core } = setup();
  const mark = log.mark;
  t.equal(
    core.api(() => {
      t.ok(uksched.held, 'held inside the call');
      return 42;
    }),
    42,
  );
  t.notOk(uksched.held, 'released after');
  t.same(log.names(mark), ['uk_mutex_lock', 'uk_mutex_unlock'], 'one lock and one unlock: two uksched calls per API call');
  t.same(log.calls.slice(mark).map((c) => c.args), [[7], [7]], 'on the mutex uk_mutex_init made');
});

t.test('a protection fault in the body is -EFAULT, and the lock is released', async (t) => {
  const { uksched, core } = setup();
  t.equal(
    core.api(() => {
      throw fault();
    }),
    -ERRNO.EFAULT,
  );
  t.notOk(uksched.held);
  t.equal(
    core.api(() => {
      throw new GateCalleeError('newlib', 'memcpy', 'FLEXOS_ERR_PROTECTION_FAULT', 'write at 0x40');
    }),
    -ERRNO.EFAULT,
    'a fault reported by a callee across a gate too',
  );
});

t.test('any other error propagates, and the lock is still released', async (t) => {
  const { uksched, core } = setup();
  t.throws(
    () =>
      core.api(() => {
        throw new RangeError('bug');
      }),
    RangeError,
  );
  t.notOk(uksched.held);
  t.throws(() => efault(new GateCalleeError('netdev', 'netdev_tx', 'FLEXOS_ERR_HARDENING', 'kasan')), { code: 'FLEXOS_ERR_GATE_CALLEE' }, 'a callee failure other than a fault');
});

t.test('locked() makes one wrapper that passes five arguments under the lock', async (t) => {
  const { log, uksched, core } = setup();
  const seen: number[][] = [];
  const call = core.locked((a, b, c, d, e) => {
    seen.push([a, b, c, d, e]);
    if (!uksched.held) throw new Error('not held');
    if (a < 0) throw fault();
    return a + b + c + d + e;
  });
  const mark = log.mark;
  t.equal(call(1, 2, 3, 4, 5), 15);
  t.same(seen, [[1, 2, 3, 4, 5]]);
  t.equal(call(-1, 0, 0, 0, 0), -ERRNO.EFAULT, 'faults become EFAULT here too');
  t.notOk(uksched.held);
  t.same(log.names(mark), ['uk_mutex_lock', 'uk_mutex_unlock', 'uk_mutex_lock', 'uk_mutex_unlock']);
});

t.test('idle() waits on the device with the lock dropped, after the ready threads', async (t) => {
  const { log, uksched, core, waits, held } = setup();
  const mark = log.mark;
  core.api(() => {
    core.idle(250);
    t.ok(uksched.held, 'held again when the wait returns');
    return 0;
  });
  t.same(log.names(mark), ['uk_mutex_lock', 'uk_mutex_unlock', 'uk_sched_run_ready', 'netdev_wait', 'uk_mutex_lock', 'uk_mutex_unlock']);
  t.equal(held(), false, 'the lock was free during the wait');
  t.same(waits, [250], 'nothing ran: the timeout stands');

  uksched.ready = 2;
  core.api(() => {
    core.idle(-1);
    return 0;
  });
  t.same(waits, [250, 0], 'threads ran: the device is only checked (timeout 0)');
});

t.test('idle() takes the lock back even when the wait throws', async (t) => {
  const log = new CallLog();
  const uksched = new FakeUksched();
  const core = new CoreLock({
    ...uksched.imports(log),
    netdevWait: () => {
      throw new Error('shutdown');
    },
  });
  core.init();
  t.throws(() => core.api(() => (core.idle(-1), 0)), /shutdown/);
  t.notOk(uksched.held, 'relocked by idle, then released by api');
  t.same(log.names(), ['uk_mutex_init', 'uk_mutex_lock', 'uk_mutex_unlock', 'uk_sched_run_ready', 'uk_mutex_lock', 'uk_mutex_unlock']);
});

t.test('between() runs the body with the lock dropped and takes it back, even when the body throws', async (t) => {
  const { log, uksched, core } = setup();
  core.api(() => {
    const mark = log.mark;
    let heldInside: boolean | undefined;
    core.between(() => ((heldInside = uksched.held), 0));
    t.equal(heldInside, false, 'the body ran with the lock free');
    t.same(log.names(mark), ['uk_mutex_unlock', 'uk_mutex_lock']);
    t.throws(() => core.between(() => {
      throw new RangeError('boom');
    }), /boom/);
    t.ok(uksched.held, 'the lock is held again after a throw');
    return 0;
  });
  t.notOk(uksched.held);
});
