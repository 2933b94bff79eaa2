// The traffic of a fault-injection run against Nginx (scripts/inject/experiment.ts): one GET of the
// index page per request, each on its own connection. Nginx keeps no data a fault could corrupt.

import { ClientError } from '../../kernel/abi/errors.js';
import net from 'node:net';
import type { Probe } from '../app.js';

export class HttpProbe implements Probe {
  readonly #port: number;

  constructor(port: number) {
    this.#port = port;
  }

  /** GET / with Connection: close; resolves with the whole response, rejects if none came. */
  request(): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(this.#port, '127.0.0.1');
      let reply = '';
      socket.on('data', (d) => (reply += d.toString('latin1')));
      socket.on('close', () => (reply.startsWith('HTTP/') ? resolve(reply) : reject(new ClientError('http probe', 'connection closed without a response'))));
      socket.on('error', reject);
      socket.end('GET / HTTP/1.1\r\nHost: flexos\r\nConnection: close\r\n\r\n');
    });
  }

  close(): void {}
}
