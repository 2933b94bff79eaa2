// `node scripts/profile.js <preset>`: runs the preset under load with `node --cpu-prof` (one profile
// per thread: the host and every compartment) and writes them as one speedscope file (a profile per
// thread, gate crossings labelled with their target), the Chrome .cpuprofiles, and an index page that
// opens them in the speedscope viewer copied beside them, offline.

import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPreset, PRESETS } from '../workloads/presets.js';
import { THREAD_MAP_FILE } from '../compartments/runtime/profile-names.js';
import { numberOption, parseCommandLine, runCommand, UsageError } from './cli.js';
import { escapeXml } from './report/compartment-diagram.js';
import { gateShare, toSpeedscope, type CpuProfile } from './speedscope.js';

const USAGE = `usage: node scripts/profile.js <preset> [options]

Runs the preset under load (scripts/run.js <preset> --sizes 1) with node --cpu-prof, which writes one
profile per thread, and writes them for the viewers people use: <out>/profile.speedscope.json (one
profile per compartment and one for the host thread) and <out>/<thread>.cpuprofile (Chrome DevTools,
VS Code). <out>/index.html opens them in speedscope, copied into <out>/speedscope/, with no network.
Frames of gate crossings read "gate -> <library>.<function>" (under "gate:<library>.<function>"),
direct calls between libraries "call:<library>.<function>".

options:
  --requests <n>      requests per redis-benchmark run (default 20000)
  --out <dir>         where the profiles go (default profiles/<preset>)
  --interval <us>     sampling interval in microseconds (default 200)
  --help              this text

example: node scripts/profile.js redis-mpk2 --requests 20000`;

