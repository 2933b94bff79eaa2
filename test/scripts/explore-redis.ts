// Test helpers for the exploration queue: a real Debian redis-server on a free loopback port, and
// explore-worker processes. Everything started here is ended by the test's teardown.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { runNode as runNodeFor, type Finished } from '../fixtures/node-script.js';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { freePort } from '../../scripts/ports.js';

export { freePort };

export const workerScript = new URL('../../../scripts/explore-worker.js', import.meta.url).pathname;
export const exploreScript = new URL('../../../scripts/explore.js', import.meta.url).pathname;

interface Tap {
  teardown(fn: () => unknown): void;
}

/** Whether redis-server is installed (scripts/install.sh installs Debian's). */
export async function haveRedisServer(): Promise<boolean> {
  try {
    await promisify(execFile)('redis-server', ['--version']);
    return true;
  } catch {
    return false;
  }
}

/** Resolves when `child` prints a line matching `pattern` on `stream`; rejects if it exits first. */
export function waitForLine(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const line = text.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) {
        child[stream]!.off('data', onData);
        child.off('exit', onExit);
        resolve(line);
      }
    };
    const onExit = (code: number | null): void => reject(new Error(`exited (${code}) before printing ${pattern}:\n${text}`));
    child[stream]!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Starts redis-server on a free port (no persistence), once it accepts connections; ended in teardown. */
export async function startRedis(t: Tap): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await waitForLine(child, 'stdout', /Ready to accept connections/);
    } catch (error) {
      if (attempt < 3) continue; // the port was taken between the probe and the start
      throw error;
    }
    t.teardown(() => stop(child));
    return `redis://127.0.0.1:${port}`;
  }
}

/** Ends a child and waits for it. */
export async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

export interface RunningWorker {
  readonly child: ChildProcess;
  /** Everything it printed on stderr so far. */
  readonly log: () => string;
}

/** Starts `explore-worker.js --queue url` (plus `args`), once it waits for jobs; ended in teardown. */
export async function startWorker(t: Tap, url: string, args: readonly string[] = []): Promise<RunningWorker> {
  const child = spawn(process.execPath, [workerScript, '--queue', url, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => void (log += chunk.toString()));
  t.teardown(() => stop(child));
  await waitForLine(child, 'stderr', /waiting for jobs/);
  return { child, log: () => log };
}

/** Runs a node script to its end, asynchronously (killed after 30 s: a hang fails the test, not the run). */
export const runNode = (args: readonly string[]): Promise<Finished> => runNodeFor(args, 30_000);
