// `scripts/profile.js` end to end: a short real Redis run under --cpu-prof gives a speedscope file with
// one profile per compartment and one for the host, gate frames named by target, a .cpuprofile per
// thread, and an index page whose viewer (speedscope, copied beside it) loads the profiles offline.
// Without exactly one preset it exits 2 with the usage.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScript } from '../fixtures/node-script.js';
import type { SpeedscopeFile } from '../../scripts/speedscope.js';

const CHROMIUM = ['chromium', 'chromium-browser'].find((name) => spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0);
// A network namespace of its own (root, Linux) is the network really off; else no host resolves.
const UNSHARE = spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' }).status === 0;

/** The DOM of a page once its scripts ran, in headless Chromium with no network. */
function dumpDom(url: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'flexos-chromium-'));
  const flags = ['--headless=new', '--no-sandbox', '--disable-gpu', `--user-data-dir=${dir}`, '--no-first-run', '--disable-background-networking', '--host-resolver-rules=MAP * ~NOTFOUND', '--virtual-time-budget=10000', '--dump-dom', url];
  const [command, ...args] = UNSHARE ? ['unshare', '-n', CHROMIUM!, ...flags] : [CHROMIUM!, ...flags];
  const out = spawnSync(command!, args, { encoding: 'utf8', timeout: 120_000 });
  rmSync(dir, { recursive: true, force: true });
  return out.stdout;
}

t.test('redis-mpk2: a speedscope profile per compartment and the host, .cpuprofiles, an offline viewer', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'flexos-profile-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const { code, stdout, stderr } = await runScript('profile.js', ['redis-mpk2', '--requests', '2000', '--out', out]);
  t.equal(code, 0, stderr);
  t.same(readdirSync(out).filter((f) => f.endsWith('.cpuprofile')).sort(), ['comp1.cpuprofile', 'comp2.cpuprofile', 'host.cpuprofile']);
  const file = JSON.parse(readFileSync(join(out, 'profile.speedscope.json'), 'utf8')) as SpeedscopeFile;
  t.same(file.profiles.map((p) => p.name), ['compartment comp1', 'compartment comp2', 'host thread'], 'compartments first, then the host');
  for (const p of file.profiles.slice(0, 2)) {
    const names = new Set(p.samples.flatMap((stack) => stack.map((i) => file.shared.frames[i]!.name)));
    t.ok([...names].some((n) => /^gate:(lwip|newlib|uktime|redis)\.\w+$/.test(n)), `${p.name} shows a named gate`);
    t.ok([...names].some((n) => /^gate -> \w+\.\w+$/.test(n)), `${p.name} shows the crossing itself`);
  }
  t.ok(existsSync(join(out, 'speedscope', 'index.html')), 'the viewer is copied beside the profiles');
  t.match(readFileSync(join(out, 'index.html'), 'utf8'), /href="comp2\.cpuprofile"/);
  t.match(stdout, /comp1 .* samples.*comp1\.cpuprofile/);

  if (!CHROMIUM) return void t.comment('chromium is not installed (Debian: apt-get install chromium): the viewer is not opened');
  const index = dumpDom(`file://${join(out, 'index.html')}`);
  const link = /id="open" href="(speedscope\/index\.html#localProfilePath=[^"]+)"/.exec(index)?.[1];
  t.ok(link, 'opened from disk, the index page points the viewer at the profile script');
  const viewer = dumpDom(`file://${join(out, link!.replace(/&amp;/g, '&'))}`);
  t.match(viewer, /<title>redis-mpk2, 2000 requests - speedscope<\/title>/, 'speedscope loaded the file, offline');
  t.match(viewer, /compartment comp1/, 'and shows the first compartment\'s profile');
});

t.test('no preset, or two: exit 2 with an error line and the usage', async (t) => {
  for (const args of [[], ['redis-none', 'nginx-none']]) {
    const { code, stderr } = await runScript('profile.js', args);
    t.equal(code, 2, `${args.length} presets: exit 2`);
    t.match(stderr, /^error: expected one preset, got (none|redis-none nginx-none)\n\nusage: node scripts\/profile\.js/);
  }
});
