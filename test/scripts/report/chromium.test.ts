// The run report page in a real browser (Debian's headless Chromium) with the network off: it
// loads, logs no console message, asks for no URL, and the DOM and the screenshot have the
// compartment boxes, the gate arrows and the charts' axes and legends.

import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runReportHtml } from '../../../scripts/report/html.js';
import { EDGES, runJson } from './run-fixture.js';

const CHROMIUM = ['chromium', 'chromium-browser'].find((name) => spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0);
// A network namespace of its own (root, Linux) is the network really off; else no host resolves.
const UNSHARE = spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
// Chromium's own services (component updates, the network time) ask for these whatever the page is.
const OWN_SERVICES = /^https?:\/\/([a-z0-9-]+\.)*(google\.com|googleapis\.com|gvt1\.com|gstatic\.com)\//;

interface Loaded {
  readonly dom: string;
  readonly consoleLines: readonly string[];
  readonly requested: readonly string[];
}

async function chromium(page: string, args: readonly string[]): Promise<{ stdout: string; stderr: string; netLog: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'flexos-chromium-'));
  const netLog = join(dir, 'net-log.json');
  const flags = [
    '--headless=new', '--no-sandbox', '--disable-gpu', `--user-data-dir=${join(dir, 'profile')}`, '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-default-apps', '--no-pings',
    '--host-resolver-rules=MAP * ~NOTFOUND', '--enable-logging=stderr', '--v=0', `--log-net-log=${netLog}`, ...args, pathToFileURL(page).href,
  ];
  const [command, ...rest] = UNSHARE ? ['unshare', '-n', CHROMIUM!, ...flags] : [CHROMIUM!, ...flags];
  const child = spawn(command!, rest, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  await once(child, 'close');
  return { stdout, stderr, netLog: existsSync(netLog) ? readFileSync(netLog, 'utf8') : '' };
}

async function load(page: string): Promise<Loaded> {
  const { stdout, stderr, netLog } = await chromium(page, ['--dump-dom']);
  const requested = [...new Set([...netLog.matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]!))].filter((url) => !url.startsWith('file:') && !OWN_SERVICES.test(url));
  return { dom: stdout, consoleLines: stderr.split('\n').filter((line) => /:CONSOLE[:(]/.test(line)), requested };
}

const count = (html: string, pattern: RegExp): number => (html.match(pattern) ?? []).length;

t.test('the page loads offline in Chromium with no console message and no request, and shows every part', { skip: CHROMIUM ? false : 'chromium is not installed (Debian: apt-get install chromium)' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flexos-report-'));
  const page = join(dir, 'run.html');
  writeFileSync(page, await runReportHtml(runJson()));
  const loaded = await load(page);
  t.same(loaded.consoleLines, [], 'no console message');
  t.same(loaded.requested, [], 'no URL requested');
  t.equal(count(loaded.dom, /<g class="compartment" /g), 3, 'a box per compartment');
  t.equal(count(loaded.dom, /<g class="gate-edge" /g), EDGES.length, 'an arrow per gate edge');
  const charts = loaded.dom.split('class="figure chart"').slice(1);
  t.equal(charts.length, 4, 'four charts');
  for (const chart of charts) {
    t.ok(count(chart, /role-axis"/g) >= 2, 'with axes');
    t.match(chart, /role-legend"/, 'and a legend');
  }

  const shot = join(dir, 'run.png');
  await chromium(page, ['--hide-scrollbars', '--window-size=1280,2400', `--screenshot=${shot}`]);
  t.ok(existsSync(shot) && statSync(shot).size > 50_000, 'a screenshot with the page drawn in it');
});

t.test('the browser check sees a console message and a request when a page makes them', { skip: CHROMIUM ? false : 'chromium is not installed (Debian: apt-get install chromium)' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flexos-report-'));
  const page = join(dir, 'bad.html');
  // Loopback port 9 (discard): nothing leaves the machine, and in its own namespace nothing leaves Chromium.
  writeFileSync(page, '<!DOCTYPE html><html><body><script>console.error("from the page")</script><img src="http://127.0.0.1:9/x.png"></body></html>');
  const loaded = await load(page);
  t.match(loaded.consoleLines.join('\n'), /from the page/);
  t.same(loaded.requested, ['http://127.0.0.1:9/x.png']);
});
