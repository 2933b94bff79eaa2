// A loopback port nothing listens on, for the real servers the scripts and tests start beside the
// simulator (redis-server, nginx): bound on port 0, then released.

import { createServer } from 'node:net';
import { once } from 'node:events';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}
