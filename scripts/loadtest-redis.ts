// `node scripts/loadtest-redis.js --port P`: the paper's Redis load (redis-benchmark -n 100000 -c 30
// -k 1 -P 16 -t get,set -d 1..5) against any host:port, as a table. `--workload mixed` runs the built-in
// generator's mixed workload instead; `--vs-real` runs it on an image and on Debian's redis-server.

import { spawn } from 'node:child_process';
import { findRedisBenchmark, runRedisBenchmark } from '../workloads/redis/benchmark.js';
import { runRedisLoad, type RedisLoadRun } from '../workloads/loadgen/redis-client.js';
import { MIX } from '../workloads/loadgen/redis-mix.js';
import { REAL_REDIS } from '../workloads/redis/real.js';
import { isPreset, loadPreset } from '../workloads/presets.js';
import { appNamed, libraryRegistry } from '../workloads/registry.js';
import { appOf, launch } from '../workloads/launch.js';
import { numberOption, parseCommandLine, runCommand, UsageError } from './cli.js';
import { printTable } from './table.js';
import { freePort, waitForListening } from './ports.js';

const WORKLOADS = ['paper', 'mixed'] as const;

const USAGE = `usage: node scripts/loadtest-redis.js --port <n> [--host 127.0.0.1] [--workload paper|mixed] [--requests 100000] [--sizes 1,2,3,4,5] [--cpu <n>] [--json] [--help]
       node scripts/loadtest-redis.js --vs-real [--preset redis-none] [--workload mixed] [--requests 100000] [--sizes 3] [--json]

--workload paper (the default) runs redis-benchmark with the paper's parameters (-c 30 -k 1 -P 16
-t get,set, one run per value size) and prints the throughput and latency of each run.
--workload mixed runs the built-in generator with the same connections and pipeline, sending a
seeded mix per command of ${MIX.map(([name, share]) => `${name} ${Math.round(share * 100)}%`).join(', ')}
(a transaction is MULTI, INCR, LPUSH, EXEC: four requests), values of --sizes bytes.
--vs-real starts Debian's redis-server (as scripts/bench-vs-real.js does) and the --preset image on
free loopback ports, runs the workload against each in turn and prints both.`;

interface Target {
  readonly server: string;
  readonly host: string;
  readonly port: number;
}

async function runWorkload(workload: string, target: Target, o: { requests: number; sizes: number[]; cpu: number | null }): Promise<RedisLoadRun[] | Awaited<ReturnType<typeof runRedisBenchmark>>> {
  const say = (r: { test: string; size: number; rps: number }, i: number, n: number): void =>
    void process.stderr.write(`[${target.server} ${i}/${n}] ${r.test} -d ${r.size}: ${Math.round(r.rps)} rps\n`);
  const common = { host: target.host, port: target.port, requests: o.requests, clients: 30, pipeline: 16, sizes: o.sizes, cpu: o.cpu, onRun: say };
  if (workload === 'mixed') return runRedisLoad({ ...common, tests: ['mixed'] });
  if (!findRedisBenchmark()) throw new UsageError('redis-benchmark is not installed (Debian package redis-tools; scripts/install.sh installs it)');
  return runRedisBenchmark({ ...common, tests: ['get', 'set'] });
}

/** The real server from workloads/redis/real.ts on a free port, for the length of `body`. */
async function withRealRedis<T>(body: (port: number) => Promise<T>): Promise<T> {
  const port = await freePort();
  const { command, args } = REAL_REDIS.command(port, '/tmp');
  const child = spawn(command, [...args], { stdio: 'ignore' });
  try {
    await waitForListening(port, child).catch((error: Error) => {
      throw new UsageError(`${command} did not start (is the Debian package redis-server installed?): ${error.message}`);
    });
    return await body(port);
  } finally {
    child.kill('SIGTERM');
  }
}

async function main(): Promise<number> {
  const { values } = parseCommandLine(process.argv.slice(2), {
    host: { type: 'string' }, port: { type: 'string' }, requests: { type: 'string' }, sizes: { type: 'string' },
    cpu: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    workload: { type: 'string' }, 'vs-real': { type: 'boolean' }, preset: { type: 'string' },
  }, USAGE);
  if (values['help']) return void process.stdout.write(USAGE + '\n'), 0;
  const vsReal = values['vs-real'] === true;
  const workload = String(values['workload'] ?? (vsReal ? 'mixed' : 'paper'));
  if (!(WORKLOADS as readonly string[]).includes(workload)) throw new UsageError(`--workload: ${JSON.stringify(workload)} is not one of ${WORKLOADS.join(', ')}\n\n${USAGE}`);
  if (!vsReal && values['port'] === undefined) throw new UsageError(`--port is required\n\n${USAGE}`);
  if (vsReal && (values['port'] !== undefined || values['host'] !== undefined)) throw new UsageError('--vs-real starts both servers on free loopback ports: drop --host and --port');
  if (!vsReal && values['preset'] !== undefined) throw new UsageError('--preset names the image --vs-real starts: give --vs-real too');
  const preset = String(values['preset'] ?? 'redis-none');
  // Checked before the real server's run, so that a typo does not cost a whole run first.
  if (vsReal && !(isPreset(preset) && appOf(loadPreset(preset, { registry: libraryRegistry })) === appNamed('redis'))) {
    throw new UsageError(`--preset: ${JSON.stringify(preset)} is not a Redis preset (e.g. redis-none, redis-mpk2; node scripts/run.js --list)`);
  }
  const sizes = String(values['sizes'] ?? (vsReal ? '3' : '1,2,3,4,5')).split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError(`--sizes: ${JSON.stringify(values['sizes'])} is not a comma-separated list of positive integers`);
  const cpu = values['cpu'] === undefined ? null : numberOption(values, 'cpu', 0, { min: 0, max: 1023, integer: true });
  const o = { requests: numberOption(values, 'requests', 100_000, { min: 1, max: 1e9, integer: true }), sizes, cpu };

  const results: { server: string; runs: (RedisLoadRun | Awaited<ReturnType<typeof runRedisBenchmark>>[number])[] }[] = [];
  if (vsReal) {
    results.push({ server: REAL_REDIS.label, runs: await withRealRedis((port) => runWorkload(workload, { server: 'redis-server', host: '127.0.0.1', port }, o)) });
    const image = await launch(loadPreset(preset, { registry: libraryRegistry }), { registry: libraryRegistry, port: 0 });
    try {
      results.push({ server: preset, runs: await runWorkload(workload, { server: preset, host: '127.0.0.1', port: image.port }, o) });
    } finally {
      await image.stop();
    }
  } else {
    const target = { server: 'server', host: String(values['host'] ?? '127.0.0.1'), port: numberOption(values, 'port', 0, { min: 1, max: 65535, integer: true }) };
    results.push({ server: `${target.host}:${target.port}`, runs: await runWorkload(workload, target, o) });
  }
  if (values['json']) {
    process.stdout.write(JSON.stringify({ client: workload === 'mixed' ? 'built-in generator' : findRedisBenchmark(), workload, results }) + '\n');
    return 0;
  }
  const errors = (r: object): number | string => ('errors' in r ? (r as RedisLoadRun).errors : '');
  printTable(['server', 'test', 'size', 'rps', 'p50 ms', 'p99 ms', 'errors'], results.flatMap(({ server, runs }) =>
    runs.map((r) => [server, r.test, r.size, Math.round(r.rps), r.p50Ms, r.p99Ms, errors(r)])));
  return 0;
}

await runCommand(main);
