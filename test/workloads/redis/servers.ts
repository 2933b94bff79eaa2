// The two servers the Redis tests talk to over loopback: the image (a preset launched on a free port)
// and Debian's redis-server (started without persistence, stopped by the caller), when it is installed.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { loadPreset } from '../../../workloads/presets.js';
import { libraryRegistry } from '../../../workloads/registry.js';
import { launch, type RunningImage } from '../../../workloads/launch.js';
import { freePort } from '../../../scripts/ports.js';

export const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

export function bootImage(preset = 'redis-none'): Promise<RunningImage> {
  return launch(loadPreset(preset, { registry: libraryRegistry }), { registry: libraryRegistry, port: 0 });
}

export interface RealRedis {
  readonly port: number;
  stop(): void;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** redis-server --save '' --appendonly no on a free loopback port, once it accepts connections. */
export async function startRealRedis(): Promise<RealRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill();
      throw new Error(`redis-server did not start on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, stop: () => void child.kill() };
}
