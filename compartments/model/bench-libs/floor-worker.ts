// One side of the floor measurement: a raw Atomics ping-pong between two spinning threads pinned to
// different cores, with no gate protocol around it. Word PING is written by side 0, PONG by side 1,
// on separate cache lines; side 0 times each round trip.

import { workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { pinCurrentThread } from '../../runtime/pinning.js';

export interface FloorWorkerData {
  readonly side: 0 | 1;
  readonly cpu: number | null;
  readonly words: SharedArrayBuffer;
  readonly samples: SharedArrayBuffer;
  readonly rounds: number;
}

const PING = 0;
const PONG = 16;
const READY = 32;

const data = workerData as FloorWorkerData;
const words = new Int32Array(data.words);
if (data.cpu !== null) pinCurrentThread(data.cpu);
Atomics.add(words, READY, 1);
while (Atomics.load(words, READY) < 2);

if (data.side === 0) {
  const samples = new Float64Array(data.samples);
  let before = performance.now();
  for (let r = 1; r <= data.rounds; r++) {
    Atomics.store(words, PING, r);
    while (Atomics.load(words, PONG) !== r);
    const now = performance.now();
    samples[r - 1] = (now - before) * 1e6;
    before = now;
  }
} else {
  for (let r = 1; r <= data.rounds; r++) {
    while (Atomics.load(words, PING) !== r);
    Atomics.store(words, PONG, r);
  }
}
