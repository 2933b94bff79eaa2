// Nginx as an application of the simulator: the paper's five network-server presets and 80-point
// space, wrk over the bundled site as its workload, GETs for fault injection, and Debian's nginx
// to compare with.

import type { App } from '../app.js';
import { networkServerPresets } from '../../compartments/config/presets.js';
import { paperSpace, type NetworkServerSpace } from '../../compartments/config/space.js';
import { nginx } from './exports.js';
import { driveNginx } from './drive.js';
import { HttpProbe } from './probe.js';
import { REAL_NGINX } from './real.js';
import { NGINX_SITE } from './site.js';
import { nginxMainArgs } from './limits.js';

/** The paper's Nginx space, with short runs for exploration (workloads/nginx/space.yaml holds the same). */
export const NGINX_SPACE: NetworkServerSpace = { app: nginx.name, title: 'Nginx', workload: { duration: 2, runs: 1 } };

export const nginxApp: App = {
  name: nginx.name,
  title: 'Nginx',
  library: nginx,
  presets: networkServerPresets(nginx.name),
  space: () => paperSpace(NGINX_SPACE),
  metric: 'throughput',
  server: {
    mainArgs: nginxMainArgs(), // worker_connections 512, send_timeout 60s: nginx's defaults
    initrd: NGINX_SITE,
    servePort: 8080,
    hint: (port) => `try: curl -i http://127.0.0.1:${port}/    or    wrk -t 2 -c 30 -d 5s http://127.0.0.1:${port}/`,
    drive: driveNginx,
    params: (w) => ({ duration_s: w.durationS, runs: w.runs }),
    describe: (w) => `wrk -d ${w.durationS}s × ${w.runs}`,
    // wrk runs for its duration; twice that leaves room for connecting and the report.
    expectedSeconds: (w) => w.runs * w.durationS * 2,
  },
  probe: (port) => new HttpProbe(port),
  real: REAL_NGINX,
};
