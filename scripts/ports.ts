// Loopback ports for the real servers the scripts and tests start beside the simulator
// (redis-server, nginx): a free one (bound on port 0, then released), and the wait until the
// started server accepts connections on it.

import type { ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { once } from 'node:events';
import { FlexosError } from '../kernel/abi/errors.js';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });
}

/** Resolves once `child` accepts connections on `port`; throws if it exits first or after 10 s. */
export async function waitForListening(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null || child.signalCode !== null) throw new FlexosError('FLEXOS_ERR_BENCHMARK', `the server exited (${child.exitCode ?? child.signalCode}) before listening`);
    if (await accepts(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new FlexosError('FLEXOS_ERR_BENCHMARK', `nothing listens on ${port} after 10 s`);
}
