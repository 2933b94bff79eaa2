// The caller side of a gate in one thread: GatePort.call posts into its block and waits on a fake
// doorbell that plays the callee's next step (a scripted peer, or the other port serving): the words
// it writes, returns and errors, EPT refusals, callbacks, nesting, timeout, shutdown, serveFor.

import t from 'tap';
import { performance } from 'node:perf_hooks';
import { GatePort, ShutdownSignal, type GateTarget } from '../../../compartments/gates/caller.js';
import { GateCallee, type ExportedFunction } from '../../../compartments/gates/callee.js';
import { CrossingCounters } from '../../../compartments/gates/crossings.js';
import {
  B_ARGC, B_ARGS_OFFSET, B_FN, B_FROM, B_STATE, B_TO, G_CONTROL, G_CPU_IDLE, G_SHUTDOWN, H_DOORBELL, H_PARKED, H_PENDING,
  MAX_ARGS, MAX_DEPTH, STATE_CALLED, STATE_IDLE, STATE_RETURNED, blockIndex, blockOffset, headerWord,
} from '../../../compartments/gates/protocol.js';
import { FlexosError, GateCalleeError, GateTimeoutError } from '../../../kernel/abi/errors.js';
import { EDGES, FakeDoorbell, RpcRegion, blockBytes, headerBytes, memoryOf, onlyWithin } from './one-thread.js';

const A = 1;
const B = 2;
const C = 3;

/** alpha (in A) calling beta (in B): edge 0 of EDGES; beta calling back alpha: edge 1. */
const beta = (fnId: number, fn = 'f', integersOnly = false): GateTarget => ({ to: B, fnId, edge: 0, library: 'beta', fn, integersOnly });
const alpha = (fnId: number, fn = 'g'): GateTarget => ({ to: A, fnId, edge: 1, library: 'alpha', fn, integersOnly: false });

interface Side {
  readonly port: GatePort;
  readonly callee: GateCallee;
  readonly doorbell: FakeDoorbell;
}

function sideOf(rpc: RpcRegion, counters: CrossingCounters, options: { self: number; functions?: (ExportedFunction | undefined)[]; timeoutMs?: number; beforeIdle?: () => void }): Side {
  const callee = new GateCallee(rpc.buffer, { functions: options.functions ?? [], memory: memoryOf(`c${options.self}`) });
  const doorbell = new FakeDoorbell();
  const port = new GatePort(rpc.buffer, {
    self: options.self,
    waiter: doorbell,
    callee,
    counters,
    timeoutMs: options.timeoutMs ?? 60_000,
    ...(options.beforeIdle ? { beforeIdle: options.beforeIdle } : {}),
  });
  return { port, callee, doorbell };
}

function setup(options: { functions?: (ExportedFunction | undefined)[]; timeoutMs?: number } = {}) {
  const rpc = new RpcRegion();
  const counters = new CrossingCounters(EDGES);
  return { rpc, counters, a: sideOf(rpc, counters, { self: A, ...options }) };
}

const calls = (counters: CrossingCounters) => Object.fromEntries(counters.rows().map((r) => [`${r.caller}>${r.callee}`, r.count]));

