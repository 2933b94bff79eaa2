// `node scripts/profile.js <preset>`: runs the preset under load with `node --cpu-prof` (one profile
// per thread: the host and every compartment) and writes one flame graph per compartment and one for
// the host, gate crossings labelled with their target, plus an index.html linking them.

import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPreset, PRESETS } from '../workloads/presets.js';
import { THREAD_MAP_FILE } from '../compartments/runtime/profile-names.js';
import { numberOption, parseCommandLine, runCommand, UsageError } from './cli.js';
import { escapeXml, flameSvg, foldedText, foldProfile, gateSamples, type CpuProfile } from './flame.js';

const USAGE = `usage: node scripts/profile.js <preset> [options]

Runs the preset under load (scripts/run.js <preset> --sizes 1) with node --cpu-prof, which writes one
profile per thread, and draws a flame graph per compartment and one for the host thread. Frames of
gate crossings read "gate -> <library>.<function>" (under "gate:<library>.<function>"), direct calls
between libraries "call:<library>.<function>".

options:
  --requests <n>      requests per redis-benchmark run (default 20000)
  --out <dir>         where the flame graphs go (default profiles/<preset>)
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

export interface ThreadProfile {
  /** `host` or the compartment's name. */
  readonly thread: string;
  readonly file: string;
  readonly samples: number;
  readonly gateSamples: number;
  readonly svg: string;
}

/** Turns the .cpuprofile files of one process in `dir` into flame graphs in `out`; returns what it wrote. */
export function drawProfiles(dir: string, out: string, options: { title: string; pid?: number }): ThreadProfile[] {
  const names = new Map<string, string>();
  if (existsSync(join(dir, THREAD_MAP_FILE))) {
    for (const line of readFileSync(join(dir, THREAD_MAP_FILE), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const entry = JSON.parse(line) as { pid: number; threadId: number; compartment: string };
      names.set(`${entry.pid}.${entry.threadId}`, entry.compartment);
    }
  }
  const written: ThreadProfile[] = [];
  const threads: Record<string, string> = {};
  for (const file of readdirSync(dir).sort()) {
    const m = PROFILE_FILE.exec(file);
    if (!m || (options.pid !== undefined && Number(m[1]) !== options.pid)) continue;
    const threadId = Number(m[2]);
    const thread = threadId === 0 ? 'host' : names.get(`${m[1]}.${threadId}`);
    // Threads no compartment claimed (loader hooks, load-generator clients) are not the image.
    if (thread === undefined) continue;
    threads[String(threadId)] = thread;
    const folded = foldProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
    const samples = [...folded.values()].reduce((a, b) => a + b, 0);
    const svg = join(out, `flame-${thread}.svg`);
    writeFileSync(join(out, `${thread}.folded`), foldedText(folded));
    writeFileSync(svg, flameSvg(folded, { title: `${options.title}: ${thread === 'host' ? 'host thread' : `compartment ${thread}`}` }));
    written.push({ thread, file, samples, gateSamples: gateSamples(folded), svg });
  }
  writeFileSync(join(dir, 'threads.json'), JSON.stringify(threads, null, 2) + '\n');
  writeFileSync(join(out, 'index.html'), indexHtml(options.title, written));
  return written;
}

function indexHtml(title: string, profiles: readonly ThreadProfile[]): string {
  const rows = profiles
    .map((p) => {
      const share = p.samples ? ((100 * p.gateSamples) / p.samples).toFixed(1) : '0.0';
      const svg = p.svg.slice(p.svg.lastIndexOf('/') + 1);
      return `<tr><td><a href="${escapeXml(svg)}">${escapeXml(p.thread)}</a></td><td>${p.samples}</td><td>${share}%</td></tr>`;
    })
    .join('\n');
  const frames = profiles.map((p) => `<h2>${escapeXml(p.thread)}</h2>\n<object type="image/svg+xml" data="${escapeXml(p.svg.slice(p.svg.lastIndexOf('/') + 1))}"></object>`).join('\n');
  return `<!doctype html>\n<meta charset="utf-8">\n<title>${escapeXml(title)}</title>\n<style>body{font:14px sans-serif;margin:1em}td,th{padding:2px 10px;text-align:right}td:first-child{text-align:left}object{width:100%}</style>\n<h1>${escapeXml(title)}</h1>\n<table><tr><th>thread</th><th>samples</th><th>in gates</th></tr>\n${rows}\n</table>\n${frames}\n`;
}

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine(process.argv.slice(2), OPTIONS, USAGE);
  if (values['help'] || positionals.length === 0) {
    process.stdout.write(USAGE + '\n');
    return values['help'] ? 0 : 2;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one preset, got ${positionals.join(' ')}`);
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
  const profiles = drawProfiles(dir, out, { title: `${preset}, ${requests} requests`, ...(child.pid === undefined ? {} : { pid: child.pid }) });
  if (profiles.length === 0) {
    process.stderr.write(`error: no .cpuprofile was written in ${dir}\n`);
    return 1;
  }
  process.stdout.write(`\nflame graphs (${interval} µs sampling):\n`);
  for (const p of profiles) {
    const share = p.samples ? ((100 * p.gateSamples) / p.samples).toFixed(1) : '0.0';
    process.stdout.write(`  ${p.thread.padEnd(10)} ${String(p.samples).padStart(7)} samples, ${share.padStart(5)}% in gates  ${p.svg}\n`);
  }
  process.stdout.write(`open ${join(out, 'index.html')}\n`);
  return 0;
}

await runCommand(main);
