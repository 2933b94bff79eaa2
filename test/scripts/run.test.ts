// run.js from the command line: an unknown preset is refused with the list; the warm-up, one untimed
// run before the timed ones with the real client, sized by --warmup (default: --requests, at most
// 100,000), skipped with 0, refused when it is not a count; --maxmemory refused when it is not a size;
// --gate-cycles refused with the kinds of the image (a baseline's boundary only on a baseline image).

import t from 'tap';
import { findRedisBenchmark } from '../../workloads/redis/benchmark.js';
import { runScript } from '../fixtures/node-script.js';

const runJs = (args: readonly string[]) => runScript('run.js', args, 120_000);

t.test('an unknown preset exits 2 with the presets and an example; names on Object.prototype are unknown too', async (t) => {
  for (const name of ['redsi', 'constructor', '__proto__']) {
    const { code, stderr } = await runJs([name]);
    t.equal(code, 2, `${name}: exit 2`);
    t.match(stderr, new RegExp(`unknown preset "${name}"[\\s\\S]*redis-mpk2[\\s\\S]*example: node scripts/run\\.js redis-mpk2`), `${name}: the presets and an example`);
  }
});

t.test('a --warmup that is not a count is refused, naming the option', async (t) => {
  for (const bad of ['-5', 'many', '1.5']) {
    const { code, stderr } = await runJs(['redis-none', `--warmup=${bad}`]);
    t.equal(code, 2, `--warmup=${bad}: exit 2`);
    t.match(stderr, /warmup/, `--warmup=${bad}: the message names it`);
  }
});

t.test('a --maxmemory that is not a size is refused naming the valid forms, and an app without it says so', async (t) => {
  const bad = await runJs(['redis-none', '--maxmemory=lots']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--maxmemory: "lots" is not a memory size; valid: .*kb, m, mb, g or gb/);
  const other = await runJs(['sqlite-none', '--maxmemory=1mb']);
  t.equal(other.code, 2);
  t.match(other.stderr, /--maxmemory does not apply to SQLite/);
});

t.test('--gate-cycles names the kinds of the image; a baseline boundary on a FlexOS image says where it applies', async (t) => {
  const flexos = await runJs(['redis-none', '--gate-cycles', 'syscall=146']);
  t.equal(flexos.code, 2);
  t.match(flexos.stderr, /kind one of function, mpk-light, mpk-dss, ept \(syscall, ipc, cubicle and pkru-window only on a baseline image/);
  const baseline = await runJs(['redis-linux-pt2', '--gate-cycles', 'nosuch=1']);
  t.equal(baseline.code, 2);
  t.match(baseline.stderr, /kind one of function, mpk-light, mpk-dss, ept, syscall, ipc, cubicle, pkru-window and cycles >= 0/);
});

t.test('redis-benchmark: the warm-up runs untimed, sized by --warmup; 0 skips it', { skip: findRedisBenchmark() ? false : 'redis-benchmark not installed' }, async (t) => {
  const base = ['redis-none', '--requests', '4000', '--sizes', '1', '--json'];
  const sized = await runJs([...base, '--warmup', '3000']);
  t.equal(sized.code, 0, sized.stderr);
  t.match(sized.stderr, /warm-up: 3,000 GET and SET, untimed/);
  const report = JSON.parse(sized.stdout) as { runs: unknown[]; throughput_rps: { measured: number } };
  t.ok(report.throughput_rps.measured > 0, 'the timed runs reported');
  const byDefault = await runJs(base);
  t.match(byDefault.stderr, /warm-up: 4,000 GET and SET/, 'by default, as many as a timed run');
  const none = await runJs([...base, '--warmup', '0']);
  t.equal(none.code, 0);
  t.notMatch(none.stderr, /warm-up/, '--warmup 0: none');
});