t.test('a call: the caller fills its depth-0 block, publishes CALLED, posts index + 1 to the callee and rings it', async (t) => {
  const { rpc, counters, a } = setup();
  const index = blockIndex(A, 0);
  const w = blockOffset(index) >> 2;
  const before = rpc.bytes.slice();
  let atWait: { changed: [number, number][]; block: ReturnType<RpcRegion['block']>; pending: number; doorbell: number } | undefined;
  a.doorbell.step = () => {
    atWait = { changed: rpc.changedSince(before), block: rpc.block(A, 0), pending: rpc.header(B, H_PENDING), doorbell: rpc.header(B, H_DOORBELL) };
    rpc.answer(rpc.claim(B) - 1, 42);
  };
  t.equal(a.port.call(beta(5, 'add'), [2, 3]), 42, 'the value the callee published');
  t.match(atWait?.block, { state: STATE_CALLED, from: A, to: B, fn: 5, argc: 2, returns: 1, args: [2, 3] }, 'the block, as the callee finds it');
  t.equal(atWait?.pending, index + 1, 'PENDING of the callee: the caller\'s block index + 1');
  t.equal(atWait?.doorbell, 1, 'the callee\'s doorbell is bumped once');
  t.ok(onlyWithin(atWait?.changed ?? [], [
    blockBytes(index, B_STATE * 4, 4), blockBytes(index, B_FROM * 4, 4), blockBytes(index, B_TO * 4, 4),
    blockBytes(index, B_FN * 4, 4), blockBytes(index, B_ARGC * 4, 4), blockBytes(index, B_ARGS_OFFSET, 2 * 8),
    headerBytes(B, H_PENDING), headerBytes(B, H_DOORBELL),
  ]), 'the caller writes only its block\'s call words and the callee\'s PENDING and DOORBELL');
  t.same(a.doorbell.calls, [{
    index: headerWord(A, H_DOORBELL), seen: 0, sliceMs: a.doorbell.calls[0]?.sliceMs, parked: headerWord(A, H_PARKED), watch: w + B_STATE, watchValue: STATE_CALLED,
  }], 'it waits on its own doorbell, with its PARKED word, watching its state word leave CALLED');
  const slice = a.doorbell.calls[0]?.sliceMs ?? 0;
  t.ok(slice > 0 && slice <= 20, `in slices of at most 20 ms (${slice})`);

  t.equal(rpc.block(A, 0).state, STATE_IDLE, 'after the return the caller puts its block back to IDLE');
  t.equal(a.port.depth, 0);
  t.same(calls(counters), { 'alpha>beta': 1 }, 'one crossing on the call\'s edge');
});

t.test('a callee\'s error comes back as a GateCalleeError naming library, function, remote code and message', async (t) => {
  const { rpc, a } = setup();
  const callee = new GateCallee(rpc.buffer, {
    memory: memoryOf('b'),
    functions: [{ library: 'beta', fn: 'fails', impl: () => { throw new RangeError('first line\nsecond line'); } }],
  });
  a.doorbell.step = () => callee.serve(rpc.claim(B) - 1);
  let error: unknown;
  try {
    a.port.call(beta(0, 'fails'), []);
  } catch (e) {
    error = e;
  }
  t.type(error, GateCalleeError);
  t.match(error, { code: 'FLEXOS_ERR_GATE_CALLEE', library: 'beta', fn: 'fails', remoteCode: 'RangeError' });
  t.equal((error as Error).message, 'beta.fails failed in its compartment: RangeError: first line\nsecond line', 'the message keeps its own newlines');
  t.equal(rpc.block(A, 0).state, STATE_IDLE, 'the block is IDLE again');
  t.equal(a.port.depth, 0);
  a.doorbell.step = () => rpc.answer(rpc.claim(B) - 1, 1);
  t.equal(a.port.call(beta(0), []), 1, 'and the gate works again');
});

t.test('arguments: every double crosses an MPK gate exactly; an EPT gate carries integers and addresses only', async (t) => {
  const { rpc, a } = setup();
  const callee = new GateCallee(rpc.buffer, {
    memory: memoryOf('b'),
    functions: [{ library: 'beta', fn: 'nth', impl: (k = 0, ...rest) => rest[k] ?? -1 }],
  });
  a.doorbell.step = () => callee.serve(rpc.claim(B) - 1);
  const doubles = [NaN, -0, Infinity, -Infinity, 0.1, 5e-324, 1e308];
  t.ok(doubles.every((v, k) => Object.is(a.port.call(beta(0), [k, ...doubles]), v)), 'MPK: NaN, -0, infinities, fractions come back exactly');
  const address = 9 * 2 ** 32 + 0xbeef;
  const ints = [-(2 ** 53) + 1, 2 ** 53 - 1, address, -1, 0];
  t.ok(ints.every((v, k) => a.port.call(beta(0, 'nth', true), [k, ...ints]) === v), 'EPT: six integers and addresses (up to 2^53) come back exactly');

  const waitsBefore = a.doorbell.calls.length;
  for (const [bad, shown] of [[1.5, '1.5'], [NaN, 'NaN'], [Infinity, 'Infinity'], [-1e-300, '-1e-300']] as const) {
    const before = rpc.bytes.slice();
    let error: unknown;
    try {
      a.port.call(beta(0, 'add', true), [1, bad]);
    } catch (e) {
      error = e;
    }
    t.type(error, FlexosError, `${shown}: refused`);
    t.match(error, { code: 'FLEXOS_ERR_BAD_ARGUMENT', message: `beta.add: argument 2 is ${shown}; an EPT gate carries integers and addresses only` });
    t.same([rpc.header(B, H_PENDING), rpc.block(A, 0).state], [0, STATE_IDLE], `${shown}: nothing posted`);
    t.ok(onlyWithin(rpc.changedSince(before), [blockBytes(blockIndex(A, 0), B_ARGS_OFFSET, 8 * MAX_ARGS)]), `${shown}: at most argument slots written, no word a callee reads as a call`);
  }
  t.equal(a.doorbell.calls.length, waitsBefore, 'a refused call never waits');
  t.equal(a.port.depth, 0);
});

