// The real server abuse.js attacks beside the images (`--presets real-redis,real-nginx`): Debian's
// redis-server or nginx, started by the command bench-vs-real.js uses on a free loopback port, and
// its memory as the kernel counts it (VmRSS of the process and its children, nginx's worker).

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RealServer } from '../../workloads/app.js';
import { freePort, waitForListening } from '../ports.js';

export interface StartedServer {
  readonly port: number;
  /** Why the server is gone (its exit), or null while it runs. */
  down(): string | null;
  /** Resident bytes of the server's processes now (VmRSS summed over the process and its children). */
  rss(): number;
  stop(): Promise<void>;
}

/** The server's binary, or null when it is found: a line saying it is absent otherwise. */
export function missingBinary(real: RealServer): string | null {
  // The command line is all that is wanted; nginx's writes its configuration into the scratch directory.
  const scratch = mkdtempSync(join(tmpdir(), 'flexos-abuse-'));
  const { command } = real.command(0, scratch);
  rmSync(scratch, { recursive: true, force: true });
  const probe = spawnSync(command, ['-v'], { stdio: 'ignore' });
  return probe.error === undefined ? null : `${command} is not installed (${real.label}; scripts/install.sh installs it)`;
}

/** VmRSS of one process in bytes; 0 once it is gone. */
function vmRss(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return kb ? Number(kb[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The process and its descendants (nginx's master and its worker). */
function tree(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // gone, or no children file: the process alone
  }
  return [pid, ...children.flatMap(tree)];
}

/**
 * Starts the real server on a free loopback port. `workerConnections` rewrites nginx's
 * worker_connections in the configuration the comparison writes, so that the past-limit attack
 * meets the same limit as the image.
 */
export async function startReal(real: RealServer, options: { workerConnections?: number } = {}): Promise<StartedServer> {
  const scratch = mkdtempSync(join(tmpdir(), 'flexos-abuse-'));
  const port = await freePort();
  const { command, args } = real.command(port, scratch);
  if (options.workerConnections !== undefined) {
    const conf = join(scratch, 'nginx.conf');
    try {
      writeFileSync(conf, readFileSync(conf, 'utf8').replace(/worker_connections \d+;/, `worker_connections ${options.workerConnections};`));
    } catch {
      // not nginx: no configuration file to rewrite
    }
  }
  const child = spawn(command, args, { stdio: 'ignore' });
  let down: string | null = null;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      down ??= `${command} exited (${code ?? signal})`;
      resolve();
    });
    child.on('error', (e) => {
      down ??= e.message;
      resolve();
    });
  });
  try {
    await waitForListening(port, child);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    down: () => down,
    rss: () => tree(child.pid!).reduce((sum, pid) => sum + vmRss(pid), 0),
    async stop() {
      if (down === null) {
        down = 'stopped';
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
