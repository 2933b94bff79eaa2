// vfscore assembled from its parts, over a fake library context: it exports exactly its descriptor's
// functions, boots with uk_mutex_init, the ramfs mount and the stat scratch in that order, and each
// operation makes one lock, its vnode calls and one unlock: the calls that become gate crossings.

import { NO_WORK } from '../../../kernel/abi/work.js';
import t from 'tap';
import type { LibraryContext } from '../../../kernel/abi/context.js';
import { vfscore } from '../../../kernel/vfscore/exports.js';
import { create } from '../../../kernel/vfscore/vfscore.js';
import type { Vnop } from '../../../kernel/vfscore/vnops.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { O_CREAT, O_RDWR, STAT_BYTES, X_OK } from '../../../kernel/vfscore/flags.js';
import { FakeMemory, fakeVnops } from '../../fixtures/fs/fakes.js';

const E = ERRNO;
const MUTEX = 5;

/** vfscore over fake uksched and ramfs; `calls` records both, in order. */
function boot(options: { lock?: number } = {}) {
  const memory = new FakeMemory();
  const scratch = memory.at(8192);
  const { vop, calls } = fakeVnops(memory, {
    mount: () => 1,
    lookup: (dir, name, length) => (dir === 1 && memory.readString(name, length) === 'd' ? 2 : -E.ENOENT),
    create: () => 3,
    open: () => 0,
    close: () => 0,
    write: (_ino, _buffer, length) => length,
    getattr: () => 0,
  });
  const uksched: Record<string, (id: number) => number> = {
    uk_mutex_init: () => (calls.push('uk_mutex_init()'), MUTEX),
    uk_mutex_lock: (id) => (calls.push(`uk_mutex_lock(${id})`), options.lock ?? 0),
    uk_mutex_unlock: (id) => (calls.push(`uk_mutex_unlock(${id})`), 0),
  };
  const imports: string[] = [];
  const ctx = {
    memory,
    sharedHeap: { malloc: (size: number) => (calls.push(`malloc(${size})`), scratch), free: (address: number) => void calls.push(`free(${address})`) },
    log: () => undefined,
    import(library: string, fn: string) {
      imports.push(`${library}.${fn}`);
      const target = library === 'ramfs' ? vop[fn as Vnop] : uksched[fn];
      if (!target) throw new TypeError(`undeclared call ${library}.${fn}`);
      return target;
    },
    work: NO_WORK,
  } as unknown as LibraryContext;
  const lib = create(ctx);
  const call = (fn: string, ...args: number[]): number => {
    calls.length = 0;
    return lib.exports[fn]!(...args) as number;
  };
  const path = (text: string): [number, number] => memory.put(memory.at(0), text);
  return { lib, calls, imports, call, path, scratch, memory };
}

t.test('vfscore exports exactly the functions of its descriptor, and imports only declared calls', async (t) => {
  const { lib, imports } = boot();
  t.same(Object.keys(lib.exports), Object.keys(vfscore.exports), 'same names, same order');
  const declared = Object.entries(vfscore.calls).flatMap(([library, fns]) => fns.map((fn) => `${library}.${fn}`));
  t.same(imports, [...declared.filter((c) => c.startsWith('ramfs.')), ...declared.filter((c) => c.startsWith('uksched.'))], 'each once, vnode operations first');
});

t.test('init creates the mutex, mounts ramfs, then takes the stat scratch; stop gives it back', async (t) => {
  const { lib, calls, scratch } = boot();
  lib.init?.();
  t.same(calls, ['uk_mutex_init()', 'mount()', `malloc(${STAT_BYTES})`]);
  calls.length = 0;
  lib.stop?.();
  t.same(calls, [`free(${scratch})`]);
});

t.test('every operation: one lock, its vnode calls, one unlock', async (t) => {
  const { lib, call, calls, path, memory } = boot();
  lib.init?.();
  const lock = `uk_mutex_lock(${MUTEX})`;
  const unlock = `uk_mutex_unlock(${MUTEX})`;
  const fd = call('open', ...path('/d/new'), O_CREAT | O_RDWR, 0o644);
  t.equal(fd, 3);
  t.same(calls, [lock, 'lookup(1,"d",1)', 'lookup(2,"new",0)', 'create(2,"new",420)', `open(3,${O_CREAT | O_RDWR})`, unlock]);
  t.equal(call('write', fd, memory.at(0), 10), 10);
  t.same(calls, [lock, `write(3,${memory.at(0)},10,0)`, unlock]);
  t.equal(call('fsync', fd), 0);
  t.same(calls, [lock, unlock], 'an operation that needs no vnode still takes the mutex');
  t.equal(call('fcntl', 99, 0, 0), -E.EBADF);
  t.same(calls, [lock, unlock], 'errors included');
  t.equal(call('access', ...path('/d'), X_OK), -E.EACCES, 'the fake stat has no execute bit');
  t.same(calls, [lock, 'lookup(1,"d",0)', `getattr(2,${memory.at(8192)})`, unlock]);
  t.equal(call('close', fd), 0);
  t.same(calls, [lock, 'close(3)', unlock]);
});

t.test('a lock that fails is the result, and the operation does not run', async (t) => {
  const { lib, call, calls, path } = boot({ lock: -E.EDEADLK });
  lib.init?.();
  t.equal(call('open', ...path('/d/new'), O_CREAT | O_RDWR, 0o644), -E.EDEADLK);
  t.same(calls, [`uk_mutex_lock(${MUTEX})`]);
});
