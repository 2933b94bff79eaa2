// The callee side of a gate in one thread: a call posted by hand is served from its control block.
// The callee reads the arguments, runs the function as its library, writes only the outcome words
// (return value or error text, then the state, last) and rings the doorbell of the compartment in FROM.

import t from 'tap';
import { GateCallee, type ExportedFunction } from '../../../compartments/gates/callee.js';
import {
  B_ERROR_LENGTH, B_ERROR_OFFSET, B_RETURN_OFFSET, B_STATE, BLOCK_BYTES, ERROR_BYTES, H_DOORBELL, H_PENDING,
  STATE_CALLED, STATE_RETURNED, STATE_THREW, blockIndex, blockOffset,
} from '../../../compartments/gates/protocol.js';
import { FlexosError, HardeningViolation } from '../../../kernel/abi/errors.js';
import { RpcRegion, blockBytes, headerBytes, memoryOf, onlyWithin } from './one-thread.js';

const A = 1;
const B = 2;
const C = 3;

function calleeOf(functions: (ExportedFunction | undefined)[], cfi?: (from: number, fnId: number) => void) {
  const rpc = new RpcRegion();
  const memory = memoryOf('b');
  const callee = new GateCallee(rpc.buffer, cfi ? { functions, memory, cfi } : { functions, memory });
  return { rpc, memory, callee };
}

t.test('serves a call: the function gets exactly the posted arguments, the return and RETURNED come back', async (t) => {
  const seen: number[][] = [];
  const { rpc, callee } = calleeOf([{ library: 'beta', fn: 'sum', impl: (...args) => (seen.push(args), args.reduce((s, v) => s + v, 0)) }]);
  // Up to six integers and addresses (an address is region id << 32 | offset: exact in a double).
  const address = 7 * 2 ** 32 + 0x1234;
  const six = [1, -2, 2 ** 31, -(2 ** 31) - 1, address, Number.MAX_SAFE_INTEGER - address];
  const index = rpc.post({ from: A, to: B, fnId: 0, args: six });
  t.equal(rpc.claim(B), index + 1, 'PENDING holds the block index + 1');
  callee.serve(index);
  t.same(seen, [six], 'six integer and address arguments arrive exactly, and no more');
  const block = rpc.block(A, 0);
  t.equal(block.state, STATE_RETURNED);
  t.equal(block.value, six.reduce((s, v) => s + v, 0), 'the return value is in the block');
  t.equal(callee.served, 1);

  // The argument array is reused between calls: a shorter call must not see the longer one's tail.
  rpc.post({ from: A, to: B, fnId: 0, args: [5] });
  rpc.claim(B);
  callee.serve(index);
  t.same(seen[1], [5], 'a later call with fewer arguments gets only its own');
  rpc.post({ from: A, to: B, fnId: 0, args: [] });
  rpc.claim(B);
  callee.serve(index);
  t.same(seen[2], [], 'no arguments: none');
});

t.test('a function returning nothing (or not a number) returns 0', async (t) => {
  const { rpc, callee } = calleeOf([
    { library: 'beta', fn: 'empty', impl: () => undefined },
    { library: 'beta', fn: 'seven', impl: () => 7 },
  ]);
  const index = rpc.post({ from: A, to: B, fnId: 1 });
  rpc.claim(B);
  callee.serve(index);
  t.equal(rpc.block(A, 0).value, 7);
  rpc.post({ from: A, to: B, fnId: 0 });
  rpc.claim(B);
  callee.serve(index);
  t.equal(rpc.block(A, 0).value, 0, 'the previous call\'s return value is overwritten');
});

t.test('the callee writes only the outcome words of the block and the doorbell of the compartment in FROM', async (t) => {
  const { rpc, callee } = calleeOf([
    { library: 'beta', fn: 'add', impl: (a = 0, b = 0) => a + b },
    { library: 'beta', fn: 'throws', impl: () => { throw new RangeError('no'); } },
  ]);
  // C calls at depth 2, so the block is neither the first of its compartment nor of B's.
  const index = rpc.post({ from: C, depth: 2, to: B, fnId: 0, args: [2, 3] });
  rpc.claim(B);
  const doorbellBefore = rpc.header(C, H_DOORBELL);
  let before = rpc.bytes.slice();
  callee.serve(index);
  let changed = rpc.changedSince(before);
  t.ok(onlyWithin(changed, [blockBytes(index, B_STATE * 4, 4), blockBytes(index, B_RETURN_OFFSET, 8), headerBytes(C, H_DOORBELL)]), 'RETURNED: state, return value, caller\'s doorbell');
  t.equal(rpc.header(C, H_DOORBELL), doorbellBefore + 1, 'the doorbell of FROM (the caller) is bumped once');
  t.equal(rpc.header(B, H_DOORBELL), 1, 'the callee\'s own doorbell is untouched (1 from the post)');
  t.equal(rpc.header(A, H_DOORBELL), 0, 'another compartment\'s doorbell is untouched');
  t.equal(rpc.block(C, 2).state, STATE_RETURNED);

  rpc.post({ from: C, depth: 2, to: B, fnId: 1 });
  rpc.claim(B);
  before = rpc.bytes.slice();
  callee.serve(index);
  changed = rpc.changedSince(before);
  t.ok(onlyWithin(changed, [blockBytes(index, B_STATE * 4, 4), blockBytes(index, B_ERROR_LENGTH * 4, 4), blockBytes(index, B_ERROR_OFFSET, ERROR_BYTES), headerBytes(C, H_DOORBELL)]), 'THREW: state, error length and text, caller\'s doorbell');
  t.equal(rpc.block(C, 2).state, STATE_THREW);
});