t.test('more arguments than a block carries: a RangeError before anything is written', async (t) => {
  const { rpc, a } = setup();
  const before = rpc.bytes.slice();
  t.throws(() => a.port.call(beta(0, 'wide'), new Array(MAX_ARGS + 1).fill(1)), new RangeError(`beta.wide: ${MAX_ARGS + 1} arguments, a gate carries at most ${MAX_ARGS}`));
  t.same(rpc.changedSince(before), [], 'the region is untouched');
  a.doorbell.step = () => rpc.answer(rpc.claim(B) - 1, 16);
  t.equal(a.port.call(beta(0), new Array(MAX_ARGS).fill(1)), 16, `${MAX_ARGS} is fine`);
});

t.test('a callback addressed to the caller while it waits is served from its own wait loop', async (t) => {
  const served: number[] = [];
  const { rpc, a } = setup({ functions: [undefined, { library: 'alpha', fn: 'onCallback', impl: (i = 0) => (served.push(i), i * 10) }] });
  let mine = -1;
  let back = -1;
  a.doorbell.step = (n) => {
    if (n === 0) {
      // B takes A's call and, before answering it, calls back into A (from B's own depth-0 block).
      mine = rpc.claim(B) - 1;
      back = rpc.post({ from: B, to: A, fnId: 1, args: [7] });
      return;
    }
    // A served the callback before waiting again; B uses its result to answer A's call.
    t.equal(rpc.header(A, H_PENDING), 0, 'A claimed the callback (cleared its PENDING)');
    t.match(rpc.block(B, 0), { state: STATE_RETURNED, value: 70 }, 'the callback\'s return is in B\'s block');
    t.equal(rpc.block(A, 0).state, STATE_CALLED, 'A\'s own call is still open');
    rpc.answer(mine, rpc.block(B, 0).value + 1);
  };
  t.equal(a.port.call(beta(0, 'step'), [7]), 71);
  t.same(served, [7], 'the callback ran once, with its argument');
  t.equal(a.callee.served, 1);
  t.equal(a.doorbell.calls.length, 2, 'it waited, served the callback, and waited again for its own return');
  t.equal(rpc.header(B, H_DOORBELL), 2, 'B was rung twice: the call, then the callback\'s return');
  t.equal(back, blockIndex(B, 0));
});

t.test('nested calls with both sides real: A -> B -> A -> ... each level in its own block, unwound in order', async (t) => {
  const rpc = new RpcRegion();
  const counters = new CrossingCounters(EDGES);
  let deepest: { a: number[]; b: number[]; args: number[] } | undefined;
  // beta.f(n) calls back alpha.g(n) while n > 0; alpha.g(n) calls beta.f(n - 1): depth n on each side.
  const a: Side = sideOf(rpc, counters, { self: A, functions: [{ library: 'alpha', fn: 'g', impl: (n = 0) => a.port.call(beta(0), [n - 1]) + 1 }] });
  const b: Side = sideOf(rpc, counters, {
    self: B,
    functions: [{
      library: 'beta', fn: 'f', impl: (n = 0) => {
        if (n > 0) return b.port.call(alpha(0), [n]);
        deepest = {
          a: Array.from({ length: 6 }, (_, d) => rpc.block(A, d).state),
          b: Array.from({ length: 6 }, (_, d) => rpc.block(B, d).state),
          args: Array.from({ length: 5 }, (_, d) => rpc.block(A, d).args[0] ?? NaN),
        };
        return 100;
      },
    }],
  });
  // Where a compartment would block, the other one serves what is pending for it.
  a.doorbell.step = () => b.port.serveFor(0);
  b.doorbell.step = () => a.port.serveFor(0);
  t.equal(a.port.call(beta(0), [4]), 104, 'four levels of callbacks, each adding one');
  t.same(deepest, {
    a: [STATE_CALLED, STATE_CALLED, STATE_CALLED, STATE_CALLED, STATE_CALLED, STATE_IDLE],
    b: [STATE_CALLED, STATE_CALLED, STATE_CALLED, STATE_CALLED, STATE_IDLE, STATE_IDLE],
    args: [4, 3, 2, 1, 0],
  }, 'at the deepest point every open level holds its own block (A: depths 0-4, B: 0-3) and its own arguments');
  t.ok([0, 1, 2, 3, 4].every((d) => rpc.block(A, d).state === STATE_IDLE && rpc.block(B, d).state === STATE_IDLE), 'all blocks IDLE after');
  t.same([a.port.depth, b.port.depth], [0, 0]);
  t.same(calls(counters), { 'alpha>beta': 5, 'beta>alpha': 4 }, 'each crossing counted once on its edge');
  t.same([a.callee.served, b.callee.served], [4, 5]);
});

