// One load-generator client thread of the piscina pool (see pool.ts). It pins itself to the client
// CPU once, at start-up, so the client never competes with the image's compartments; then each task
// is one share of a run's connections, driven on this thread's event loop.

import { workerData } from 'node:worker_threads';
import { pinCurrentThread } from '../../compartments/runtime/pinning.js';
import { driveHttpShare, type HttpShare } from './http-client.js';
import { driveRedisShare, type RedisShare } from './redis-client.js';
import { StartBarrier, type ShareResult, type StartSignal } from './pool.js';

const cpu = (workerData as { cpu: number | null } | undefined)?.cpu ?? null;
const pinned = cpu !== null && pinCurrentThread(cpu);

/** The start-up handshake: one task per thread, held at a barrier so that no thread takes two. */
export async function ready(signal: StartSignal): Promise<boolean> {
  await new StartBarrier(signal.parties, signal.start).arrive(true);
  return pinned;
}

export function redis(share: RedisShare & StartSignal): Promise<ShareResult> {
  return driveRedisShare(share, new StartBarrier(share.parties, share.start));
}

export function http(share: HttpShare & StartSignal): Promise<ShareResult> {
  return driveHttpShare(share, new StartBarrier(share.parties, share.start));
}
