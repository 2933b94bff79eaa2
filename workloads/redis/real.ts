// Debian's redis-server beside the Redis images (scripts/bench-vs-real.ts): the same
// redis-benchmark command against each, after the same untimed warm-up.

import { spawnSync } from 'node:child_process';
import type { RealServer } from '../app.js';
import { findRedisBenchmark, runRedisBenchmark } from './benchmark.js';

export const REAL_REDIS: RealServer = {
  label: 'redis-server (Debian)',
  packages: [
    { name: 'redis-tools', installed: () => findRedisBenchmark() !== null },
    { name: 'redis-server', installed: () => spawnSync('redis-server', ['--version']).status === 0 },
  ],
  presets: ['redis-none', 'redis-mpk2', 'redis-mpk3', 'redis-ept2'],
  // lwip's compartment on the client's CPU, so that its gates cross CPUs instead of switching threads on one.
  spread: ['redis-mpk2'],
  targets: { 'redis-none': 0.5, 'redis-mpk2': 0.35 },
  command: (port) => ({ command: 'redis-server', args: ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'] }),
  async measure(port, { requests, cpu }) {
    // Untimed warm-up, the same for every server: the images' JavaScript is compiled while it runs
    // (V8's optimizing compiler and its first collections took ~20% of the CPU in the first
    // 300,000 requests); real Redis has nothing to warm but is treated alike.
    const bench = { port, requests, clients: 30, pipeline: 16, tests: ['get', 'set'] as const, cpu };
    await runRedisBenchmark({ ...bench, sizes: [3] });
    const runs = await runRedisBenchmark({ ...bench, sizes: [1, 2, 3, 4, 5] });
    return { get: runs.filter((r) => r.test === 'get').map((r) => r.rps), set: runs.filter((r) => r.test === 'set').map((r) => r.rps) };
  },
};
