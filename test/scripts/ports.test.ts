// freePort: a loopback port that a server can listen on right after.

import t from 'tap';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { freePort } from '../../scripts/ports.js';

t.test('a free port can be listened on', async (t) => {
  const port = await freePort();
  t.ok(port > 0 && port < 65536, `port ${port}`);
  const server = createServer().listen(port, '127.0.0.1');
  await once(server, 'listening');
  t.equal((server.address() as { port: number }).port, port);
  server.close();
  await once(server, 'close');
});
