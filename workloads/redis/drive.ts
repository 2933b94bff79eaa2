// The paper's Redis workload against a served image: redis-benchmark -c 30 -k 1 -P 16 -t get,set,
// one run per value size, each in its own window, or the built-in generator with the same
// parameters where redis-benchmark is not installed (or run.js --builtin asks for it).

import type { DriveOptions, DriveSession, DrivenWorkload } from '../drive.js';
import type { RunningImage } from '../launch.js';
import { findRedisBenchmark, redisBenchmarkArgs, runRedisBenchmark } from './benchmark.js';
import { runRedisLoad } from '../loadgen/redis-client.js';

export async function driveRedis(image: RunningImage, options: DriveOptions, session: DriveSession): Promise<DrivenWorkload> {
  const version = options.forceBuiltin ? null : findRedisBenchmark();
  const bench = { port: image.port, requests: options.requests, clients: 30, pipeline: 16, sizes: options.sizes, tests: ['get', 'set'], cpu: options.cpu };
  const args = redisBenchmarkArgs(bench, 1).join(' ').replace(/-d \d+/, `-d {${options.sizes.join(',')}}`).replace('-t get,set', '-t {get,set}').replace(' --csv', '');
  if (!version) {
    const { client, threads } = session.builtin('redis-benchmark', `${options.sizes.length * 2} runs`);
    const runs = await runRedisLoad({ ...bench, threads, around: session.around, onRun: session.progress });
    const errors = runs.reduce((s, r) => s + r.errors, 0);
    if (errors > 0) options.say(`warning: the server answered ${errors} requests with an error reply`);
    return { client, command: `built-in ${args}`, runs, headline: 'get' };
  }
  options.say(`client: ${version}, ${session.pinned}; ${options.sizes.length * 2} runs`);
  const warmup = options.warmupRequests ?? 0;
  if (warmup > 0) {
    options.say(`  warm-up: ${warmup.toLocaleString('en-US')} GET and SET, untimed`);
    await runRedisBenchmark({ ...bench, requests: warmup, sizes: [options.sizes[0] ?? 3] });
  }
  const runs = await runRedisBenchmark({ ...bench, around: session.around, onRun: session.progress });
  return { client: version, command: `redis-benchmark ${args} --csv`, runs, headline: 'get' };
}
