// The sqlite library's shared variables alone in one thread: zPath, iobuf and statbuf live in a
// frame of the shared stack for exactly one vfscore call, and bytes cross between the engine's
// WebAssembly heap and simulated memory unchanged.

import t from 'tap';
import { regionOf } from '../../../shm/address.js';
import { STAT_BYTES, STAT_SIZE } from '../../../kernel/vfscore/flags.js';
import { SharedVariables } from '../../../workloads/sqlite/shared-variables.js';
import { FakeWasm, simulatedMemory } from './fakes.js';

function setup() {
  const { memory, stack } = simulatedMemory();
  const wasm = new FakeWasm();
  return { memory, stack, wasm, shared: new SharedVariables({ memory, stack, wasm }) };
}

t.test('zPath: the path\'s UTF-8 bytes, without a NUL, in a shared frame popped after the call', async (t) => {
  const { memory, stack, shared } = setup();
  let seen = '';
  const rc = shared.withPath('/é.db', (address, length) => {
    t.equal(regionOf(address), 1, 'on the shared stack');
    t.equal(length, 6, 'UTF-8 length');
    t.ok(stack.used() > 0);
    seen = memory.readString(address, length);
    return 7;
  });
  t.equal(rc, 7, 'the call\'s result');
  t.equal(seen, '/é.db');
  t.equal(stack.used(), 0, 'the frame is popped');
});

t.test('iobuf for a read: the count read is copied to the heap, nothing on an error', async (t) => {
  const { memory, stack, wasm, shared } = setup();
  const pDest = wasm.alloc(16);
  wasm.bytes.fill(0xee, pDest, pDest + 16);
  const got = shared.readInto(pDest, 16, (iobuf) => {
    memory.writeBytes(iobuf, Uint8Array.of(1, 2, 3, 4, 5));
    return 5;
  });
  t.equal(got, 5);
  t.same([...wasm.bytes.subarray(pDest, pDest + 6)], [1, 2, 3, 4, 5, 0xee], 'exactly the bytes read');
  t.equal(shared.readInto(pDest, 16, () => -5), -5, 'the -errno comes back');
  t.same([...wasm.bytes.subarray(pDest, pDest + 6)], [1, 2, 3, 4, 5, 0xee], 'and the heap is untouched');
  t.equal(stack.used(), 0);
});

t.test('iobuf for a write: the heap\'s bytes are in place before the write runs', async (t) => {
  const { memory, stack, wasm, shared } = setup();
  const pSrc = wasm.alloc(8);
  wasm.bytes.set([9, 8, 7, 6, 5, 4, 3, 2], pSrc);
  let seen: number[] = [];
  const rc = shared.writeFrom(pSrc, 8, (iobuf) => {
    t.equal(regionOf(iobuf), 1, 'on the shared stack');
    seen = [...memory.readBytes(iobuf, 8)];
    return 0;
  });
  t.equal(rc, 0);
  t.same(seen, [9, 8, 7, 6, 5, 4, 3, 2]);
  t.equal(stack.used(), 0);
});

t.test('statbuf: a stat struct\'s room in a shared frame; its size field, or the -errno', async (t) => {
  const { memory, stack, shared } = setup();
  const size = shared.statSize((statbuf) => {
    t.ok(memory.canAccess(statbuf, STAT_BYTES), `${STAT_BYTES} bytes`);
    memory.write64(statbuf + STAT_SIZE, 123456);
    return 0;
  });
  t.equal(size, 123456);
  t.equal(shared.statSize(() => -9), -9);
  t.equal(stack.used(), 0);
});
