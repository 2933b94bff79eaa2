// freePort: a loopback port that a server can listen on right after; waitForListening: the wait
// until a started server accepts on it, or the error when it exits first.

import t from 'tap';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { freePort, waitForListening } from '../../scripts/ports.js';

t.test('a free port can be listened on', async (t) => {
  const port = await freePort();
  t.ok(port > 0 && port < 65536, `port ${port}`);
  const server = createServer().listen(port, '127.0.0.1');
  await once(server, 'listening');
  t.equal((server.address() as { port: number }).port, port);
  server.close();
  await once(server, 'close');
});

t.test('waitForListening resolves once the child accepts connections', async (t) => {
  const port = await freePort();
  const script = `setTimeout(() => require('net').createServer().listen(${port}, '127.0.0.1'), 300)`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  t.teardown(() => void child.kill());
  await waitForListening(port, child);
  t.pass('listening');
});

t.test('waitForListening rejects when the child exits before listening', async (t) => {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', 'process.exit(3)'], { stdio: 'ignore' });
  await t.rejects(waitForListening(port, child), /exited \(3\) before listening/);
});
