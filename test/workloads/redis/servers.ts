// The two servers the Redis tests talk to over loopback: the image (a preset launched on a free port)
// and Debian's redis-server (started without persistence, stopped by the caller), when it is installed.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { loadPreset } from '../../../workloads/presets.js';
import { libraryRegistry } from '../../../workloads/registry.js';
import { launch, type RunningImage } from '../../../workloads/launch.js';
import { freePort, waitForListening } from '../../../scripts/ports.js';

export const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

export function bootImage(preset = 'redis-none'): Promise<RunningImage> {
  return launch(loadPreset(preset, { registry: libraryRegistry }), { registry: libraryRegistry, port: 0 });
}

export interface RealRedis {
  readonly port: number;
  stop(): void;
}

/** redis-server --save '' --appendonly no on a free loopback port, once it accepts connections. */
export async function startRealRedis(): Promise<RealRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  try {
    await waitForListening(port, child);
  } catch (error) {
    child.kill();
    throw error;
  }
  return { port, stop: () => void child.kill() };
}
