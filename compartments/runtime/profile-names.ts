// Names for profiling: under `scripts/profile.js` (FLEXOS_PROFILE_DIR set), every cross-library
// call site gets a function named after its target (`gate:lwip.recv`, `call:newlib.memcpy`) and each
// compartment records which thread it runs on, so a per-thread .cpuprofile can be told apart.

import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';

/** Where scripts/profile.js collects profiles; unset outside profiling runs. */
export const PROFILE_DIR = process.env['FLEXOS_PROFILE_DIR'] ?? '';

/** The map file: one JSON line per compartment thread, {pid, threadId, compartment}. */
export const THREAD_MAP_FILE = 'threads.jsonl';

/**
 * `fn` under a name the V8 profiler shows. Setting `name` does not reach the profile (it reads the
 * compiled function's own name), so a function with a literal property key is compiled per label.
 * Only when profiling: elsewhere `fn` is returned as is.
 */
export function nameForProfile<F extends (...args: number[]) => number>(label: string, fn: F): F {
  if (!PROFILE_DIR) return fn;
  const key = JSON.stringify(label);
  return new Function('fn', `return { ${key}: function (...args) { return fn(...args); } }[${key}];`)(fn) as F;
}

/** Records that this thread runs `compartment` (appends are atomic for one short line). */
export function recordProfiledThread(compartment: string): void {
  if (!PROFILE_DIR) return;
  appendFileSync(join(PROFILE_DIR, THREAD_MAP_FILE), JSON.stringify({ pid: process.pid, threadId, compartment }) + '\n');
}