t.test('PENDING is the claimer\'s to clear: serve() leaves it as it finds it', async (t) => {
  const { rpc, callee } = calleeOf([{ library: 'beta', fn: 'empty', impl: () => 0 }]);
  const index = rpc.post({ from: A, to: B, fnId: 0 });
  callee.serve(index);
  t.equal(rpc.header(B, H_PENDING), index + 1, 'serve() runs a call already claimed; it does not claim');
});

t.test('the outcome is published after the function ran: the state is still CALLED and the caller not rung inside it', async (t) => {
  const rpc = new RpcRegion();
  const during: { state: number; doorbell: number }[] = [];
  const index = blockIndex(A, 0);
  const callee = new GateCallee(rpc.buffer, {
    memory: memoryOf('b'),
    functions: [{ library: 'beta', fn: 'look', impl: () => (during.push({ state: rpc.block(A, 0).state, doorbell: rpc.header(A, H_DOORBELL) }), 1) }],
  });
  rpc.post({ from: A, to: B, fnId: 0 });
  rpc.claim(B);
  callee.serve(index);
  t.same(during, [{ state: STATE_CALLED, doorbell: 0 }]);
  t.same([rpc.block(A, 0).state, rpc.header(A, H_DOORBELL)], [STATE_RETURNED, 1], 'both after it');
});

t.test('the function runs as its library; the running library is restored after a return or a throw', async (t) => {
  const rpc = new RpcRegion();
  const memory = memoryOf('b');
  const running: string[] = [];
  const callee = new GateCallee(rpc.buffer, {
    memory,
    functions: [
      { library: 'beta', fn: 'who', impl: () => (running.push(memory.library), 0) },
      { library: 'gamma', fn: 'fails', impl: () => { running.push(memory.library); throw new Error('x'); } },
    ],
  });
  memory.library = 'app';
  const index = rpc.post({ from: A, to: B, fnId: 0 });
  rpc.claim(B);
  callee.serve(index);
  t.equal(memory.library, 'app', 'the library that was running before is back after a return');
  rpc.post({ from: A, to: B, fnId: 1 });
  rpc.claim(B);
  callee.serve(index);
  t.equal(memory.library, 'app', 'and after a throw');
  t.same(running, ['beta', 'gamma'], 'each function ran as the library that exports it');
});

t.test('an exception is carried back as "code\\nmessage": a FlexosError by its code, another error by its name', async (t) => {
  const { rpc, callee } = calleeOf([
    { library: 'beta', fn: 'flexos', impl: () => { throw new FlexosError('FLEXOS_ERR_OUT_OF_MEMORY', 'heap full'); } },
    { library: 'beta', fn: 'range', impl: () => { throw new RangeError('out of range'); } },
    { library: 'beta', fn: 'string', impl: () => { throw 'a bare string'; } },
  ]);
  const outcome = (fnId: number) => {
    const index = rpc.post({ from: A, to: B, fnId });
    rpc.claim(B);
    callee.serve(index);
    return [rpc.block(A, 0).state, rpc.block(A, 0).error];
  };
  t.same(outcome(0), [STATE_THREW, 'FLEXOS_ERR_OUT_OF_MEMORY\nheap full']);
  t.same(outcome(1), [STATE_THREW, 'RangeError\nout of range']);
  t.same(outcome(2), [STATE_THREW, 'Error\na bare string'], 'a thrown non-error: code Error, its text');
  t.equal(callee.served, 3, 'a call that threw counts as served');
});

