// The caller's half of a baseline boundary, in one thread: a system call's buffers are copied (the
// callee works on its own copy, never on the caller's buffer, and only what it filled comes back),
// an seL4/Genode RPC marshals its words, a CubicleOS call opens and closes a window per buffer.

import t from 'tap';
import { boundaryCall } from '../../../compartments/baselines/boundary-call.js';
import { SYSCALL_BUFFERS } from '../../../compartments/baselines/buffers.js';
import { Memory } from '../../../shm/memory.js';
import { RegionHeap } from '../../../shm/heap.js';
import { createRegion } from '../../../shm/region.js';
import type { WorkMeter, WorkKind } from '../../../kernel/abi/work.js';

function setup() {
  const user = createRegion({ id: 1, name: 'heap.user', kind: 'heap', key: 0, size: 1 << 16, owner: 1 });
  const shared = createRegion({ id: 2, name: 'shared-heap', kind: 'shared-heap', key: 15, size: 1 << 16, owner: 0 });
  const memory = new Memory({ compartment: 'user', table: [user, shared], buffers: new Map([[1, user.buffer], [2, shared.buffer]]) });
  const userHeap = RegionHeap.format(user);
  const bounce = RegionHeap.format(shared);
  const counted: Partial<Record<WorkKind, number>> = {};
  const meter: WorkMeter = { add: (kind, units) => void (counted[kind] = (counted[kind] ?? 0) + units) };
  return { memory, userHeap, bounce, meter, counted };
}

t.test('a system call copies its input in: the callee sees the bytes at another address, never the caller\'s buffer', async (t) => {
  const { memory, userHeap, bounce, meter, counted } = setup();
  const buffer = userHeap.malloc(32);
  memory.writeBytes(buffer, new TextEncoder().encode('hello, kernel'));
  let seen = 0;
  const usedBefore = bounce.stats().used;
  const write = boundaryCall(([fd, address, length]) => {
    seen = address!;
    t.equal(fd, 3, 'integers pass as they are');
    t.equal(new TextDecoder().decode(memory.view(address!, length!, 'read')), 'hello, kernel', 'the copy holds the bytes');
    memory.view(address!, 1, 'write')[0] = 0x48; // the kernel scribbles on its copy
    return length!;
  }, { kind: 'syscall', signature: { args: ['int', 'addr', 'int'], returns: 'int' }, buffers: SYSCALL_BUFFERS['vfscore.write']!, memory, bounce, meter });
  t.equal(write(3, buffer, 13), 13);
  t.not(seen, buffer, 'the callee got another address');
  t.equal(new TextDecoder().decode(memory.view(buffer, 13, 'read')), 'hello, kernel', 'an input buffer is not copied back');
  t.equal(counted.copy, 13, 'copy_from_user: 13 bytes counted');
  t.equal(bounce.stats().used, usedBefore, 'the kernel copy is freed after the call');
});

t.test('a read-like system call copies back only the bytes it filled', async (t) => {
  const { memory, userHeap, bounce, meter, counted } = setup();
  const buffer = userHeap.malloc(64);
  memory.view(buffer, 64, 'write').fill(0x2e);
  const read = boundaryCall(([, address]) => {
    memory.writeBytes(address!, new TextEncoder().encode('abcd'));
    return 4;
  }, { kind: 'syscall', signature: { args: ['int', 'addr', 'int', 'int'], returns: 'int' }, buffers: SYSCALL_BUFFERS['vfscore.pread']!, memory, bounce, meter });
  const before = bounce.stats().used;
  t.equal(read(3, buffer, 64, 0), 4);
  t.equal(new TextDecoder().decode(memory.view(buffer, 6, 'read')), 'abcd..', 'four bytes came back, the rest is untouched');
  t.equal(counted.copy, 4, 'copy_to_user: the 4 filled bytes');
  t.equal(bounce.stats().used, before, 'the kernel copy is freed after the call');
});

t.test('a failed read copies nothing back', async (t) => {
  const { memory, userHeap, bounce, meter, counted } = setup();
  const buffer = userHeap.malloc(8);
  const read = boundaryCall(() => -9, { kind: 'syscall', signature: { args: ['int', 'addr', 'int'], returns: 'int' }, buffers: SYSCALL_BUFFERS['lwip.read']!, memory, bounce, meter });
  t.equal(read(3, buffer, 8), -9);
  t.equal(counted.copy ?? 0, 0);
});

t.test('a system call whose kernel copy does not fit in the bounce heap fails with ENOMEM, the callee never runs', async (t) => {
  const { memory, userHeap, bounce, meter } = setup();
  const buffer = userHeap.malloc(64);
  let called = false;
  const read = boundaryCall(() => ((called = true), 0), { kind: 'syscall', signature: { args: ['int', 'addr', 'int'], returns: 'int' }, buffers: SYSCALL_BUFFERS['lwip.read']!, memory, bounce, meter });
  const before = bounce.stats().used;
  t.equal(read(3, buffer, 1 << 20), -12, '-ENOMEM');
  t.notOk(called);
  t.equal(bounce.stats().used, before, 'nothing is left allocated');
});

t.test('an seL4/Genode RPC marshals the opcode and each argument as a word', async (t) => {
  const { memory, bounce, meter, counted } = setup();
  const call = boundaryCall(() => 0, { kind: 'ipc', signature: { args: ['int', 'int', 'int'], returns: 'int' }, buffers: [], memory, bounce, meter });
  call(1, 2, 3);
  call(1, 2, 3);
  t.equal(counted.copy, 2 * 8 * 4, 'two calls of 4 words each');
});

t.test('a CubicleOS call opens a window per non-null buffer and closes each afterwards, even when the callee throws', async (t) => {
  const { memory, bounce, meter } = setup();
  let operations = 0;
  const signature = { args: ['addr', 'int', 'addr'] as const, returns: 'int' as const };
  const call = boundaryCall(() => {
    t.equal(operations, 2, 'both windows are open during the call');
    return 0;
  }, { kind: 'cubicle', signature: { args: [...signature.args], returns: 'int' }, buffers: [], memory, bounce, meter, windowOperation: () => operations++ });
  call(0x1_0000_0010, 5, 0x1_0000_0020);
  t.equal(operations, 4, 'two opens and two closes');
  operations = 0;
  const nullSecond = boundaryCall(() => 0, { kind: 'cubicle', signature: { args: [...signature.args], returns: 'int' }, buffers: [], memory, bounce, meter, windowOperation: () => operations++ });
  nullSecond(0x1_0000_0010, 5, 0);
  t.equal(operations, 2, 'a NULL pointer opens no window');
  operations = 0;
  const throwing = boundaryCall(() => {
    throw new Error('callee failed');
  }, { kind: 'cubicle', signature: { args: ['addr'], returns: 'int' }, buffers: [], memory, bounce, meter, windowOperation: () => operations++ });
  t.throws(() => throwing(0x1_0000_0010), /callee failed/);
  t.equal(operations, 2, 'the window is closed on the way out');
});
