// A compartment's view of simulated memory: reads and writes inside the regions it was handed work;
// an address in a region it was not handed, outside any region, or past a region's end raises a
// PF_PK-style ProtectionFault naming the address, region, key, compartment and library.

import t, { type Test } from 'tap';
import { ProtectionFault } from '../../kernel/abi/errors.js';
import { Memory } from '../../shm/memory.js';
import { createRegion, type Region } from '../../shm/region.js';
import { formatAddress, makeAddress } from '../../shm/address.js';

const SIZE = 4096;
const regions: Region[] = [
  createRegion({ id: 1, name: 'heap.a', kind: 'heap', key: 0, size: SIZE, owner: 1 }),
  createRegion({ id: 2, name: 'heap.b', kind: 'heap', key: 1, size: SIZE, owner: 2 }),
  createRegion({ id: 3, name: 'shared-heap', kind: 'shared-heap', key: 15, size: SIZE, owner: 0 }),
];
const table = regions.map(({ buffer: _b, ...d }) => d);
const handed = (...ids: number[]) => new Map(regions.filter((r) => ids.includes(r.id)).map((r) => [r.id, r.buffer]));

/** Compartment a (key 0): its heap and the shared heap, not b's heap. */
const memoryOfA = (): Memory => new Memory({ compartment: 'a', table, buffers: handed(1, 3) });
const memoryOfB = (): Memory => new Memory({ compartment: 'b', table, buffers: handed(2, 3) });

/** Runs `access`, expects a ProtectionFault and checks what it names. */
function faults(t: Test, access: () => unknown, expected: { address: number; region: string; key: number; compartment: string; library: string; access: 'read' | 'write' }): void {
  try {
    access();
    t.fail(`no fault for ${expected.access} at ${formatAddress(expected.address)}`);
  } catch (error) {
    t.ok(error instanceof ProtectionFault, 'a ProtectionFault');
    const fault = error as ProtectionFault;
    t.equal(fault.code, 'FLEXOS_ERR_PROTECTION_FAULT');
    t.same(fault.info, expected, 'info');
    t.match(fault.message, `0x${expected.address.toString(16)}`, 'message names the address');
    t.match(fault.message, `region ${expected.region}`, 'message names the region');
    t.match(fault.message, `key ${expected.key}`, 'message names the key');
    t.match(fault.message, `compartment ${expected.compartment}`, 'message names the compartment');
    t.match(fault.message, `library ${expected.library}`, 'message names the library');
    t.match(fault.message, expected.access, 'message names the access');
  }
}

t.test('reads and writes inside the handed regions round-trip, at every width', async (t) => {
  const m = memoryOfA();
  const a = makeAddress(1, 64);
  m.write8(a, 0x1ff);
  t.equal(m.read8(a), 0xff, 'write8 keeps the low byte');
  m.write32(a + 4, -5);
  t.equal(m.read32(a + 4), -5);
  t.equal(m.readU32(a + 4), 2 ** 32 - 5);
  m.write64(a + 8, 1234.5);
  t.equal(m.read64(a + 8), 1234.5);
  m.writeBytes(a + 16, Uint8Array.of(1, 2, 3));
  t.same([...m.readBytes(a + 16, 3)], [1, 2, 3]);
  t.equal(m.writeString(a + 32, 'héllo'), 6, 'UTF-8 bytes');
  t.equal(m.readString(a + 32, 6), 'héllo');
  m.write32(makeAddress(1, SIZE - 4), 42);
  t.equal(m.read32(makeAddress(1, SIZE - 4)), 42, 'the last word of a region');
  t.equal(new DataView(regions[0]!.buffer).getInt32(SIZE - 4, true), 42, 'little-endian, in the region buffer itself');
});

t.test('the shared region is one memory seen by both compartments', async (t) => {
  const a = memoryOfA();
  const b = memoryOfB();
  const address = makeAddress(3, 128);
  a.write32(address, 0x1234567);
  t.equal(b.read32(address), 0x1234567);
  b.writeString(address + 8, 'from b');
  t.equal(a.readString(address + 8, 6), 'from b');
});

