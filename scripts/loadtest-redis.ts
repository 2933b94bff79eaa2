// `node scripts/loadtest-redis.js --port P`: the paper's Redis load (redis-benchmark -n 100000 -c 30
// -k 1 -P 16 -t get,set -d 1..5) against any host:port, as a table.

import { findRedisBenchmark, runRedisBenchmark } from '../workloads/redis/benchmark.js';
import { numberOption, parseCommandLine, runCommand, UsageError } from './cli.js';
import { printTable } from './table.js';

const USAGE = `usage: node scripts/loadtest-redis.js --port <n> [--host 127.0.0.1] [--requests 100000] [--sizes 1,2,3,4,5] [--cpu <n>] [--json]

Runs redis-benchmark with the paper's parameters (-c 30 -k 1 -P 16 -t get,set, one run per value
size) against any Redis server and prints the throughput and latency of each run.`;

async function main(): Promise<number> {
  const { values } = parseCommandLine(process.argv.slice(2), {
    host: { type: 'string' }, port: { type: 'string' }, requests: { type: 'string' }, sizes: { type: 'string' },
    cpu: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  }, USAGE);
  if (values['help']) return void process.stdout.write(USAGE + '\n'), 0;
  if (values['port'] === undefined) throw new UsageError(`--port is required\n\n${USAGE}`);
  const version = findRedisBenchmark();
  if (!version) throw new UsageError('redis-benchmark is not installed (Debian package redis-tools; scripts/install.sh installs it)');
  const sizes = String(values['sizes'] ?? '1,2,3,4,5').split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError(`--sizes: ${JSON.stringify(values['sizes'])} is not a comma-separated list of positive integers`);
  const cpu = values['cpu'] === undefined ? null : numberOption(values, 'cpu', 0, { min: 0, max: 1023, integer: true });
  const runs = await runRedisBenchmark({
    host: String(values['host'] ?? '127.0.0.1'),
    port: numberOption(values, 'port', 0, { min: 1, max: 65535, integer: true }),
    requests: numberOption(values, 'requests', 100_000, { min: 1, max: 1e9, integer: true }),
    clients: 30, pipeline: 16, sizes, tests: ['get', 'set'], cpu,
    onRun: (r, i, n) => process.stderr.write(`[${i}/${n}] ${r.test} -d ${r.size}: ${Math.round(r.rps)} rps\n`),
  });
  if (values['json']) process.stdout.write(JSON.stringify({ client: version, runs }) + '\n');
  else printTable(['test', 'size', 'rps', 'p50 ms', 'p99 ms'], runs.map((r) => [r.test, r.size, Math.round(r.rps), r.p50Ms, r.p99Ms]));
  return 0;
}

await runCommand(main);
