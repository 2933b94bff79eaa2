// `scripts/abuse.js`: its help, its refusal of bad options, and a short run of every attack on
// nginx-none: a table with one row per attack, each ok, what the attackers' sockets read, the
// images' log on stderr, exit 0; --json; real-redis through the same attacks, and a real server
// skipped when its binary is absent.

import t from 'tap';
import { runScript } from '../fixtures/node-script.js';
import { haveRedisServer } from './explore-redis.js';

const ATTACKS = ['pipeline', 'slow-reader', 'oversized', 'malformed', 'idle-conns', 'past-limit', 'reset', 'half-closed'];

t.test('--help describes every attack and the options, exit 0', async (t) => {
  const { code, stdout } = await runScript('abuse.js', ['--help']);
  t.equal(code, 0);
  t.match(stdout, /^usage: node scripts\/abuse\.js/);
  for (const option of ['--presets', '--seconds', '--json']) t.match(stdout, option);
  for (const attack of ATTACKS) t.match(stdout, new RegExp(`^  ${attack} `, 'm'), attack);
});

t.test('bad options are refused naming what is valid, exit 2', async (t) => {
  const unknown = await runScript('abuse.js', ['--presets', 'nginx-nope']);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /--presets: unknown preset "nginx-nope"/);
  const local = await runScript('abuse.js', ['--presets', 'sqlite-none']);
  t.equal(local.code, 2);
  t.match(local.stderr, /sqlite-none runs sqlite; abuse.js attacks redis-\* and nginx-\* presets/);
  const seconds = await runScript('abuse.js', ['--seconds', '0']);
  t.equal(seconds.code, 2);
  t.match(seconds.stderr, /--seconds: "0" is not valid; expected a number from 0.2 to 600/);
  const none = await runScript('abuse.js', ['--presets', ',']);
  t.equal(none.code, 2, 'a --presets naming none does not pass vacuously');
  t.match(none.stderr, /--presets: "," names no preset/);
});

t.test('a short run on nginx-none: a row per attack, all ok, exit 0', async (t) => {
  const { code, stdout, stderr } = await runScript('abuse.js', ['--presets', 'nginx-none', '--seconds', '0.5']);
  const lines = stdout.split('\n');
  t.match(lines[0] ?? '', /^preset +attack +up +served +worst ms +attacker got +attack did +peak mem MiB +peak js MiB +bound MiB +intact +result$/);
  for (const attack of ATTACKS) {
    const row = lines.find((l) => l.startsWith('nginx-none') && l.split(/ {2,}/)[1] === attack);
    t.ok(row, `a row for ${attack}`);
    t.match(row ?? '', / ok$/, `${attack} is ok`);
  }
  t.match(stdout, /8\/8 past the limit refused/, 'connections past worker_connections were refused');
  // The attacker got column is what the hostile sockets read: the status line, then nginx's close.
  const got = (attack: string): string => (lines.find((l) => l.split(/ {2,}/)[1] === attack) ?? '').split(/ {2,}/)[5] ?? '';
  t.match(got('oversized'), /^HTTP\/1\.1 414 Request-URI Too Large, closed after \d+ B \(1\) \| HTTP\/1\.1 413 Request Entity Too Large, closed after \d+ B \(1\)$/);
  t.match(got('malformed'), /^HTTP\/1\.1 400 Bad Request, closed after \d+ B \(4\)$/);
  t.match(got('past-limit'), /nothing, open \(118\) \| nothing, closed after 0 B \(8\)/, 'refused: closed before a byte');
  t.match(got('idle-conns'), /^nothing, open \(100\)$/);
  // Resets mid-reply: the attackers had replies coming when they sent their RST, and the image
  // served the well-behaved client throughout (the row's ok).
  t.match(got('reset'), /^HTTP\/1\.1 200 OK, reset by the attacker after \d+ KiB(-\d+ KiB)? \(\d+\)$/);
  const resets = Number(/(\d+) connections reset mid-reply/.exec(stdout)?.[1] ?? 0);
  t.ok(resets >= 4, `every reset client reset at least once (${resets})`);
  t.match(stdout, /all 1 presets stayed up, bounded and intact/);
  t.notMatch(stdout, /\[alert\]/, "the image's log stays off stdout");
  t.match(stderr, /\[alert\] 1#0: 120 worker_connections are not enough/, '... and goes to stderr');
  t.equal(code, 0);
});

t.test('--json: one object with a result per attack', async (t) => {
  const { code, stdout } = await runScript('abuse.js', ['--presets', 'nginx-none', '--seconds', '0.3', '--json']);
  t.equal(code, 0);
  const report = JSON.parse(stdout) as { failed: string[]; results: { attack: string; ok: boolean; up: boolean; bound: number; peakMem: number; attacker: string }[] };
  t.same(report.failed, []);
  t.same(report.results.map((r) => r.attack), ATTACKS);
  for (const r of report.results) t.ok(r.up && r.peakMem <= r.bound, `${r.attack}: up, within its bound`);
  t.match(report.results.find((r) => r.attack === 'half-closed')?.attacker, /^HTTP\/1\.1 200 OK, closed after \d+ B \(20\)$/, 'what the attacker got, in the JSON too');
});

const noRedis = (await haveRedisServer()) ? false : 'redis-server is not installed (scripts/install.sh installs it)';

t.test('--presets real-redis: Debian redis-server through the same attacks, its memory as RSS growth', { skip: noRedis }, async (t) => {
  const { code, stdout } = await runScript('abuse.js', ['--presets', 'real-redis', '--seconds', '0.3']);
  const rows = stdout.split('\n').filter((l) => l.startsWith('real-redis')).map((l) => l.split(/ {2,}/));
  // No past-limit: Redis has no connection limit below the attack's.
  t.same(rows.map((r) => r[1]), ATTACKS.filter((a) => a !== 'past-limit'));
  for (const r of rows) {
    t.equal(r[2], 'yes', `${r[1]}: up`);
    t.match(r[7], /^\d+\.\d\d rss$/, `${r[1]}: the memory column is the process's RSS growth`);
    t.equal(r[9], '-', `${r[1]}: no bound of the images' limits`);
    t.equal(r[11], 'ok', `${r[1]}: served and intact`);
  }
  t.match(rows.find((r) => r[1] === 'oversized')?.[5], /^-ERR Protocol error: invalid bulk length, closed after 42 B \(1\)/, 'the real server refuses the 600 MB claim as the image does');
  t.match(rows.find((r) => r[1] === 'reset')?.[5], /^\$65536, reset by the attacker after/);
  t.equal(code, 0);
});

t.test('a real server whose binary is absent is skipped with a line saying so', async (t) => {
  const path = process.env['PATH'];
  process.env['PATH'] = '/nonexistent';
  try {
    const { code, stdout, stderr } = await runScript('abuse.js', ['--presets', 'real-redis,real-nginx', '--seconds', '0.2']);
    t.match(stdout, /^real-redis: skipped, redis-server is not installed/m);
    t.match(stdout, /^real-nginx: skipped, nginx is not installed/m);
    t.match(stderr, /real-redis: skipped/);
    t.match(stdout, /all 0 presets stayed up/);
    t.equal(code, 0);
  } finally {
    process.env['PATH'] = path;
  }
});
