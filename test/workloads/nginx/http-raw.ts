// Raw HTTP/1.1 over loopback sockets for the Nginx tests that need no external client: one GET
// answered in full (status, headers, body), and a response reader for keep-alive connections.

import net from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

/** Reads responses off one keep-alive connection, one request at a time. */
export class RawHttpConnection {
  readonly socket: net.Socket;
  #buffer = Buffer.alloc(0);
  #closed = false;
  #wake: (() => void) | null = null;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, d]);
      this.#wake?.();
    });
    const end = (): void => {
      this.#closed = true;
      this.#wake?.();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  static open(port: number): Promise<RawHttpConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new RawHttpConnection(socket)));
      socket.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** One GET and its whole response; rejects when the server closes first or `timeoutMs` passes. */
  async get(path: string, timeoutMs = 20_000): Promise<RawResponse> {
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = this.#take();
      if (response !== null) return response;
      if (this.#closed) throw new Error(`GET ${path}: the server closed the connection`);
      if (Date.now() > deadline) throw new Error(`GET ${path}: no complete response in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 200).unref();
      });
      this.#wake = null;
    }
  }

  /** Settles once the server has closed the connection (true) or `timeoutMs` passed (false). */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.#closed;
  }

  /** Bytes received so far and not taken as a response. */
  get received(): number {
    return this.#buffer.length;
  }

  close(): void {
    this.socket.destroy();
  }

  #take(): RawResponse | null {
    const split = this.#buffer.indexOf('\r\n\r\n');
    if (split < 0) return null;
    const head = this.#buffer.subarray(0, split).toString('latin1').split('\r\n');
    const headers = new Map(head.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as [string, string]));
    const length = Number(headers.get('content-length') ?? 0);
    if (this.#buffer.length < split + 4 + length) return null;
    const body = this.#buffer.subarray(split + 4, split + 4 + length);
    this.#buffer = this.#buffer.subarray(split + 4 + length);
    return { status: Number(head[0]!.split(' ')[1]), headers, body: Buffer.from(body) };
  }
}
