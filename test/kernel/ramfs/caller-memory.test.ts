// ramfs's view of its caller's memory, alone over a fake memory: a name component is checked (empty,
// too long, a "/" or NUL, a bad length) before it becomes a key that round-trips byte for byte, and a
// fault on the caller's buffer comes back as -EFAULT while any other error still propagates.

import t from 'tap';
import { CallerMemory, bytesOf, efault, keyOf } from '../../../kernel/ramfs/caller-memory.js';
import { ProtectionFault } from '../../../kernel/abi/errors.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { FakeMemory } from '../../fixtures/fs/fakes.js';

const E = ERRNO;
const UNMAPPED = 8;

t.test('a name component becomes a key, or the errno that refuses it', async (t) => {
  const memory = new FakeMemory();
  const caller = new CallerMemory(memory);
  t.equal(caller.name(...memory.put(memory.at(0), 'etc')), 'etc');
  t.equal(caller.name(memory.at(0), 0), -E.ENOENT, 'an empty name');
  t.equal(caller.name(memory.at(0), -1), -E.EINVAL, 'a negative length');
  t.equal(caller.name(memory.at(0), 1.5), -E.EINVAL, 'a fractional length');
  t.equal(caller.name(...memory.put(memory.at(0), 'n'.repeat(255))), 'n'.repeat(255), 'NAME_MAX bytes are fine');
  t.equal(caller.name(...memory.put(memory.at(0), 'n'.repeat(256))), -E.ENAMETOOLONG, 'one more is not');
  t.equal(caller.name(...memory.put(memory.at(0), 'a/b')), -E.EINVAL, 'a slash');
  t.equal(caller.name(...memory.put(memory.at(0), 'a\0b')), -E.EINVAL, 'a NUL');
  t.equal(caller.name(UNMAPPED, 3), -E.EFAULT, 'a name the caller cannot point ramfs at');
});

t.test('keys keep every byte of a name: non-UTF-8 names round-trip', async (t) => {
  const memory = new FakeMemory();
  const raw = Uint8Array.from([0xff, 0xc3, 0x28, 0x80, 0x41]);
  const key = new CallerMemory(memory).name(...memory.put(memory.at(0), raw));
  t.type(key, 'string');
  t.same(bytesOf(key as string), raw);
  t.equal(keyOf(raw), key);
});

t.test('views and writes of the caller buffer: -EFAULT on a protection fault, other errors propagate', async (t) => {
  const memory = new FakeMemory(4096);
  const caller = new CallerMemory(memory);
  const view = caller.view(memory.at(10), 4, 'write');
  t.ok(view instanceof Uint8Array && view.length === 4, 'a live view');
  t.equal(caller.view(memory.at(4094), 4, 'read'), -E.EFAULT, 'past the end of the mapping');
  t.equal(caller.write(memory.at(0), Uint8Array.of(1, 2)), 0);
  t.same(memory.readBytes(memory.at(0), 2), Uint8Array.of(1, 2));
  t.equal(caller.write(UNMAPPED, Uint8Array.of(1)), -E.EFAULT);
  const broken = new CallerMemory({
    view: () => {
      throw new RangeError('a bug, not a fault');
    },
    writeBytes: () => undefined,
  });
  t.throws(() => broken.view(0, 1, 'read'), RangeError, 'a bug is not turned into an errno');
  t.equal(efault(new ProtectionFault({ address: 8, region: '(unmapped)', key: -1, compartment: 'a', library: 'b', access: 'read' })), -E.EFAULT);
  t.throws(() => efault(new TypeError('x')), TypeError);
});
