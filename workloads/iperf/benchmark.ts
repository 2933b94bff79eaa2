// Drives an iperf2 server the way the paper did: the host runs `iperf -c` against the unikernel
// (10 s by default), pinned away from the image's CPU when asked; the client reports the bandwidth.

import { spawn, spawnSync } from 'node:child_process';
import { ClientError } from '../../kernel/abi/errors.js';

export interface IperfOptions {
  readonly port: number;
  readonly durationS: number;
  readonly cpu: number | null;
}

export interface IperfRun {
  readonly bytes: number;
  readonly seconds: number;
  readonly bitsPerSecond: number;
}

export function findIperf(): string | null {
  const r = spawnSync('iperf', ['-v'], { encoding: 'utf8' });
  const text = `${r.stdout}${r.stderr}`.trim();
  return /^iperf version 2/.test(text) ? text.split('\n')[0]! : null;
}

export function iperfArgs(options: IperfOptions): string[] {
  // -f b: bandwidth in bits/s, -e: enhanced report with exact byte counts would differ between versions;
  // the plain summary line "[ ID] 0.0-T sec  N Bytes  B bits/sec" is what is parsed.
  return ['-c', '127.0.0.1', '-p', String(options.port), '-t', String(options.durationS), '-f', 'b'];
}

export async function runIperf(options: IperfOptions): Promise<IperfRun> {
  const args = iperfArgs(options);
  const [command, argv] = options.cpu === null ? ['iperf', args] : ['taskset', ['-c', String(options.cpu), 'iperf', ...args]];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(command as string, argv as string[], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (error) => reject(new ClientError('iperf', error.message, { cause: error })));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new ClientError('iperf', `iperf exited with ${code}: ${out.trim().slice(0, 400)}`, { exitStatus: code }))));
  });
  return parseIperf(output);
}

/** The summary line of an iperf2 client run with -f b: "[  1] 0.0000-3.0078 sec  891289600 Bytes  2370000000 bits/sec". */
export function parseIperf(text: string): IperfRun {
  const m = /([\d.]+)-\s*([\d.]+) sec\s+(\d+) Bytes\s+(\d+) bits\/sec/.exec(text);
  if (!m) throw new ClientError('iperf', `could not read iperf's report:\n${text.slice(0, 400)}`);
  return { seconds: Number(m[2]) - Number(m[1]), bytes: Number(m[3]), bitsPerSecond: Number(m[4]) };
}