t.test('view is live and checked; readBytes is a copy; span returns the buffer and offset', async (t) => {
  const m = memoryOfA();
  const address = makeAddress(1, 256);
  const view = m.view(address, 4);
  view.set([9, 8, 7, 6]);
  t.equal(m.read8(address + 2), 7, 'writes through a view land in memory');
  const copy = m.readBytes(address, 4);
  m.write8(address, 0);
  t.equal(copy[0], 9, 'a copy does not follow later writes');
  const span = m.span(address, 4, 'read');
  t.equal(span.offset, 256);
  t.equal(span.bytes.buffer, regions[0]!.buffer);
  t.equal(m.baseOf('heap.b'), makeAddress(2, 0), 'baseOf names any region of the table');
  t.throws(() => m.baseOf('nope'), TypeError);
});

t.test('an address in a region not handed over faults, at every access width', async (t) => {
  const m = memoryOfA();
  m.library = 'lwip';
  const address = makeAddress(2, 100);
  const expect = (access: 'read' | 'write') => ({ address, region: 'heap.b', key: 1, compartment: 'a', library: 'lwip', access });
  faults(t, () => m.read8(address), expect('read'));
  faults(t, () => m.read32(address), expect('read'));
  faults(t, () => m.readU32(address), expect('read'));
  faults(t, () => m.read64(address), expect('read'));
  faults(t, () => m.readBytes(address, 4), expect('read'));
  faults(t, () => m.readString(address, 4), expect('read'));
  faults(t, () => m.span(address, 4, 'read'), expect('read'));
  faults(t, () => m.write8(address, 1), expect('write'));
  faults(t, () => m.write32(address, 1), expect('write'));
  faults(t, () => m.write64(address, 1), expect('write'));
  faults(t, () => m.writeBytes(address, Uint8Array.of(1)), expect('write'));
  faults(t, () => m.writeString(address, 'x'), expect('write'));
  faults(t, () => m.view(address, 1), expect('write'));
  t.notOk(m.canAccess(address, 1));
  t.equal(new Uint8Array(regions[1]!.buffer)[100], 0, 'the faulting writes left b untouched');
});

t.test('the fault names the library running now in the compartment', async (t) => {
  const m = memoryOfB();
  t.equal(m.library, '(boot)', 'before any library runs');
  faults(t, () => m.read8(makeAddress(1, 0)), { address: makeAddress(1, 0), region: 'heap.a', key: 0, compartment: 'b', library: '(boot)', access: 'read' });
  m.library = 'redis';
  faults(t, () => m.write8(makeAddress(1, 8), 1), { address: makeAddress(1, 8), region: 'heap.a', key: 0, compartment: 'b', library: 'redis', access: 'write' });
});

t.test('out of bounds faults: past the end, straddling the end, unknown regions, NULL', async (t) => {
  const m = memoryOfA();
  m.library = 'alpha';
  const end = makeAddress(1, SIZE);
  const oob = (address: number, access: 'read' | 'write') => ({ address, region: 'heap.a (out of bounds)', key: 0, compartment: 'a', library: 'alpha', access });
  faults(t, () => m.read8(end), oob(end, 'read'));
  faults(t, () => m.write32(end - 2, 1), oob(end - 2, 'write'));
  faults(t, () => m.read64(end - 4), oob(end - 4, 'read'));
  faults(t, () => m.readBytes(end - 8, 9), oob(end - 8, 'read'));
  faults(t, () => m.view(end - 8, -1), { address: end - 8, region: 'heap.a', key: 0, compartment: 'a', library: 'alpha', access: 'write' });
  t.notOk(m.canAccess(end - 8, 9), 'canAccess agrees');
  t.ok(m.canAccess(end - 8, 8));
  t.notOk(m.canAccess(end - 8, -1), 'negative length');
  const unknown = makeAddress(9, 0);
  faults(t, () => m.read8(unknown), { address: unknown, region: '(unmapped)', key: -1, compartment: 'a', library: 'alpha', access: 'read' });
  faults(t, () => m.read32(0), { address: 0, region: '(unmapped)', key: -1, compartment: 'a', library: 'alpha', access: 'read' });
  t.equal(m.readBytes(end - 8, 8).length, 8, 'the last 8 bytes are fine');
});