const OPTIONS = {
  requests: { type: 'string' },
  out: { type: 'string' },
  interval: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const RUN_JS = fileURLToPath(new URL('../../scripts/run.js', import.meta.url));
const PROFILE_FILE = /^CPU\.\d+\.\d+\.(\d+)\.(\d+)\.(\d+)\.cpuprofile$/;
/** The speedscope file of all threads, and the script that hands it to the viewer opened from disk. */
const SPEEDSCOPE_FILE = 'profile.speedscope.json';
const SPEEDSCOPE_SCRIPT = 'profile.speedscope.js';
/** speedscope's built viewer (node_modules/speedscope/dist/release): a static page that runs offline. */
const VIEWER = join(dirname(createRequire(import.meta.url).resolve('speedscope/package.json')), 'dist', 'release');

export interface ThreadProfile {
  /** `host` or the compartment's name. */
  readonly thread: string;
  /** The .cpuprofile written for it in the output folder. */
  readonly cpuprofile: string;
  readonly samples: number;
  /** Of its sampled time (microseconds), how much had a gate on the stack. */
  readonly gateShare: number;
}

/** Reads the .cpuprofile files of one process in `dir` and writes the viewers' files to `out`; returns the threads. */
function writeProfiles(dir: string, out: string, options: { title: string; pid?: number }): ThreadProfile[] {
  const names = new Map<string, string>();
  if (existsSync(join(dir, THREAD_MAP_FILE))) {
    for (const line of readFileSync(join(dir, THREAD_MAP_FILE), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const entry = JSON.parse(line) as { pid: number; threadId: number; compartment: string };
      names.set(`${entry.pid}.${entry.threadId}`, entry.compartment);
    }
  }
  const threads: { name: string; profile: CpuProfile; cpuprofile: string }[] = [];
  const threadIds: Record<string, string> = {};
  for (const file of readdirSync(dir).sort()) {
    const m = PROFILE_FILE.exec(file);
    if (!m || (options.pid !== undefined && Number(m[1]) !== options.pid)) continue;
    const threadId = Number(m[2]);
    const thread = threadId === 0 ? 'host' : names.get(`${m[1]}.${threadId}`);
    // Threads no compartment claimed (loader hooks, load-generator clients) are not the image.
    if (thread === undefined) continue;
    threadIds[String(threadId)] = thread;
    const cpuprofile = join(out, `${thread}.cpuprofile`);
    copyFileSync(join(dir, file), cpuprofile);
    threads.push({ name: thread, profile: JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, cpuprofile });
  }
  writeFileSync(join(dir, 'threads.json'), JSON.stringify(threadIds, null, 2) + '\n');
  // Compartments first, so the viewer opens on one (the host thread mostly waits on gates).
  threads.sort((a, b) => Number(a.name === 'host') - Number(b.name === 'host') || (a.name < b.name ? -1 : 1));
  const speedscope = toSpeedscope(options.title, threads.map((t) => ({ name: t.name === 'host' ? 'host thread' : `compartment ${t.name}`, profile: t.profile })));
  const json = JSON.stringify(speedscope);
  writeFileSync(join(out, SPEEDSCOPE_FILE), json);
  // Opened from disk the viewer cannot fetch a file (file:// has no fetch); it loads a script instead,
  // as speedscope's own command line does (bin/cli.mjs).
  writeFileSync(join(out, SPEEDSCOPE_SCRIPT), `speedscope.loadFileFromBase64(${JSON.stringify(SPEEDSCOPE_FILE)}, ${JSON.stringify(Buffer.from(json).toString('base64'))});\n`);
  rmSync(join(out, 'speedscope'), { recursive: true, force: true });
  cpSync(VIEWER, join(out, 'speedscope'), { recursive: true });
  const written = threads.map((t, i) => {
    const p = speedscope.profiles[i]!;
    const share = gateShare(speedscope, p);
    return { thread: t.name, cpuprofile: t.cpuprofile, samples: p.samples.length, gateShare: share.total ? share.gate / share.total : 0 };
  });
  writeFileSync(join(out, 'index.html'), indexHtml(options.title, written));
  return written;
}

/**
 * The page that opens the profiles: from disk through speedscope's localProfilePath (a script tag,
 * which file:// allows), over HTTP through profileURL.
 */
function indexHtml(title: string, profiles: readonly ThreadProfile[]): string {
  const rows = profiles
    .map((p) => {
      const cpuprofile = p.cpuprofile.slice(p.cpuprofile.lastIndexOf('/') + 1);
      return `<tr><td>${escapeXml(p.thread)}</td><td>${p.samples}</td><td>${(100 * p.gateShare).toFixed(1)}%</td><td><a href="${escapeXml(cpuprofile)}">${escapeXml(cpuprofile)}</a></td></tr>`;
    })
    .join('\n');
  const open = `for (const a of document.querySelectorAll('a.speedscope')) {
  if (location.protocol !== 'file:') continue;
  const script = decodeURIComponent(new URL(${JSON.stringify(SPEEDSCOPE_SCRIPT)}, location.href).pathname);
  a.href = 'speedscope/index.html#localProfilePath=' + encodeURIComponent(script.replace(/^\\//, ''));
}`;
  return `<!doctype html>
<meta charset="utf-8">
<title>${escapeXml(title)}</title>
<style>body{font:14px sans-serif;margin:1em}td,th{padding:2px 10px;text-align:right}td:first-child{text-align:left}</style>
<h1>${escapeXml(title)}</h1>
<p><a class="speedscope" id="open" href="speedscope/index.html#profileURL=../${SPEEDSCOPE_FILE}">Open the profiles in speedscope</a> (bundled, no network; one profile per thread, pick it at the top of the viewer). Gate crossings read <code>gate -&gt; library.function</code>.</p>
<table><tr><th>thread</th><th>samples</th><th>in gates</th><th>Chrome DevTools / VS Code</th></tr>
${rows}
</table>
<p>Files: <a href="${SPEEDSCOPE_FILE}">${SPEEDSCOPE_FILE}</a> (speedscope's format), one <code>.cpuprofile</code> per thread (DevTools: Performance, load profile).</p>
<script>
${open}
</script>
`;
}

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine(process.argv.slice(2), OPTIONS, USAGE);
  if (values['help']) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one preset, got ${positionals.length ? positionals.join(' ') : 'none'}\n\n${USAGE}`);
  const preset = positionals[0]!;
  if (!isPreset(preset)) throw new UsageError(`unknown preset ${JSON.stringify(preset)}; presets: ${Object.keys(PRESETS).join(', ')}`);
  const requests = numberOption(values, 'requests', 20_000, { min: 1, max: 1e9, integer: true });
  const interval = numberOption(values, 'interval', 200, { min: 10, max: 100_000, integer: true });
  const out = resolve(typeof values['out'] === 'string' ? values['out'] : join('profiles', preset));
  const dir = join(out, 'cpuprofiles');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const args = ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', String(interval), RUN_JS, preset, '--requests', String(requests), '--sizes', '1'];
  process.stderr.write(`profiling: node ${args.join(' ')}\n`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, FLEXOS_PROFILE_DIR: dir } });
  const code = await new Promise<number>((done, fail) => {
    child.once('error', fail);
    child.once('exit', (c, signal) => done(c ?? (signal ? 128 : 1)));
  });
  if (code !== 0) {
    process.stderr.write(`error: the profiled run exited with code ${code}\n`);
    return 1;
  }
  const profiles = writeProfiles(dir, out, { title: `${preset}, ${requests} requests`, ...(child.pid === undefined ? {} : { pid: child.pid }) });
  if (profiles.length === 0) {
    process.stderr.write(`error: no .cpuprofile was written in ${dir}\n`);
    return 1;
  }
  process.stdout.write(`\nprofiles (${interval} µs sampling), ${join(out, SPEEDSCOPE_FILE)} and one .cpuprofile per thread:\n`);
  for (const p of profiles) {
    process.stdout.write(`  ${p.thread.padEnd(10)} ${String(p.samples).padStart(7)} samples, ${(100 * p.gateShare).toFixed(1).padStart(5)}% in gates  ${p.cpuprofile}\n`);
  }
  process.stdout.write(`open ${join(out, 'index.html')}\n`);
  return 0;
}

await runCommand(main);
