// Debian's nginx (one worker) beside the Nginx images (scripts/bench-vs-real.ts), serving the same
// site from the host's disk: the same wrk command against each, after the same untimed warm-up.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RealServer } from '../app.js';
import { findWrk, runWrk } from './benchmark.js';
import { NGINX_SITE } from './site.js';

export const REAL_NGINX: RealServer = {
  label: 'nginx (Debian, 1 worker)',
  packages: [
    { name: 'wrk', installed: () => findWrk() !== null },
    { name: 'nginx-light', installed: () => spawnSync('nginx', ['-v']).status === 0 },
  ],
  presets: ['nginx-none', 'nginx-mpk2'],
  spread: [],
  targets: { 'nginx-none': 0.5 },
  command(port, scratch) {
    writeFileSync(join(scratch, 'nginx.conf'), `worker_processes 1;
daemon off;
pid ${scratch}/nginx.pid;
error_log ${scratch}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${scratch}/body;
  types { text/html html; application/json json; text/plain txt; }
  server { listen 127.0.0.1:${port}; root ${NGINX_SITE}; index index.html; }
}
`);
    return { command: 'nginx', args: ['-c', join(scratch, 'nginx.conf'), '-p', scratch] };
  },
  async measure(port, { durationS, cpu }) {
    const wrk = { url: `http://127.0.0.1:${port}/`, threads: 2, connections: 30, runs: 1, cpu };
    // Untimed warm-up, the same for every server (see workloads/redis/real.ts).
    await runWrk({ ...wrk, durationS: Math.min(2, durationS) });
    return { get: (await runWrk({ ...wrk, durationS })).map((r) => r.rps) };
  },
};
