// `node scripts/loadtest-http.js --url U`: the paper's Nginx load (wrk -t 14 -c 30 -d 10s, 5 runs)
// against any HTTP server, as a table.

import { findWrk, runWrk } from '../workloads/nginx/benchmark.js';
import { numberOption, parseCommandLine, runCommand, UsageError } from './cli.js';
import { printTable } from './table.js';

const USAGE = `usage: node scripts/loadtest-http.js --url http://127.0.0.1:8080/ [--threads 14] [--connections 30] [--duration 10] [--runs 5] [--cpu <n>] [--json] [--help]

Runs wrk with keep-alive GETs (the paper's Nginx parameters by default) and prints each run.`;

async function main(): Promise<number> {
  const { values } = parseCommandLine(process.argv.slice(2), {
    url: { type: 'string' }, threads: { type: 'string' }, connections: { type: 'string' }, duration: { type: 'string' },
    runs: { type: 'string' }, cpu: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  }, USAGE);
  if (values['help']) return void process.stdout.write(USAGE + '\n'), 0;
  const url = values['url'];
  if (typeof url !== 'string' || !/^http:\/\/[^/]+/.test(url)) throw new UsageError(`--url must be an http:// URL, got ${JSON.stringify(url ?? null)}\n\n${USAGE}`);
  const version = findWrk();
  if (!version) throw new UsageError('wrk is not installed (Debian package wrk; scripts/install.sh installs it)');
  const runs = await runWrk({
    url,
    threads: numberOption(values, 'threads', 14, { min: 1, max: 256, integer: true }),
    connections: numberOption(values, 'connections', 30, { min: 1, max: 10_000, integer: true }),
    durationS: numberOption(values, 'duration', 10, { min: 1, max: 3600, integer: true }),
    runs: numberOption(values, 'runs', 5, { min: 1, max: 100, integer: true }),
    cpu: values['cpu'] === undefined ? null : numberOption(values, 'cpu', 0, { min: 0, max: 1023, integer: true }),
    onRun: (r, i, n) => process.stderr.write(`[${i}/${n}] ${Math.round(r.rps)} rps\n`),
  });
  if (values['json']) process.stdout.write(JSON.stringify({ client: version, runs }) + '\n');
  else printTable(['run', 'rps', 'p50 ms', 'p99 ms', 'requests', 'errors'], runs.map((r, i) => [i + 1, Math.round(r.rps), r.p50Ms, r.p99Ms, r.requests, r.errors]));
  return 0;
}

await runCommand(main);