t.test('a long error is truncated to the error area and never spills into the next block', async (t) => {
  const { rpc, callee } = calleeOf([{ library: 'beta', fn: 'loud', impl: () => { throw new TypeError('x'.repeat(4 * ERROR_BYTES)); } }]);
  const index = rpc.post({ from: A, to: B, fnId: 0 });
  const next = blockOffset(index + 1);
  rpc.bytes.fill(0xee, next, next + BLOCK_BYTES);
  callee.serve(index);
  const error = rpc.block(A, 0).error;
  t.equal(Buffer.byteLength(error), ERROR_BYTES, 'the text fills the error area exactly');
  t.ok(error.startsWith('TypeError\nxxx'), 'the code comes first, then as much message as fits');
  t.ok(rpc.bytes.subarray(next, next + BLOCK_BYTES).every((b) => b === 0xee), 'the next block is untouched');
});

t.test('a truncated error ends on a whole character: no half of a multi-byte one', async (t) => {
  // 'é' is two bytes in UTF-8; after "RangeError\n" (11 bytes) the area's end falls inside one.
  t.equal((ERROR_BYTES - 11) % 2, 1, 'the cut is inside a character');
  const { rpc, callee } = calleeOf([{ library: 'beta', fn: 'loud', impl: () => { throw new RangeError('é'.repeat(ERROR_BYTES)); } }]);
  const index = rpc.post({ from: A, to: B, fnId: 0 });
  callee.serve(index);
  const error = rpc.block(A, 0).error;
  t.notOk(error.includes('\ufffd'), 'no replacement character at the cut');
  t.equal(Buffer.byteLength(error), ERROR_BYTES - 1, 'as much as fits: all but the half character');
  t.equal(rpc.words[(blockOffset(index) >> 2) + B_ERROR_LENGTH], Buffer.byteLength(error), 'ERROR_LENGTH is the bytes written');
});

t.test('function id check: a call to a function this compartment does not export throws back FLEXOS_ERR_BAD_ARGUMENT', async (t) => {
  const ran: string[] = [];
  const { rpc, callee } = calleeOf([undefined, { library: 'beta', fn: 'one', impl: () => (ran.push('one'), 1) }]);
  for (const fnId of [0, 2, 99, -1]) {
    const index = rpc.post({ from: A, to: B, fnId });
    rpc.claim(B);
    callee.serve(index);
    const block = rpc.block(A, 0);
    t.equal(block.state, STATE_THREW, `function ${fnId}: THREW`);
    t.equal(block.error, `FLEXOS_ERR_BAD_ARGUMENT\nno function ${fnId} is exported by this compartment`);
  }
  t.same(ran, [], 'nothing ran');
  t.equal(rpc.header(A, H_DOORBELL), 4, 'and the caller was answered each time');
});

t.test('caller identity check: the gate-entry check sees FROM and the function id before the function runs', async (t) => {
  const checked: [number, number][] = [];
  const ran: number[] = [];
  const cfi = (from: number, fnId: number): void => {
    checked.push([from, fnId]);
    if (from !== A) throw new HardeningViolation({ check: 'cfi', library: 'beta', address: fnId, detail: `gate entry from compartment ${from}` });
  };
  const { rpc, callee } = calleeOf([{ library: 'beta', fn: 'guarded', impl: () => (ran.push(1), 1) }], cfi);
  let index = rpc.post({ from: A, to: B, fnId: 0 });
  rpc.claim(B);
  callee.serve(index);
  t.equal(rpc.block(A, 0).state, STATE_RETURNED, 'an allowed caller is served');
  index = rpc.post({ from: C, to: B, fnId: 0 });
  rpc.claim(B);
  callee.serve(index);
  t.equal(rpc.block(C, 0).state, STATE_THREW, 'a caller the check refuses gets an error back');
  t.match(rpc.block(C, 0).error, /^FLEXOS_ERR_HARDENING\ncfi: gate entry from compartment 3 at 0x0 in library beta$/);
  t.same(checked, [[A, 0], [C, 0]], 'the check sees the block\'s FROM and FN');
  t.same(ran, [1], 'the refused call did not run');
  t.equal(rpc.header(C, H_DOORBELL), 1, 'the refused caller is still answered (it does not hang)');
});

t.test('a thrown value that cannot be turned into text is still answered, not left CALLED', async (t) => {
  const { rpc, callee } = calleeOf([{ library: 'beta', fn: 'odd', impl: () => { throw Object.create(null); } }]);
  const index = rpc.post({ from: A, to: B, fnId: 0 });
  rpc.claim(B);
  t.doesNotThrow(() => callee.serve(index));
  t.same([rpc.block(A, 0).state, rpc.block(A, 0).error], [STATE_THREW, 'Error\n[object Object]']);
  t.equal(rpc.header(A, H_DOORBELL), 1, 'the caller is rung');
});
