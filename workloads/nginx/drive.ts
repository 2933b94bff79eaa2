// The paper's Nginx workload against a served image: wrk -t 14 -c 30 with keep-alive GETs of the
// index page, `runs` runs of `durationS` seconds, each in its own window, or the built-in generator
// with the same parameters where wrk is not installed (or run.js --builtin asks for it).

import type { DriveOptions, DriveSession, DrivenWorkload } from '../drive.js';
import type { RunningImage } from '../launch.js';
import { findWrk, runWrk, wrkArgs } from './benchmark.js';
import { runHttpLoad } from '../loadgen/http-client.js';

export async function driveNginx(image: RunningImage, options: DriveOptions, session: DriveSession): Promise<DrivenWorkload> {
  const version = options.forceBuiltin ? null : findWrk();
  const bench = { url: `http://127.0.0.1:${image.port}/`, threads: 14, connections: 30, durationS: options.durationS, runs: options.runs, cpu: options.cpu };
  if (!version) {
    const { client, threads } = session.builtin('wrk', `${options.runs} runs of ${options.durationS} s`);
    const runs = await runHttpLoad({ ...bench, threads, around: session.around, onRun: session.progress });
    const errors = runs.reduce((s, r) => s + r.errors, 0);
    if (errors > 0) options.say(`warning: the built-in generator counted ${errors} socket errors or non-2xx/3xx responses`);
    return { client, command: `built-in -c ${bench.connections} -d ${bench.durationS}s ${bench.url} on ${threads} thread${threads === 1 ? '' : 's'} (× ${options.runs})`, runs, headline: 'get' };
  }
  options.say(`client: ${version}, ${session.pinned}; ${options.runs} runs of ${options.durationS} s`);
  if ((options.warmupRequests ?? 0) > 0) {
    const seconds = Math.min(2, options.durationS);
    options.say(`  warm-up: ${seconds} s, untimed`);
    await runWrk({ ...bench, durationS: seconds, runs: 1 });
  }
  const runs = await runWrk({ ...bench, around: session.around, onRun: session.progress });
  const errors = runs.reduce((s, r) => s + r.errors, 0);
  if (errors > 0) options.say(`warning: wrk counted ${errors} socket errors or non-2xx/3xx responses`);
  return { client: version, command: `wrk ${wrkArgs(bench).join(' ')} (× ${options.runs})`, runs, headline: 'get' };
}
