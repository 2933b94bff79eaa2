// The paper's iPerf workload against a served image: the host runs `iperf -c` for `durationS`
// seconds, `runs` times, each in its own window; throughputs are bytes per second received.

import { FlexosError } from '../../kernel/abi/errors.js';
import type { ClientRun, DriveOptions, DriveSession, DrivenWorkload } from '../drive.js';
import type { RunningImage } from '../launch.js';
import { findIperf, iperfArgs, runIperf } from './benchmark.js';

export async function driveIperf(image: RunningImage, options: DriveOptions, session: DriveSession): Promise<DrivenWorkload> {
  const version = findIperf();
  if (!version) throw new FlexosError('FLEXOS_ERR_BOOT', 'iperf is not installed (Debian package iperf; scripts/install.sh installs it)');
  const bench = { port: image.port, durationS: options.durationS, cpu: options.cpu };
  options.say(`client: ${version}, ${session.pinned}; ${options.runs} runs of ${options.durationS} s`);
  const runs: ClientRun[] = [];
  for (let i = 0; i < options.runs; i++) {
    const r = await session.around(() => runIperf(bench));
    // One "request" per byte received: throughputs are bytes per second.
    runs.push({ test: 'recv', rps: r.bytes / r.seconds, p50Ms: NaN, p99Ms: NaN, requests: r.bytes });
    options.say(`  [${i + 1}/${options.runs}] ${(r.bitsPerSecond / 1e9).toFixed(3)} Gb/s`);
  }
  return { client: version, command: `iperf ${iperfArgs(bench).join(' ')} (× ${options.runs})`, runs, headline: 'recv', unit: 'bytes' };
}
