// The built-in stand-in for wrk -c C -d Ns: C keep-alive HTTP/1.1 connections each send a GET, wait
// for the whole response (Content-Length, chunked, or up to the close) and send the next, until the
// deadline. A response counts when complete; non-2xx/3xx statuses and socket errors count as errors.

import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { WrkOptions, WrkRun } from '../nginx/benchmark.js';
import { ClientError } from '../../kernel/abi/errors.js';
import { LatencyHistogram } from './histogram.js';
import { BUILTIN_CLIENT, connectAll, connectTcp, defaultThreads, LoadPool, nowMs, splitEvenly, type ShareResult, type StartBarrier } from './pool.js';

export interface HttpLoadOptions extends Omit<WrkOptions, 'threads'> {
  /** Client threads in the pool (wrk's -t does not carry over: default 1 when pinned, else the CPUs but one). */
  readonly threads?: number;
}

/** One thread's part of a run. */
export interface HttpShare {
  readonly host: string;
  readonly port: number;
  readonly connections: number;
  readonly durationMs: number;
  /** The request every connection repeats, as wrk sends it. */
  readonly request: string;
}

/** The target of an http:// URL and the request wrk would send to it. */
export function httpTarget(url: string): { host: string; port: number; request: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError(`url: ${JSON.stringify(url)} is not a URL`);
  }
  if (u.protocol !== 'http:') throw new TypeError(`url: the built-in generator speaks plain http://, got ${JSON.stringify(url)}`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = u.port === '' ? 80 : Number(u.port);
  return { host, port, request: `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n\r\n` };
}

/** A wrk-shaped run with the whole latency distribution (HdrHistogram's compressed base64) wrk does not give. */
export interface HttpLoadRun extends WrkRun {
  readonly histogram: string;
}

export async function runHttpLoad(options: HttpLoadOptions): Promise<HttpLoadRun[]> {
  const target = httpTarget(options.url);
  for (const [name, value, max] of [['connections', options.connections, 10_000], ['durationS', options.durationS, 86_400], ['runs', options.runs, 1000]] as const) {
    if (!(value > 0 && value <= max) || (name !== 'durationS' && !Number.isInteger(value))) throw new RangeError(`${name} must be a positive ${name === 'durationS' ? 'number' : 'integer'} up to ${max}, got ${value}`);
  }
  const threads = Math.min(options.threads ?? defaultThreads(options.cpu, options.connections), options.connections);
  const around = options.around ?? (<T>(body: () => Promise<T>) => body());
  const runs: HttpLoadRun[] = [];
  const pool = await LoadPool.start({ threads, cpu: options.cpu });
  try {
    for (let i = 0; i < options.runs; i++) {
      const shares: HttpShare[] = splitEvenly(options.connections, threads).map((connections) => ({ ...target, connections, durationMs: options.durationS * 1000 }));
      const totals = await around(() => pool.run('http', shares));
      const ms = (us: number): number => Math.round(us) / 1000;
      const run: HttpLoadRun = {
        test: 'get', rps: totals.requests / (totals.elapsedMs / 1000), requests: totals.requests, errors: totals.errors,
        p50Ms: ms(totals.histogram.percentileUs(50)), p99Ms: ms(totals.histogram.percentileUs(99)), histogram: totals.histogram.encode(),
      };
      runs.push(run);
      options.onRun?.(run, i + 1, options.runs);
    }
  } finally {
    await pool.close();
  }
  return runs;
}

interface ShareState {
  readonly share: HttpShare;
  readonly request: Uint8Array;
  readonly histogram: LatencyHistogram;
  readonly deadline: number;
  requests: number;
  errors: number;
  stopped: boolean;
}

