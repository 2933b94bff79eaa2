// The VFS's clock and entropy (os_unix.c: unixCurrentTime[Int64](), unixRandomness()): the time is
// uktime's, read through the image as gettimeofday is on FlexOS; the randomness is the engine's own.

import type { ImportedFunction } from '../../kernel/abi/context.js';
import type { EngineCapi, WasmHeap } from './engine.js';

/** The Julian day number of the Unix epoch, and the same in milliseconds (sqlite3.c: unixepoch). */
const UNIX_EPOCH_JD = 2440587.5;
const UNIX_EPOCH_JD_MS = 210866760000000n;
const DAY_MS = 864e5;

/** Milliseconds since the epoch as a Julian day number (xCurrentTime's double). */
export const julianDay = (ms: number): number => UNIX_EPOCH_JD + ms / DAY_MS;
/** Milliseconds since the epoch as Julian milliseconds (xCurrentTimeInt64's integer). */
export const julianDayMs = (ms: number): bigint => UNIX_EPOCH_JD_MS + BigInt(ms);

export interface CurrentTimeOptions {
  /** uktime's uk_time_now_ms. */
  readonly nowMs: ImportedFunction;
  readonly wasm: Pick<WasmHeap, 'poke' | 'poke64'>;
}

/** xCurrentTime and xCurrentTimeInt64: the time now, written where SQLite asks. */
export function currentTimeMethods(options: CurrentTimeOptions) {
  const { nowMs, wasm } = options;
  return {
    xCurrentTime: (_pVfs: number, pOut: number): number => {
      wasm.poke(pOut, julianDay(nowMs()), 'double');
      return 0; // SQLITE_OK
    },
    xCurrentTimeInt64: (_pVfs: number, pOut: number): number => {
      wasm.poke64(pOut, julianDayMs(nowMs()));
      return 0; // SQLITE_OK
    },
  };
}

/** The xRandomness of the engine's default VFS: SQLite seeds its PRNG from it; the library OS has no entropy of its own to add. */
export function engineRandomness(capi: Pick<EngineCapi, 'sqlite3_vfs' | 'sqlite3_vfs_find'>): number {
  const fallback = new capi.sqlite3_vfs(capi.sqlite3_vfs_find(null));
  const xRandomness = fallback.$xRandomness;
  fallback.dispose();
  return xRandomness;
}
