// iPerf as an application of the simulator: the paper's iPerf presets (the application isolated
// from the stack), its exploration space, and `iperf -c` from the host as its workload.

import { fileURLToPath } from 'node:url';
import type { App } from '../app.js';
import { loadSpaceFile } from '../../compartments/config/space.js';
import { iperf, IPERF_DEFAULT_BUFFER } from './exports.js';
import { IPERF_PRESETS } from './presets.js';
import { driveIperf } from './drive.js';

export const iperfApp: App = {
  name: iperf.name,
  title: 'iPerf',
  library: iperf,
  presets: IPERF_PRESETS,
  // workloads/iperf/space.yaml in the source tree (this file runs from dist/workloads/iperf/).
  space: () => loadSpaceFile(fileURLToPath(new URL('../../../workloads/iperf/space.yaml', import.meta.url))),
  metric: 'throughput',
  server: {
    mainArgs: [IPERF_DEFAULT_BUFFER],
    servePort: 8080,
    drive: driveIperf,
    params: (w) => ({ duration_s: w.durationS, runs: w.runs }),
    describe: (w) => `iperf -t ${w.durationS} × ${w.runs}`,
    expectedSeconds: (w) => w.runs * w.durationS * 2,
  },
};
