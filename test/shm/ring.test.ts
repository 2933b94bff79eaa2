// The SPSC rings in one thread (bounds, wrap-around, counter overflow, peek/consume, records, and a
// fast-check model of random writes and reads), then a byte stream across a real worker.

import t from 'tap';
import fc from 'fast-check';
import { Worker } from 'node:worker_threads';
import { ByteRing, RecordRing, RING_HEADER_BYTES, RING_WORD_HEAD, RING_WORD_TAIL } from '../../shm/ring.js';

const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (seed + i * 7) & 255);

t.test('format validates capacity, alignment and bounds; attach needs a formatted ring', async (t) => {
  const sab = new SharedArrayBuffer(4096);
  t.throws(() => ByteRing.format(sab, { offset: 0, capacity: 100 }), RangeError, 'not a power of two');
  t.throws(() => ByteRing.format(sab, { offset: 0, capacity: 1 }), RangeError, 'too small');
  t.throws(() => ByteRing.format(sab, { offset: 2, capacity: 64 }), RangeError, 'misaligned');
  t.throws(() => ByteRing.format(sab, { offset: 0, capacity: 4096 }), RangeError, 'does not fit');
  t.throws(() => ByteRing.attach(sab, { offset: 0 }), /no formatted ring/);
  t.throws(() => ByteRing.format(new ArrayBuffer(4096) as unknown as SharedArrayBuffer, { offset: 0, capacity: 64 }), TypeError);
  const ring = ByteRing.format(sab, { offset: 64, capacity: 1024 });
  t.equal(ByteRing.bytesFor(1024), RING_HEADER_BYTES + 1024);
  t.equal(ring.capacity, 1024);
  t.equal(ByteRing.attach(sab, { offset: 64 }).capacity, 1024);
  t.throws(() => RecordRing.attach(sab, { offset: 64 }), /no formatted ring/, 'a byte ring is not a record ring');
});

t.test('write accepts what fits, read returns what is there, in order, across the wrap', async (t) => {
  const sab = new SharedArrayBuffer(RING_HEADER_BYTES + 16);
  const producer = ByteRing.format(sab, { offset: 0, capacity: 16 });
  const consumer = ByteRing.attach(sab, { offset: 0 });
  t.equal(producer.write(bytes(10)), 10);
  t.equal(consumer.readable(), 10);
  t.equal(producer.writable(), 6);
  t.equal(producer.write(bytes(10, 100)), 6, 'partial write when full');
  t.equal(producer.write(bytes(1)), 0, 'nothing fits');
  const out = new Uint8Array(32);
  t.equal(consumer.read(out, 0, 4), 4);
  t.same(out.subarray(0, 4), bytes(4));
  t.equal(producer.write(bytes(8, 200), 2, 6), 4, 'write a sub-range; wraps');
  t.equal(consumer.read(out), 16);
  t.same(out.subarray(0, 16), Uint8Array.from([...bytes(10).subarray(4), ...bytes(6, 100), ...bytes(8, 200).subarray(2, 6)]));
  t.equal(consumer.read(out), 0, 'empty');
});

t.test('large copies (the set() path) wrap correctly', async (t) => {
  const sab = new SharedArrayBuffer(RING_HEADER_BYTES + 4096);
  const ring = ByteRing.format(sab, { offset: 0, capacity: 4096 });
  const src = bytes(3000, 5);
  const out = new Uint8Array(3000);
  for (let round = 0; round < 5; round++) {
    t.equal(ring.write(src), 3000);
    t.equal(ring.read(out), 3000);
    t.same(out, src, `round ${round}`);
  }
});

t.test('the u32 counters may overflow: indexes are taken mod 2^32', async (t) => {
  const sab = new SharedArrayBuffer(RING_HEADER_BYTES + 64);
  const ring = ByteRing.format(sab, { offset: 0, capacity: 64 });
  const words = new Int32Array(sab, 0, RING_HEADER_BYTES / 4);
  Atomics.store(words, RING_WORD_HEAD, -10); // 2^32 - 10: ten bytes before the wrap of the counter
  Atomics.store(words, RING_WORD_TAIL, -10);
  t.equal(ring.readable(), 0);
  t.equal(ring.write(bytes(40)), 40);
  t.equal(Atomics.load(words, RING_WORD_TAIL), 30, 'tail wrapped past 2^32');
  t.equal(ring.readable(), 40);
  t.equal(ring.writable(), 24);
  const out = new Uint8Array(40);
  t.equal(ring.read(out), 40);
  t.same(out, bytes(40));
});

