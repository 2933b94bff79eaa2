// A real system call round trip on this machine, timed in C (syscall(SYS_getpid) in a loop, best of
// several rounds), printed beside the modelled Linux figure so the reader sees Fig. 11's 470/146
// cycles next to what this kernel costs today. It is shown, never used to price anything.

import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { buildCKernels, defaultCacheDir, hostClock, machineOf } from '../model/calibration.js';

export interface SyscallMeasurement {
  /** Best round's mean ns per round trip. */
  readonly ns: number;
  readonly hostGhz: number;
  readonly hostCycles: number;
  readonly calls: number;
  readonly rounds: number;
  readonly cpu: string;
}

const SOURCE = `#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
int main(int argc, char **argv) {
  long calls = argc > 1 ? atol(argv[1]) : 200000, rounds = argc > 2 ? atol(argv[2]) : 7;
  double best = 1e30; long sink = 0;
  for (long r = 0; r < rounds; r++) {
    double t0 = now();
    for (long i = 0; i < calls; i++) sink += syscall(SYS_getpid);
    double ns = (now() - t0) / calls;
    if (ns < best) best = ns;
  }
  printf("%.3f %ld\\n", best, sink & 1);
  return 0;
}
`;

let last: SyscallMeasurement | undefined;

/** The last measurement this process made, if any. */
export function lastSyscallMeasurement(): SyscallMeasurement | undefined {
  return last;
}

/** Times `calls` getpid round trips `rounds` times (about 0.2 s); a string says why it could not. */
export function measureSyscall(options: { readonly calls?: number; readonly rounds?: number; readonly cacheDir?: string } = {}): SyscallMeasurement | string {
  const calls = options.calls ?? 200_000;
  const rounds = options.rounds ?? 7;
  if (!Number.isInteger(calls) || calls < 1) throw new RangeError(`measureSyscall: calls must be a positive integer (got ${calls})`);
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`measureSyscall: rounds must be a positive integer (got ${rounds})`);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  mkdirSync(cacheDir, { recursive: true });
  const binary = buildCKernels(cacheDir, { compiler: 'gcc', source: SOURCE, prefix: 'syscall' });
  if (binary.error !== undefined) return binary.error;
  const ran = spawnSync(binary.path, [String(calls), String(rounds)], { encoding: 'utf8', timeout: 60_000 });
  const ns = Number(ran.stdout?.split(' ')[0]);
  if (ran.status !== 0 || !(ns > 0)) return `the system call timer failed (${ran.error ? String(ran.error) : `exit ${ran.status ?? ran.signal}`})`;
  const hostGhz = hostClock().ghz ?? 0;
  last = { ns, hostGhz, hostCycles: ns * hostGhz, calls, rounds, cpu: machineOf('gcc').cpuModel };
  return last;
}
