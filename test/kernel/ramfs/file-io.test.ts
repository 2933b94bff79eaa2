// ramfs's data operations alone, over a fake memory and a heap of a few blocks: bytes round-trip
// across block boundaries, reads stop at the end, offsets and lengths are checked first, a caller
// buffer ramfs cannot reach is -EFAULT, a full heap is a short write then -ENOSPC, truncate frees.

import t from 'tap';
import { BLOCK_BYTES, MAX_FILE_BYTES } from '../../../kernel/ramfs/blocks.js';
import { CallerMemory } from '../../../kernel/ramfs/caller-memory.js';
import { FileIo } from '../../../kernel/ramfs/file-io.js';
import { VnodeTable } from '../../../kernel/ramfs/vnode.js';
import { ERRNO } from '../../../kernel/newlib/errno.js';
import { ramfsWorld } from '../../fixtures/fs/fakes.js';

const E = ERRNO;
const UNMAPPED = 8;
const pattern = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (seed + i * 7) & 255);

function files(blocks = 16) {
  const world = ramfsWorld({ blocks });
  const vnodes = new VnodeTable({ store: world, clock: world.clock.read });
  const io = new FileIo({ vnodes, caller: new CallerMemory(world.memory) });
  const file = vnodes.newFile(0o644);
  const buffer = world.memory.at(0);
  return { ...world, vnodes, io, ino: file.ino, buffer };
}

t.test('write then read moves the exact bytes across a block boundary', async (t) => {
  const { io, ino, memory, buffer } = files();
  const data = pattern(6000);
  memory.put(buffer, data);
  t.equal(io.write(ino, buffer, 6000, 100), 6000);
  t.equal(io.size(ino), 6100);
  memory.view(buffer, 8000).fill(0xee);
  t.equal(io.read(ino, buffer, 8000, 0), 6100, 'a read stops at the end of the file');
  t.same(memory.readBytes(buffer, 100), new Uint8Array(100), 'the unwritten head reads as zeros');
  t.same(memory.readBytes(buffer + 100, 6000), data);
  t.equal(memory.bytes[6100], 0xee, 'nothing written past what was read');
  t.equal(io.read(ino, buffer, 10, 6100), 0, 'at the end: 0');
  t.equal(io.read(ino, buffer, 10, 9999), 0, 'past the end: 0');
});

t.test('a write changes the file times; an empty one changes nothing', async (t) => {
  const { io, ino, vnodes, clock, buffer } = files();
  clock.now = 4000;
  t.equal(io.write(ino, buffer, 0, 0), 0);
  t.equal(vnodes.get(ino)?.mtimeMs, 1_000_000);
  t.equal(io.write(ino, buffer, 1, 0), 1);
  t.equal(vnodes.get(ino)?.mtimeMs, 4000);
});

t.test('bad offsets, lengths, inodes and buffers are refused before any byte moves', async (t) => {
  const { io, ino, vnodes, heap, buffer } = files();
  const dir = vnodes.newDir(1, 0o755).ino;
  for (const [what, rc, want] of [
    ['read of a negative length', io.read(ino, buffer, -1, 0), -E.EINVAL],
    ['read at a fractional offset', io.read(ino, buffer, 1, 0.5), -E.EINVAL],
    ['write at a negative offset', io.write(ino, buffer, 1, -1), -E.EINVAL],
    ['write past the largest file', io.write(ino, buffer, 2, MAX_FILE_BYTES - 1), -E.EFBIG],
    ['write from a buffer ramfs cannot read', io.write(ino, UNMAPPED, 4, 0), -E.EFAULT],
    ['write to a directory', io.write(dir, buffer, 1, 0), -E.EISDIR],
    ['read of an unknown inode', io.read(99, buffer, 1, 0), -E.EBADF],
    ['truncate to a negative length', io.truncate(ino, -1), -E.EINVAL],
    ['truncate past the largest file', io.truncate(ino, MAX_FILE_BYTES + 1), -E.EFBIG],
    ['size of a directory', io.size(dir), -E.EISDIR],
  ] as const) {
    t.equal(rc, want, what);
  }
  t.equal(heap.live, 0, 'no block was allocated');
  io.write(ino, buffer, 10, 0);
  t.equal(io.read(ino, UNMAPPED, 10, 0), -E.EFAULT, 'read into a buffer ramfs cannot write');
});

t.test('a full heap gives a short write, then -ENOSPC', async (t) => {
  const { io, ino, heap, buffer } = files(2);
  t.equal(io.write(ino, buffer, 3 * BLOCK_BYTES, 0), 2 * BLOCK_BYTES, "three blocks asked, two fit");
  t.equal(io.write(ino, buffer, 100, 2 * BLOCK_BYTES), -E.ENOSPC);
  t.equal(io.size(ino), 2 * BLOCK_BYTES, 'the file holds what was written');
  t.equal(heap.live, 2);
});

t.test('truncate frees whole blocks past the end and zeroes the rest of the last one', async (t) => {
  const { io, ino, heap, memory, buffer } = files();
  memory.put(buffer, pattern(3 * BLOCK_BYTES));
  io.write(ino, buffer, 3 * BLOCK_BYTES, 0);
  t.equal(heap.live, 3);
  t.equal(io.truncate(ino, BLOCK_BYTES + 10), 0);
  t.equal(heap.live, 2);
  t.equal(io.size(ino), BLOCK_BYTES + 10);
  t.equal(io.truncate(ino, 2 * BLOCK_BYTES), 0, 'growing again');
  t.equal(io.read(ino, buffer, 100, BLOCK_BYTES), 100);
  t.same(memory.readBytes(buffer, 100), Uint8Array.from([...pattern(3 * BLOCK_BYTES).subarray(BLOCK_BYTES, BLOCK_BYTES + 10), ...new Uint8Array(90)]), 'the cut bytes read as zeros');
});