t.test('peek copies without freeing; consume frees without copying', async (t) => {
  const sab = new SharedArrayBuffer(RING_HEADER_BYTES + 32);
  const ring = ByteRing.format(sab, { offset: 0, capacity: 32 });
  ring.write(bytes(20));
  const out = new Uint8Array(8);
  t.equal(ring.peek(out), 8);
  t.equal(ring.readable(), 20);
  t.same(out, bytes(8));
  t.equal(ring.consume(5), 5);
  t.equal(ring.peek(out, 0, 3), 3);
  t.same(out.subarray(0, 3), bytes(8).subarray(5));
  t.equal(ring.consume(100), 15, 'consume stops at what is readable');
  t.equal(ring.consume(1), 0);
});

t.test('fast-check: any interleaving of writes and reads delivers the written stream in order', async (t) => {
  const op = fc.oneof(
    fc.record({ write: fc.integer({ min: 0, max: 300 }) }),
    fc.record({ read: fc.integer({ min: 0, max: 300 }) }),
  );
  fc.assert(
    fc.property(fc.constantFrom(2, 16, 64, 256), fc.array(op, { maxLength: 60 }), (capacity, ops) => {
      const sab = new SharedArrayBuffer(RING_HEADER_BYTES + capacity);
      const ring = ByteRing.format(sab, { offset: 0, capacity });
      let produced = 0;
      let consumed = 0;
      for (const o of ops) {
        if ('write' in o) {
          const src = Uint8Array.from({ length: o.write }, (_, i) => (produced + i) & 255);
          const n = ring.write(src);
          if (n !== Math.min(o.write, capacity - (produced - consumed))) return false;
          produced += n;
        } else {
          const dst = new Uint8Array(o.read);
          const n = ring.read(dst);
          if (n !== Math.min(o.read, produced - consumed)) return false;
          for (let i = 0; i < n; i++) if (dst[i] !== ((consumed + i) & 255)) return false;
          consumed += n;
        }
        if (ring.readable() !== produced - consumed || ring.writable() !== capacity - (produced - consumed)) return false;
      }
      return true;
    }),
  );
  t.pass('model held');
});

t.test('RecordRing: push until full, pop in order, allocation-free out array', async (t) => {
  const sab = new SharedArrayBuffer(RecordRing.bytesFor(4) + 128);
  const producer = RecordRing.format(sab, { offset: 128, capacity: 4 });
  const consumer = RecordRing.attach(sab, { offset: 128 });
  for (let i = 0; i < 4; i++) t.ok(producer.push(i + 1, -i));
  t.notOk(producer.push(9, 9), 'full');
  const out = new Int32Array(2);
  for (let round = 0; round < 3; round++) {
    t.ok(consumer.pop(out));
    t.same([...out], [round + 1, -round]);
  }
  t.ok(producer.push(5, 50));
  t.equal(consumer.readable(), 2);
  t.ok(consumer.pop(out));
  t.same([...out], [4, -3]);
  t.ok(consumer.pop(out));
  t.same([...out], [5, 50]);
  t.notOk(consumer.pop(out), 'empty');
});

t.test('a byte stream from a worker arrives whole and in order (consumer parks on a doorbell)', async (t) => {
  const capacity = 4096;
  const total = 2 * 1024 * 1024;
  const sab = new SharedArrayBuffer(RING_HEADER_BYTES + capacity);
  const ring = ByteRing.format(sab, { offset: 0, capacity });
  const bells = new SharedArrayBuffer(8);
  const bell = new Int32Array(bells);
  const worker = new Worker(new URL('../fixtures/ring-producer.js', import.meta.url), {
    workerData: { sab, offset: 0, bells, total },
  });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const out = new Uint8Array(3001);
  let consumed = 0;
  let wrong = -1;
  while (consumed < total) {
    const seen = Atomics.load(bell, 0);
    const n = ring.read(out);
    for (let i = 0; i < n && wrong < 0; i++) if (out[i] !== (((consumed + i) * 13 + 7) & 255)) wrong = consumed + i;
    consumed += n;
    if (n > 0) {
      Atomics.add(bell, 1, 1);
      Atomics.notify(bell, 1);
    } else {
      Atomics.wait(bell, 0, seen, 5000);
    }
  }
  t.equal(wrong, -1, 'every byte matches the pattern');
  t.equal(consumed, total);
  t.equal(await exited, 0);
  t.equal(ring.readable(), 0, 'nothing extra');
});