/** Runs inside a client thread: opens the share's connections, waits at the barrier, loads until the deadline. */
export async function driveHttpShare(share: HttpShare, barrier: StartBarrier): Promise<ShareResult> {
  const histogram = new LatencyHistogram();
  const sockets = await connectAll(share.host, share.port, share.connections, barrier);
  const startedMs = nowMs();
  if (sockets === null) return { requests: 0, errors: 0, histogram: histogram.toData(), startedMs, endedMs: startedMs };
  const state: ShareState = { share, request: Buffer.from(share.request, 'latin1'), histogram, deadline: performance.now() + share.durationMs, requests: 0, errors: 0, stopped: false };
  const connections = sockets.map((s) => new HttpConnection(state, s));
  await new Promise((resolve) => setTimeout(resolve, share.durationMs));
  state.stopped = true;
  for (const c of connections) c.stop();
  return { requests: state.requests, errors: state.errors, histogram: histogram.toData(), startedMs, endedMs: nowMs() };
}

/** One client connection: one request in flight at a time, reconnecting after a close or an error, as wrk does. */
class HttpConnection {
  readonly #state: ShareState;
  #socket: net.Socket | null = null;
  #sentAt = -1; // -1: no request in flight

  constructor(state: ShareState, socket: net.Socket) {
    this.#state = state;
    this.#attach(socket);
  }

  stop(): void {
    this.#socket?.destroy();
  }

