// Redis as an application of the simulator: the paper's five network-server presets and 80-point
// space, redis-benchmark as its workload, PINGs and reference keys for fault injection, and
// Debian's redis-server to compare with.

import type { App } from '../app.js';
import { networkServerPresets } from '../../compartments/config/presets.js';
import { paperSpace, type NetworkServerSpace } from '../../compartments/config/space.js';
import { redis } from './exports.js';
import { driveRedis } from './drive.js';
import { RespProbe } from './probe.js';
import { REAL_REDIS } from './real.js';
import { REDIS_BOOT_FLAGS, redisMainArgsFromFlags } from './boot-settings.js';

/** The paper's Redis space, with short runs for exploration (workloads/redis/space.yaml holds the same). */
export const REDIS_SPACE: NetworkServerSpace = { app: redis.name, title: 'Redis', workload: { requests: 20000, sizes: [1] } };

export const redisApp: App = {
  name: redis.name,
  title: 'Redis',
  library: redis,
  presets: networkServerPresets(redis.name),
  space: () => paperSpace(REDIS_SPACE),
  metric: 'throughput',
  server: {
    mainArgs: [],
    bootFlags: REDIS_BOOT_FLAGS,
    mainArgsFrom: redisMainArgsFromFlags,
    servePort: 6379,
    hint: (port) => `try: redis-cli -p ${port} ping    or    redis-benchmark -p ${port} -P 16 -q`,
    drive: driveRedis,
    params: (w) => ({ requests: w.requests, sizes: w.sizes }),
    describe: (w) => `redis-benchmark -n ${w.requests} -d ${w.sizes.join(',')}`,
    // redis-benchmark runs a GET and a SET run per size; 2000 requests/s is a very slow image.
    expectedSeconds: (w) => (w.sizes.length * 2 * w.requests) / 2000,
  },
  probe: (port) => new RespProbe(port),
  real: REAL_REDIS,
};
