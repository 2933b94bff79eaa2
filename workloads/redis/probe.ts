// The traffic of a fault-injection run against Redis (scripts/inject/experiment.ts): PINGs until
// the fault fires, and reference keys written before it and read back after, over one connection.

import { ClientError } from '../../kernel/abi/errors.js';
import net from 'node:net';
import type { Probe } from '../app.js';
import { encodeCommand } from './resp.js';

/** A Probe over a minimal RESP client: one command at a time; replies as strings (null for nil). */
export class RespProbe implements Probe {
  readonly #socket: net.Socket;
  #buffer = Buffer.alloc(0);
  #waiting: { resolve: (v: string | null) => void; reject: (e: Error) => void } | null = null;
  #closed: Error | null = null;
  readonly store = {
    set: (key: string, value: string): Promise<string | null> => this.command(['SET', key, value]),
    get: (key: string): Promise<string | null> => this.command(['GET', key]),
  };

  constructor(port: number) {
    this.#socket = net.connect(port, '127.0.0.1');
    this.#socket.on('data', (d) => {
      this.#buffer = Buffer.concat([this.#buffer, d]);
      this.#deliver();
    });
    const fail = (e: Error): void => {
      this.#closed = e;
      this.#waiting?.reject(e);
      this.#waiting = null;
    };
    this.#socket.on('error', fail);
    this.#socket.on('close', () => fail(new ClientError('redis probe', 'connection closed')));
  }

  request(): Promise<string | null> {
    return this.command(['PING']);
  }

  command(argv: string[]): Promise<string | null> {
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#socket.write(encodeCommand(argv));
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #deliver(): void {
    const b = this.#buffer;
    const eol = b.indexOf('\r\n');
    if (eol < 0 || !this.#waiting) return;
    const type = String.fromCharCode(b[0]!);
    const line = b.subarray(1, eol).toString('latin1');
    let value: string | null = line;
    let used = eol + 2;
    if (type === '$') {
      const n = Number(line);
      if (n >= 0) {
        if (b.length < used + n + 2) return;
        value = b.subarray(used, used + n).toString('latin1');
        used += n + 2;
      } else value = null;
    }
    this.#buffer = b.subarray(used);
    const waiting = this.#waiting;
    this.#waiting = null;
    if (type === '-') waiting.reject(new ClientError('redis probe', line));
    else waiting.resolve(value);
  }
}