t.test(`nesting deeper than MAX_DEPTH (${MAX_DEPTH}) is refused, and the error unwinds through every level`, async (t) => {
  const rpc = new RpcRegion();
  const counters = new CrossingCounters(EDGES);
  const refused: unknown[] = [];
  const a: Side = sideOf(rpc, counters, {
    self: A,
    functions: [{
      library: 'alpha', fn: 'g', impl: (n = 0) => {
        try {
          return a.port.call(beta(0), [n - 1]) + 1;
        } catch (error) {
          if (!(error instanceof GateCalleeError)) refused.push(error);
          throw error;
        }
      },
    }],
  });
  const b: Side = sideOf(rpc, counters, { self: B, functions: [{ library: 'beta', fn: 'f', impl: (n = 0) => (n > 0 ? b.port.call(alpha(0), [n]) : 0) }] });
  a.doorbell.step = () => b.port.serveFor(0);
  b.doorbell.step = () => a.port.serveFor(0);
  t.equal(a.port.call(beta(0), [MAX_DEPTH - 1]), MAX_DEPTH - 1, `${MAX_DEPTH} levels of A fit`);
  let error: unknown;
  try {
    a.port.call(beta(0), [MAX_DEPTH]);
  } catch (e) {
    error = e;
  }
  t.equal(refused.length, 1, 'one call refused, at the bottom');
  t.match(refused[0], { code: 'FLEXOS_ERR_BAD_ARGUMENT', message: `gate nesting deeper than ${MAX_DEPTH} calling beta.f` });
  t.equal(rpc.block(A, MAX_DEPTH - 1).args[0], 1, 'after A had used its last block (the call f(1) at depth MAX_DEPTH - 1)');
  t.type(error, GateCalleeError, 'the refusal unwinds to the first caller as a callee error');
  t.match(error, { library: 'beta', fn: 'f', remoteCode: 'FLEXOS_ERR_GATE_CALLEE' });
  t.ok(Array.from({ length: MAX_DEPTH }, (_, d) => rpc.block(A, d).state === STATE_IDLE && rpc.block(B, d).state === STATE_IDLE).every(Boolean), 'every block IDLE again');
  t.same([a.port.depth, b.port.depth], [0, 0]);
  t.equal(a.port.call(beta(0), [2]), 2, 'and calls work after');
});

t.test('a callee that does not answer: GateTimeoutError, the block back to IDLE', async (t) => {
  const { rpc, a } = setup({ timeoutMs: 0 });
  t.throws(() => a.port.call(beta(0, 'hangs'), []), new GateTimeoutError('gate to beta.hangs (compartment 2) did not return within 0 ms'));
  t.equal(a.doorbell.calls.length, 0, 'a deadline already passed: no wait');
  t.equal(rpc.block(A, 0).state, STATE_IDLE);
  t.equal(a.port.depth, 0);
});

