// A raw RESP2 client for tests: sends commands over a loopback socket and splits the byte stream into
// whole replies (each kept as its exact bytes and as a parsed tree), so tests can compare servers byte
// for byte and read pushed pub/sub messages as they arrive.

import net from 'node:net';
import { encodeCommand } from '../../../workloads/redis/resp.js';

export type Reply =
  | { readonly type: '+' | '-' | ':'; readonly text: string }
  | { readonly type: '$'; readonly text: string | null }
  | { readonly type: '*'; readonly items: readonly Reply[] | null };

export interface RawReply {
  /** The reply's bytes as latin1. */
  readonly raw: string;
  readonly reply: Reply;
}

/** One reply starting at `at`, or null if the buffer does not hold all of it yet. */
export function parseReply(buf: string, at: number): { reply: Reply; end: number } | null {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return null;
  const type = buf[at]!;
  const line = buf.slice(at + 1, eol);
  if (type === '+' || type === '-' || type === ':') return { reply: { type, text: line }, end: eol + 2 };
  const n = Number(line);
  if (type === '$') {
    if (n < 0) return { reply: { type, text: null }, end: eol + 2 };
    if (buf.length < eol + 2 + n + 2) return null;
    return { reply: { type, text: buf.slice(eol + 2, eol + 2 + n) }, end: eol + 2 + n + 2 };
  }
  if (type === '*') {
    if (n < 0) return { reply: { type, items: null }, end: eol + 2 };
    const items: Reply[] = [];
    let pos = eol + 2;
    for (let i = 0; i < n; i++) {
      const r = parseReply(buf, pos);
      if (r === null) return null;
      items.push(r.reply);
      pos = r.end;
    }
    return { reply: { type, items }, end: pos };
  }
  throw new Error(`not a RESP2 reply: ${JSON.stringify(buf.slice(at, at + 40))}`);
}

export class RespSocket {
  readonly #socket: net.Socket;
  #buf = '';
  #queue: RawReply[] = [];
  #waiters: ((r: RawReply) => void)[] = [];
  #closed = false;
  #onClose: (() => void)[] = [];

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on('data', (d) => {
      this.#buf += d.toString('latin1');
      for (;;) {
        const r = parseReply(this.#buf, 0);
        if (r === null) break;
        const raw: RawReply = { raw: this.#buf.slice(0, r.end), reply: r.reply };
        this.#buf = this.#buf.slice(r.end);
        const w = this.#waiters.shift();
        if (w !== undefined) w(raw);
        else this.#queue.push(raw);
      }
    });
    socket.on('close', () => {
      this.#closed = true;
      for (const f of this.#onClose) f();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number): Promise<RespSocket> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RespSocket(s)));
      s.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves when the server closes the connection. */
  whenClosed(): Promise<void> {
    return this.#closed ? Promise.resolve() : new Promise((r) => this.#onClose.push(r));
  }

  send(...argv: string[]): void {
    this.#socket.write(encodeCommand(argv));
  }

  /** The next reply (or pushed message), within `timeoutMs`. */
  next(timeoutMs = 10_000): Promise<RawReply> {
    const ready = this.#queue.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (r: RawReply): void => {
        clearTimeout(timer);
        resolve(r);
      };
      this.#waiters.push(waiter);
    });
  }

  /** Send one command and return its reply's bytes. */
  async call(...argv: string[]): Promise<string> {
    this.send(...argv);
    return (await this.next()).raw;
  }

  /** Whether a reply arrives within `ms` (for checking that nothing is pushed). */
  async quietFor(ms: number): Promise<boolean> {
    if (this.#queue.length > 0) return false;
    await new Promise((r) => setTimeout(r, ms));
    return this.#queue.length === 0;
  }

  close(): void {
    this.#socket.destroy();
  }
}
