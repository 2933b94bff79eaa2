// ramfs assembled from its parts, over a fake library context (memory, a block heap, no initrd
// device): it exports exactly its descriptor's vnode operations, they work on one tree, and stop
// gives every block back.

import { NO_WORK } from '../../../kernel/abi/work.js';
import t from 'tap';
import type { LibraryContext } from '../../../kernel/abi/context.js';
import { ramfs } from '../../../kernel/ramfs/exports.js';
import { ROOT_INO, create } from '../../../kernel/ramfs/ramfs.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { O_RDONLY, O_RDWR, STAT_BYTES, decodeStat } from '../../../kernel/vfscore/flags.js';
import { ramfsWorld } from '../../fixtures/fs/fakes.js';

function boot() {
  const { memory, heap } = ramfsWorld();
  const ctx = {
    memory,
    heap,
    compartment: { name: 'comp1', index: 0 },
    device(name: string): SharedArrayBuffer {
      throw new TypeError(`no device ${name}`);
    },
    work: NO_WORK,
  } as unknown as LibraryContext;
  const lib = create(ctx);
  lib.init?.();
  const call = (fn: string, ...args: number[]): number => lib.exports[fn]!(...args) as number;
  const name = (text: string): [number, number] => memory.put(memory.at(0), text);
  return { lib, call, name, memory, heap };
}

t.test('ramfs exports exactly the vnode operations of its descriptor', async (t) => {
  const { lib } = boot();
  t.same(Object.keys(lib.exports), Object.keys(ramfs.exports), 'same names, same order');
  t.same(ramfs.calls, {}, 'and calls no other library');
});

t.test('the exported operations share one tree; stop frees every block', async (t) => {
  const { lib, call, name, memory, heap } = boot();
  t.equal(call('mount'), ROOT_INO);
  const dir = call('mkdir', ROOT_INO, ...name('etc'), 0o755);
  const ino = call('create', dir, ...name('motd'), 0o644);
  t.equal(call('lookup', ROOT_INO, ...name('etc'), 1), dir);
  t.equal(call('lookup', dir, ...name('motd'), 0), ino);
  t.equal(call('open', ino, O_RDWR), 0);
  const [buffer, length] = memory.put(memory.at(1024), 'x'.repeat(5000));
  t.equal(call('write', ino, buffer, length, 0), 5000);
  t.equal(call('size', ino), 5000);
  t.equal(call('read', ino, memory.at(8192), 10, 4995), 5);
  const st = memory.at(16384);
  t.equal(call('getattr', ino, st), 0);
  t.equal(decodeStat(memory.readBytes(st, STAT_BYTES)).size, 5000);
  t.equal(call('readdir', dir, 2, memory.at(8192), 255), 4);
  t.equal(memory.readString(memory.at(8192), 4), 'motd');
  t.equal(call('truncate', ino, 10), 0);
  t.equal(call('rename', dir, ...name('motd'), ROOT_INO, ...memory.put(memory.at(512), 'motd')), 0);
  t.equal(call('close', ino), 0);
  t.equal(call('open', dir, O_RDONLY), 1);
  t.equal(call('remove', dir, ...name('motd')), -ERRNO.ENOENT, 'it moved');
  t.equal(call('rmdir', ROOT_INO, ...name('etc')), 0);
  t.equal(heap.live, 1, 'the moved file still holds its block');
  lib.stop?.();
  t.equal(heap.live, 0);
});