t.test('the deadline runs from the last sign of life, and not while a compartment waits on an external event', async (t) => {
  const burn = (ms: number): void => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  // Three waits, each past the 50 ms timeout, then the answer.
  let { rpc, a } = setup({ timeoutMs: 50 });
  a.doorbell.step = (n) => {
    if (n < 3) burn(60);
    else rpc.answer(rpc.claim(B) - 1, 1);
  };
  t.throws(() => a.port.call(beta(0, 'slow'), []), { code: 'FLEXOS_ERR_GATE_TIMEOUT' }, 'without an idle CPU: the timeout');
  t.equal(a.doorbell.calls.length, 1, 'after the first wait past the deadline');

  ({ rpc, a } = setup({ timeoutMs: 50 }));
  a.doorbell.step = (n) => {
    Atomics.store(rpc.words, G_CPU_IDLE, n < 3 ? 1 : 0);
    if (n < 3) burn(60);
    else rpc.answer(rpc.claim(B) - 1, 1);
  };
  t.equal(a.port.call(beta(0, 'slow'), []), 1, 'with the CPU idle on an event (CPU_IDLE), the deadline moves on');

  ({ rpc, a } = setup({ timeoutMs: 50, functions: [{ library: 'alpha', fn: 'g', impl: () => 0 }] }));
  let mine = 0;
  a.doorbell.step = (n) => {
    if (n === 0) mine = rpc.claim(B) - 1;
    if (n < 3) {
      burn(60);
      rpc.post({ from: B, depth: n, to: A, fnId: 0 }); // a callback served is a sign of life
    } else rpc.answer(mine, 1);
  };
  t.equal(a.port.call(beta(0, 'busy'), []), 1, 'each callback served restarts the deadline');
  t.equal(a.callee.served, 3);
});

t.test('shutdown: a waiting caller unwinds with a ShutdownSignal; one that cannot post gives up', async (t) => {
  let { rpc, a } = setup();
  a.doorbell.step = () => Atomics.store(rpc.words, G_SHUTDOWN, 1);
  t.throws(() => a.port.call(beta(0), []), ShutdownSignal);
  t.match(new ShutdownSignal(), { code: 'FLEXOS_ERR_SHUTDOWN' });
  t.same([rpc.block(A, 0).state, a.port.depth], [STATE_IDLE, 0], 'block IDLE, depth 0');

  ({ rpc, a } = setup());
  // The callee's PENDING is taken (another caller's post) and the image shuts down.
  Atomics.store(rpc.words, headerWord(B, H_PENDING), 99);
  Atomics.store(rpc.words, G_SHUTDOWN, 1);
  t.throws(() => a.port.call(beta(0), []), ShutdownSignal);
  t.same([rpc.header(B, H_PENDING), rpc.header(B, H_DOORBELL)], [99, 0], 'the other post is left alone, the callee not rung');
  t.same([rpc.block(A, 0).state, a.port.depth], [STATE_IDLE, 0]);
});

t.test('serveFor: an idle compartment serves what is posted, and returns on a control message or shutdown', async (t) => {
  const served: number[] = [];
  let idles = 0;
  const rpc = new RpcRegion();
  const a = sideOf(rpc, new CrossingCounters(EDGES), {
    self: A,
    functions: [{ library: 'alpha', fn: 'g', impl: (i = 0) => (served.push(i), i) }],
    beforeIdle: () => idles++,
  });
  rpc.post({ from: B, to: A, fnId: 0, args: [1] });
  a.port.serveFor(0);
  t.same([served, a.doorbell.calls.length], [[1], 0], 'a slice of 0 serves what is pending, then returns without waiting');
  t.match(rpc.block(B, 0), { state: STATE_RETURNED, value: 1 });

  a.doorbell.step = (n) => {
    if (n === 0) rpc.post({ from: C, to: A, fnId: 0, args: [2] });
    if (n === 1) rpc.post({ from: B, to: A, fnId: 0, args: [3] });
    if (n === 2) Atomics.add(rpc.words, G_CONTROL, 1); // the host wants the event loop
  };
  a.port.serveFor(60_000);
  t.same(served, [1, 2, 3], 'calls posted while it waits are served in turn');
  t.equal(a.doorbell.calls.length, 3, 'it returned on the control message, not at the end of its slice');
  t.ok(a.doorbell.calls.every((c) => c.index === headerWord(A, H_DOORBELL) && c.watch === undefined), 'an idle wait is on its doorbell alone');
  t.equal(idles, 4, 'beforeIdle runs each time it finds nothing to do');

  a.doorbell.step = () => Atomics.store(rpc.words, G_SHUTDOWN, 1);
  a.port.serveFor(60_000);
  t.equal(a.doorbell.calls.length, 4, 'shutdown ends it after one more wait');
  rpc.post({ from: B, to: A, fnId: 0, args: [4] });
  a.port.serveFor(60_000);
  t.same(served, [1, 2, 3], 'after shutdown nothing more is served');
});
