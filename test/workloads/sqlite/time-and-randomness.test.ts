// The VFS's clock and entropy alone: uktime's milliseconds become SQLite's Julian day (double) and
// Julian milliseconds (integer), read once per call; the randomness is the engine's default VFS's.

import t from 'tap';
import { currentTimeMethods, engineRandomness, julianDay, julianDayMs } from '../../../workloads/sqlite/time-and-randomness.js';
import { FakeWasm } from './fakes.js';

t.test('the Unix epoch is Julian day 2440587.5; one day is 1.0', async (t) => {
  t.equal(julianDay(0), 2440587.5);
  t.equal(julianDay(864e5), 2440588.5);
  t.equal(julianDayMs(0), 210866760000000n);
  t.equal(julianDayMs(1700000000000), 210866760000000n + 1700000000000n);
});

t.test('xCurrentTime and xCurrentTimeInt64 read uktime once each and write where SQLite asks', async (t) => {
  const wasm = new FakeWasm();
  let reads = 0;
  const m = currentTimeMethods({ nowMs: () => (reads++, 1700000000000), wasm });
  const pDouble = wasm.alloc(8);
  const pInt = wasm.alloc(8);
  t.equal(m.xCurrentTime(0, pDouble), 0);
  t.equal(m.xCurrentTimeInt64(0, pInt), 0);
  t.equal(wasm.peekDouble(pDouble), julianDay(1700000000000));
  t.equal(wasm.peek64(pInt), julianDayMs(1700000000000));
  t.equal(reads, 2);
});

t.test('the randomness is the default VFS\'s xRandomness, its wrapper disposed', async (t) => {
  const found: (string | null)[] = [];
  let disposed = 0;
  class Vfs {
    pointer: number;
    $iVersion = 0;
    $szOsFile = 0;
    $mxPathname = 0;
    $xRandomness: number;
    constructor(pointer = 0) {
      this.pointer = pointer;
      this.$xRandomness = pointer === 0x100 ? 77 : 0;
    }
    dispose(): void {
      disposed++;
    }
  }
  const capi = { sqlite3_vfs: Vfs, sqlite3_vfs_find: (name: string | null) => (found.push(name), 0x100) };
  t.equal(engineRandomness(capi), 77);
  t.same(found, [null], 'the default VFS');
  t.equal(disposed, 1);
});