  #attach(socket: net.Socket): void {
    const state = this.#state;
    const reader = new HttpResponseReader();
    const onResponse = (status: number, keepAlive: boolean): void => {
      if (this.#sentAt < 0) {
        state.errors++; // an answer to nothing: the stream is out of step, start again
        socket.destroy();
        return;
      }
      state.histogram.record((performance.now() - this.#sentAt) * 1000);
      this.#sentAt = -1;
      state.requests++;
      if (status < 200 || status > 399) state.errors++;
      if (keepAlive) this.#send();
      else socket.destroy();
    };
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.feed(chunk, onResponse);
      } catch {
        state.errors++;
        socket.destroy();
      }
    });
    socket.on('end', () => reader.end(onResponse));
    socket.on('error', () => undefined); // counted at 'close', where every failure ends up
    socket.on('close', () => {
      if (state.stopped || this.#socket !== socket) return;
      if (this.#sentAt >= 0) state.errors++;
      this.#sentAt = -1;
      this.#reconnect();
    });
    this.#send();
  }

  #send(): void {
    if (this.#state.stopped || performance.now() >= this.#state.deadline) return;
    this.#sentAt = performance.now();
    this.#socket!.write(this.#state.request);
  }

  #reconnect(): void {
    const { share } = this.#state;
    connectTcp(share.host, share.port).then(
      (socket) => (this.#state.stopped ? socket.destroy() : this.#attach(socket)),
      () => {
        this.#state.errors++;
        // wrk retries at once; a short pause keeps a dead server from turning the client CPU into a busy loop.
        if (!this.#state.stopped) setTimeout(() => this.#reconnect(), 10);
      },
    );
  }
}

const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD = 64 * 1024;
type ReaderState = 'head' | 'length' | 'close' | 'chunk-size' | 'chunk-data' | 'trailer';

/**
 * The client side of HTTP/1.x responses, fed reads cut anywhere: finds each response's end from
 * its head (Content-Length, chunked, no body for 1xx/204/304, else up to the close) without keeping
 * its body, and reports the status and whether the connection stays open.
 */
export class HttpResponseReader {
  #state: ReaderState = 'head';
  #carry = ''; // a head or chunk line cut by the end of a read (latin1)
  #remaining = 0; // body or chunk bytes still to pass over
  #status = 0;
  #keepAlive = true;

  feed(chunk: Uint8Array, onResponse: (status: number, keepAlive: boolean) => void): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let i = 0;
    while (i < buf.length) {
      switch (this.#state) {
        case 'head': {
          if (this.#carry === '') {
            const end = buf.indexOf(HEAD_END, i);
            if (end < 0) {
              this.#carry = buf.toString('latin1', i);
              i = buf.length;
            } else {
              this.#head(buf.toString('latin1', i, end), onResponse);
              i = end + 4;
            }
          } else {
            // Rare: the head was cut, perhaps inside its terminator; search the joined text.
            const text = this.#carry + buf.toString('latin1', i, Math.min(buf.length, i + MAX_HEAD));
            const end = text.indexOf('\r\n\r\n');
            if (end < 0) {
              this.#carry = text;
              i = buf.length;
            } else {
              const consumed = end + 4 - this.#carry.length;
              this.#carry = '';
              this.#head(text.slice(0, end), onResponse);
              i += consumed;
            }
          }
          if (this.#carry.length > MAX_HEAD) throw new ClientError(BUILTIN_CLIENT, 'protocol error: response head too long');
          break;
        }
        case 'length':
        case 'chunk-data': {
          const take = Math.min(this.#remaining, buf.length - i);
          i += take;
          this.#remaining -= take;
          if (this.#remaining === 0) {
            if (this.#state === 'length') this.#done(onResponse);
            else this.#state = 'chunk-size';
          }
          break;
        }
        case 'close':
          i = buf.length;
          break;
        case 'chunk-size':
        case 'trailer': {
          const lf = buf.indexOf(10, i);
          if (lf < 0) {
            this.#carry += buf.toString('latin1', i);
            if (this.#carry.length > MAX_HEAD) throw new ClientError(BUILTIN_CLIENT, 'protocol error: chunk line too long');
            i = buf.length;
            break;
          }
          const line = (this.#carry + buf.toString('latin1', i, lf)).replace(/\r$/, '');
          this.#carry = '';
          i = lf + 1;
          if (this.#state === 'trailer') {
            if (line === '') this.#done(onResponse);
          } else {
            const size = parseInt(line.split(';')[0]!.trim(), 16);
            if (!Number.isInteger(size) || size < 0) throw new ClientError(BUILTIN_CLIENT, `protocol error: bad chunk size ${JSON.stringify(line)}`);
            if (size === 0) this.#state = 'trailer';
            else {
              this.#remaining = size + 2; // the chunk and its CRLF
              this.#state = 'chunk-data';
            }
          }
          break;
        }
      }
    }
  }

  /** The server closed its side: completes a response whose body runs up to the close. */
  end(onResponse: (status: number, keepAlive: boolean) => void): void {
    if (this.#state === 'close') this.#done(onResponse);
  }

  #head(text: string, onResponse: (status: number, keepAlive: boolean) => void): void {
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? '');
    if (!m) throw new ClientError(BUILTIN_CLIENT, `protocol error: not an HTTP/1.x status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
    const status = Number(m[2]);
    let length = -1;
    let chunked = false;
    let connection = '';
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim().toLowerCase();
      if (name === 'content-length') {
        if (!/^\d{1,15}$/.test(value)) throw new ClientError(BUILTIN_CLIENT, `protocol error: bad Content-Length ${JSON.stringify(value)}`);
        length = Number(value);
      }
      else if (name === 'transfer-encoding') chunked = value.split(',').some((v) => v.trim() === 'chunked');
      else if (name === 'connection') connection = value;
    }
    if (status >= 100 && status < 200 && status !== 101) return; // interim: the real response follows
    this.#status = status;
    this.#keepAlive = m[1] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    if (status === 204 || status === 304 || status === 101) return this.#done(onResponse);
    if (chunked) this.#state = 'chunk-size';
    else if (length >= 0) {
      this.#remaining = length;
      if (length === 0) this.#done(onResponse);
      else this.#state = 'length';
    } else {
      this.#keepAlive = false;
      this.#state = 'close';
    }
  }

  #done(onResponse: (status: number, keepAlive: boolean) => void): void {
    this.#state = 'head';
    this.#remaining = 0;
    onResponse(this.#status, this.#keepAlive);
  }
}
