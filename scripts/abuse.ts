// `node scripts/abuse.js`: hostile clients over loopback against each preset's image (pipelining
// without reading, slow readers, oversized and malformed input, many idle connections, half-closed
// sockets), each checked for: the image stays up, a well-behaved client is served meanwhile, the
// data written before reads back intact, and the app compartment's memory stays within its bound.

import net from 'node:net';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NGINX_SITE } from '../workloads/nginx/site.js';
import { isPreset, loadPreset } from '../workloads/presets.js';
import { appNamed, libraryRegistry } from '../workloads/registry.js';
import type { App } from '../workloads/app.js';
import { launch, appOf } from '../workloads/launch.js';
import type { RealServer } from '../workloads/app.js';
import { missingBinary, startReal } from './abuse/real-server.js';
import { RegionHeap } from '../shm/heap.js';
import { nginxMainArgs, OUTPUT_CAP } from '../workloads/nginx/limits.js';
import { numberOption, parseCommandLine, presetsOption, runCommand, UsageError } from './cli.js';
import { formatTable } from './table.js';

const USAGE = `usage: node scripts/abuse.js [options]

Boots each preset and points hostile clients at it over loopback, one attack at a time:
  pipeline     2000 pipelined requests (Nginx: GET /; Redis: GET of a 64 KiB value), never read
  slow-reader  200 pipelined requests, read 4 KiB every 100 ms
  oversized    Nginx: a 100 KiB URI, a 600 MB Content-Length; Redis: a 600 MB bulk length claim, a 16 MiB value
  malformed    64 KiB of random bytes on each of 4 connections
  idle-conns   100 connections sending a request one byte every 500 ms (slow loris)
  past-limit   Nginx: every connection worker_connections allows held, then 8 more, to be refused
               (booted with worker_connections 120, below the netdev's 128 slots)
  reset        4 clients at a time, over and over, pipelining a burst (Redis: 200 GETs of a 64 KiB
               value; Nginx: the site's largest file 50 times if it is 64 KiB or more, else GET / 2000
               times) and resetting the connection (RST) after 4 to 244 KiB of the replies
  half-closed  20 connections that send one request and shut their write side
For each it checks that the image stays up, that a well-behaved client is answered correctly
meanwhile (its worst latency), that what was written before reads back intact, and the peak growth
of the app compartment's memory (its TLSF heap, read by the host from the heap's header, plus the JS
heap its thread publishes) against the bound of the app's limits; for a real server, the growth of
its processes' VmRSS (/proc/<pid>/status, summed over nginx's master and worker), not bounded. The "attacker got" column is what
the hostile sockets read: the first line of the reply and how each connection ended (closed or reset
by the server after so many bytes, reset by the attacker, timed out waiting, still open). Prints a
table; exits 1 if any check of any preset failed.

options:
  --presets <list>    comma-separated presets (default redis-none,nginx-none,redis-mpk2,nginx-mpk2);
                      real-redis and real-nginx are Debian's redis-server (--save '' --appendonly no)
                      and nginx (one worker, worker_connections 120), as bench-vs-real.js starts them
                      on a free loopback port, skipped with a line saying so if not installed
  --seconds <s>       how long each attack is held while the well-behaved client runs (default 2)
  --json              print one JSON object on stdout instead of the table
  --help              this text`;

const OPTIONS = {
  presets: { type: 'string' },
  seconds: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const DEFAULT_PRESETS = 'redis-none,nginx-none,redis-mpk2,nginx-mpk2';
const MiB = 1024 * 1024;
/** Growth of a compartment's JS heap that is its collector's timing, not memory held. */
const JS_SLACK = 16 * MiB;

/** One application as the attacks see it: its protocol, and what one of its connections may hold. */
interface Target {
  /** Memory one connection may make the app hold under its limits (Nginx: pending output, limits.ts; Redis: its 64 MiB output limit and a bulk being read). */
  readonly perConnection: number;
  /** Connections at once the image is booted to accept, the listener included (Nginx's worker_connections); absent: no limit below the netdev's slots. */
  readonly connectionLimit?: number;
  /** Arguments of the app's main after the port, when the attacks need other than its defaults. */
  readonly mainArgs?: readonly number[];
  /** Writes the data that `intact` checks after every attack. */
  prepare(port: number): Promise<void>;
  /** One well-behaved request; throws unless the answer is right. */
  probe(client: WellBehaved): Promise<void>;
  /** What the server says of its biggest output buffer lately, where it says it (Redis's INFO clients). */
  peakOutput?(port: number): Promise<string>;
  /** Everything written by prepare reads back intact (a description of what is wrong otherwise). */
  intact(port: number): Promise<string | null>;
  readonly requests: { readonly flood: Buffer; readonly burst: Buffer; readonly slow: Buffer; readonly oversized: readonly { bytes: Buffer; stores: number }[]; readonly half: Buffer; readonly loris: Buffer };
}

/** How an attacker's connection ended, as its socket saw it; null: still open. */
type Ending = 'closed' | 'reset' | 'reset by the attacker' | string | null;

/** A client connection that keeps what it receives, and how it ended. */
class Conn {
  readonly socket: net.Socket;
  received = Buffer.alloc(0);
  total = 0;
  closed = false;
  /** The server's FIN ('closed'), an RST ('reset'), the attacker's own RST, another socket error's code. */
  ending: Ending = null;
  /** The first bytes ever received (up to 256), kept apart from `received`, which a probe resets. */
  head = Buffer.alloc(0);
  #wake: (() => void) | null = null;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (d: Buffer) => {
      this.total += d.length;
      if (this.received.length < 256 * 1024) this.received = Buffer.concat([this.received, d]);
      if (this.head.length < 256) this.head = Buffer.concat([this.head, d.subarray(0, 256 - this.head.length)]);
      this.#wake?.();
    });
    this.socket.on('end', () => void (this.ending ??= 'closed'));
    const end = (): void => {
      this.closed = true;
      this.#wake?.();
    };
    this.socket.on('close', end);
    this.socket.on('error', (e: NodeJS.ErrnoException) => {
      // A write into a socket the server closed is EPIPE: for the attacker, a close.
      this.ending ??= e.code === 'ECONNRESET' ? 'reset' : e.code === 'EPIPE' ? 'closed' : (e.code ?? e.message);
      end();
    });
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.readyState === 'open') return resolve();
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
  }

  /** Waits until `done(received)` holds, the connection closes, or `timeoutMs` passes. */
  async until(done: (received: Buffer) => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.received)) {
      if (this.closed || Date.now() > deadline) return done(this.received);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 50).unref();
      });
    }
    return true;
  }

  /** The attacker's RST (SO_LINGER 0), as a client that vanishes mid-reply sends it. */
  reset(): void {
    this.ending ??= 'reset by the attacker';
    if (!this.socket.destroyed) this.socket.resetAndDestroy();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function resp(...args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a) : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** The well-behaved client: one keep-alive connection, opened again only after a failure. */
class WellBehaved {
  readonly #port: number;
  #conn: Conn | null = null;

  constructor(port: number) {
    this.#port = port;
  }

  async connect(): Promise<void> {
    if (this.#conn !== null && !this.#conn.closed) return;
    this.#conn = new Conn(this.#port);
    await this.#conn.connected();
  }

  /** One request and its answer, checked by `ok`. */
  async ask(request: Buffer, ok: (received: Buffer) => boolean, timeoutMs = 5000): Promise<Buffer> {
    await this.connect();
    const c = this.#conn!;
    c.received = Buffer.alloc(0);
    c.socket.write(request);
    if (await c.until(ok, timeoutMs)) return c.received;
    this.close();
    throw new Error(c.closed ? `closed after ${c.received.length} bytes` : `no answer in ${timeoutMs} ms`);
  }

  close(): void {
    this.#conn?.destroy();
    this.#conn = null;
  }
}

/** One request and its answer on a fresh connection, checked by `ok`. */
async function exchange(port: number, request: Buffer, ok: (received: Buffer) => boolean, timeoutMs = 5000): Promise<Buffer> {
  const c = new Conn(port);
  try {
    await c.connected();
    c.socket.write(request);
    if (!(await c.until(ok, timeoutMs))) throw new Error(c.closed ? `closed after ${c.received.length} bytes` : `no answer in ${timeoutMs} ms`);
    return c.received;
  } finally {
    c.destroy();
  }
}

const KEYS = 50;
const keyValue = (i: number): string => `abuse-value-${i}-`.padEnd(16 + ((i * 37) % 200), String.fromCharCode(97 + (i % 26)));

function redisTarget(): Target {
  const bigValue = Buffer.alloc(64 * 1024, 'b');
  const bulk = (value: string): string => `$${Buffer.byteLength(value)}\r\n${value}\r\n`;
  return {
    perConnection: 65 * MiB,
    async prepare(port) {
      const sets = Buffer.concat([resp('SET', 'abuse:big', bigValue), ...Array.from({ length: KEYS }, (_, i) => resp('SET', `abuse:key:${i}`, keyValue(i)))]);
      await exchange(port, sets, (r) => r.toString('latin1').split('+OK\r\n').length - 1 === KEYS + 1, 10_000);
    },
    async probe(client) {
      const i = Math.floor(Math.random() * KEYS);
      const want = bulk(keyValue(i));
      const got = await client.ask(resp('GET', `abuse:key:${i}`), (r) => r.length >= want.length);
      if (got.toString('latin1') !== want) throw new Error(`wrong answer: ${JSON.stringify(got.subarray(0, 40).toString('latin1'))}`);
    },
    async peakOutput(port) {
      const whole = (r: Buffer): boolean => {
        const head = /^\$(\d+)\r\n/.exec(r.subarray(0, 24).toString('latin1'));
        return head !== null && r.length >= head[0].length + Number(head[1]) + 2;
      };
      const info = (await exchange(port, resp('INFO', 'clients'), whole)).toString('latin1');
      const peak = /client_recent_max_output_buffer:(\d+)/.exec(info);
      return peak === null ? '' : `; client_recent_max_output_buffer ${size(Number(peak[1]))}`;
    },
    async intact(port) {
      const gets = Buffer.concat(Array.from({ length: KEYS }, (_, i) => resp('GET', `abuse:key:${i}`)));
      const expected = Array.from({ length: KEYS }, (_, i) => bulk(keyValue(i))).join('');
      try {
        const got = await exchange(port, gets, (r) => r.length >= expected.length, 10_000);
        return got.toString('latin1') === expected ? null : 'keys read back wrong';
      } catch (error) {
        return `keys not read back: ${(error as Error).message}`;
      }
    },
    requests: {
      flood: Buffer.concat(Array.from({ length: 2000 }, () => resp('GET', 'abuse:big'))),
      burst: Buffer.concat(Array.from({ length: 200 }, () => resp('GET', 'abuse:big'))),
      slow: Buffer.concat(Array.from({ length: 200 }, () => resp('GET', 'abuse:big'))),
      oversized: [
        { bytes: Buffer.concat([Buffer.from('*3\r\n$3\r\nSET\r\n$11\r\nabuse:claim\r\n$600000000\r\n'), Buffer.alloc(MiB, 'x')]), stores: 0 },
        { bytes: resp('SET', 'abuse:huge', Buffer.alloc(16 * MiB, 'h')), stores: 16 * MiB },
      ],
      half: resp('PING'),
      loris: resp('GET', 'abuse:key:0'),
    },
  };
}

function nginxTarget(): Target {
  const index = readFileSync(join(NGINX_SITE, 'index.html'));
  // The reset attack asks for the site's largest file if it has one of 64 KiB or more, else for the index page many times.
  const files = readdirSync(NGINX_SITE).filter((f) => statSync(join(NGINX_SITE, f)).isFile());
  const largest = files.reduce<string | null>((best, f) => (best === null || statSync(join(NGINX_SITE, f)).size > statSync(join(NGINX_SITE, best)).size ? f : best), null);
  const largeFile = largest !== null && statSync(join(NGINX_SITE, largest)).size >= 64 * 1024 ? largest : null;
  const get = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: abuse\r\n\r\n`;
  const answered = (r: Buffer): boolean => {
    const split = r.indexOf('\r\n\r\n');
    return split >= 0 && r.length >= split + 4 + index.length;
  };
  return {
    perConnection: OUTPUT_CAP + 64 * 1024, // pending output, plus a read and a request being parsed
    connectionLimit: NGINX_WORKER_CONNECTIONS,
    mainArgs: nginxMainArgs({ workerConnections: NGINX_WORKER_CONNECTIONS }),
    async prepare() {},
    async probe(client) {
      const r = await client.ask(Buffer.from(get('/')), answered);
      const split = r.indexOf('\r\n\r\n');
      if (!r.subarray(0, 12).equals(Buffer.from('HTTP/1.1 200')) || !r.subarray(split + 4).equals(index)) throw new Error(`wrong answer: ${JSON.stringify(r.subarray(0, 40).toString('latin1'))}`);
    },
    async intact(port) {
      const client = new WellBehaved(port);
      try {
        await this.probe(client);
        return null;
      } catch (error) {
        return `the index page: ${(error as Error).message}`;
      } finally {
        client.close();
      }
    },
    requests: {
      flood: Buffer.from(get('/').repeat(2000)),
      burst: Buffer.from(largeFile === null ? get('/').repeat(2000) : get(`/${largeFile}`).repeat(50)),
      slow: Buffer.from(get('/').repeat(200)),
      oversized: [
        { bytes: Buffer.from(get('/' + 'a'.repeat(100 * 1024))), stores: 0 },
        { bytes: Buffer.concat([Buffer.from('POST / HTTP/1.1\r\nHost: abuse\r\nContent-Length: 600000000\r\n\r\n'), Buffer.alloc(MiB, 'x')]), stores: 0 },
      ],
      half: Buffer.from(get('/')),
      loris: Buffer.from(get('/')),
    },
  };
}

/** The applications abuse.js knows how to talk to, and how. */
const TARGETS: ReadonlyMap<App, () => Target> = new Map([
  [appNamed('redis'), redisTarget],
  [appNamed('nginx'), nginxTarget],
]);

function targetOf(preset: string, app: App): Target {
  const make = TARGETS.get(app);
  if (make === undefined) throw new UsageError(`--presets: ${preset} runs ${app.name}; abuse.js attacks ${[...TARGETS.keys()].map((a) => `${a.name}-*`).join(' and ')} presets`);
  return make();
}

/** A running attack: its connections, released by stop(), which says what the attack did. */
interface Attack {
  readonly conns: Conn[];
  /** Bytes the attack may legitimately make the app store (a huge value). */
  readonly stores: number;
  /** Connections the attack holds at once, for the memory bound; absent: all of `conns`. */
  readonly atOnce?: number;
  /** The attacker waited for an answer: an open connection that got nothing had timed out. */
  readonly awaited?: boolean;
  stop(): Promise<string>;
}

/** A deterministic byte stream (xorshift), so that a failing run can be repeated. */
function randomBytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const size = (bytes: number): string => (bytes < 1024 ? `${bytes} B` : bytes < MiB ? `${Math.round(bytes / 1024)} KiB` : `${(bytes / MiB).toFixed(1)} MiB`);

/** The first line of what a connection received, printable and short; 'nothing' if it received nothing. */
export function firstLine(head: Buffer): string {
  if (head.length === 0) return 'nothing';
  const eol = head.indexOf('\r\n');
  const line = head.subarray(0, eol < 0 ? head.length : eol).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return line.length > 48 ? `${line.slice(0, 47)}…` : line || 'an empty line';
}

/**
 * What the attackers' sockets received, grouped: the first line of the reply and how the connection
 * ended (the server's close or reset after so many bytes, the attacker's own reset, timed out
 * waiting, still open), with how many connections saw each.
 */
function attackerGot(conns: readonly Conn[], awaited = false): string {
  const groups = new Map<string, { count: number; min: number; max: number }>();
  for (const c of conns) {
    const ended = c.ending === null ? (awaited && c.total === 0 ? 'timed out' : 'open') : c.ending;
    const key = `${firstLine(c.head)}, ${ended}`;
    const g = groups.get(key) ?? { count: 0, min: Infinity, max: 0 };
    groups.set(key, { count: g.count + 1, min: Math.min(g.min, c.total), max: Math.max(g.max, c.total) });
  }
  return [...groups]
    .map(([key, g]) => {
      const bytes = g.min === g.max ? size(g.max) : `${size(g.min)}-${size(g.max)}`;
      const after = key.endsWith(', timed out') || (key.endsWith(', open') && g.max === 0) ? '' : key.endsWith(', open') ? `, ${bytes} received` : ` after ${bytes}`;
      return `${key}${after}${conns.length > 1 ? ` (${g.count})` : ''}`;
    })
    .join(' | ');
}

async function opened(port: number, count: number): Promise<Conn[]> {
  const conns = Array.from({ length: count }, () => new Conn(port));
  await Promise.all(conns.map((c) => c.connected().catch(() => undefined)));
  return conns;
}

/** Reads what the server had sent a connection that did not read, for at most `ms`, to see how it stands. */
async function drain(c: Conn, ms: number): Promise<void> {
  c.socket.resume();
  await c.until(() => false, ms);
}

/**
 * Nginx is booted with worker_connections below the netdev's 128 slots, so that a flood of
 * connections meets nginx's refusal rather than the device's.
 */
const NGINX_WORKER_CONNECTIONS = 120;

const ATTACKS: Readonly<Record<string, (port: number, target: Target) => Promise<Attack | null>>> = {
  async pipeline(port, target) {
    const conns = await opened(port, 1);
    conns[0]!.socket.pause();
    conns[0]!.socket.write(target.requests.flood);
    // What the attacker would find if it read at last (300 ms of it): replies, or a close. The
    // server's own figure for the output it held, read before, is the first attack's alone.
    const stop = async (): Promise<string> => {
      const held = (await target.peakOutput?.(port).catch(() => '')) ?? '';
      await drain(conns[0]!, 300);
      return `unread for the attack${held}`;
    };
    return { conns, stores: 0, stop };
  },
  async 'slow-reader'(port, target) {
    const conns = await opened(port, 1);
    const c = conns[0]!;
    c.socket.pause();
    c.socket.write(target.requests.slow);
    const timer = setInterval(() => {
      // 4 KiB per 100 ms: take one chunk, then stop reading again.
      c.socket.resume();
      setTimeout(() => c.socket.pause(), 1);
    }, 100);
    return { conns, stores: 0, stop: async () => (clearInterval(timer), `${(c.total / 1024).toFixed(0)} KiB read slowly`) };
  },
  async oversized(port, target) {
    const conns = await opened(port, target.requests.oversized.length);
    target.requests.oversized.forEach((r, i) => conns[i]!.socket.write(r.bytes));
    const stores = target.requests.oversized.reduce((s, r) => s + r.stores, 0);
    // A huge value takes a while to cross into the image: its answer belongs to this attack's window.
    const answered = async (): Promise<string> => (await Promise.all(conns.map((c) => c.until((r) => r.length > 0, 15_000))), '-');
    return { conns, stores, awaited: true, stop: answered };
  },
  async malformed(port) {
    const conns = await opened(port, 4);
    conns.forEach((c, i) => c.socket.write(randomBytes(64 * 1024, 0x9e3779b9 + i)));
    return { conns, stores: 0, stop: async () => '-' };
  },
  async 'idle-conns'(port, target) {
    const conns = await opened(port, 100);
    let at = 0;
    const timer = setInterval(() => {
      const byte = target.requests.loris.subarray(at, at + 1);
      at = (at + 1) % (target.requests.loris.length - 1); // never the last byte: the request never completes
      for (const c of conns) if (!c.closed) c.socket.write(byte);
    }, 500);
    return { conns, stores: 0, stop: async () => (clearInterval(timer), `${conns.filter((c) => !c.closed).length}/100 held open`) };
  },
  async 'past-limit'(port, target) {
    // Every connection the limit allows beside the listener and the well-behaved client, held;
    // then 8 more at once, which must be refused.
    if (target.connectionLimit === undefined) return null;
    const held = await opened(port, target.connectionLimit - 2);
    const extra = await opened(port, 8);
    await Promise.all(extra.map((c) => c.until(() => c.closed, 1500)));
    const refused = extra.filter((c) => c.closed && c.total === 0).length;
    for (const c of extra) if (!c.closed) c.destroy();
    const conns = [...held, ...extra];
    return { conns, stores: 0, stop: async () => `${refused}/8 past the limit refused; ${held.filter((c) => !c.closed).length}/${held.length} held` };
  },
  async reset(port, target) {
    // 4 clients at a time, each sending a pipelined burst of requests for large replies and resetting
    // (RST) once some of the replies came in: the server is mid-reply, with more of it queued.
    const conns: Conn[] = [];
    let stopping = false;
    const client = async (lane: number): Promise<void> => {
      for (let round = 0; !stopping; round++) {
        const c = new Conn(port);
        conns.push(c);
        try {
          await c.connected();
        } catch {
          continue;
        }
        c.socket.write(target.requests.burst);
        const after = 4096 + (((lane * 7919 + round * 104_729) % 61) * 4096); // 4 KiB to 244 KiB
        await c.until(() => c.total >= after, 1000);
        c.reset();
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const lanes = [0, 1, 2, 3].map(client);
    return {
      conns,
      atOnce: 4,
      stores: 0,
      stop: async () => {
        stopping = true;
        await Promise.all(lanes);
        return `${conns.filter((c) => c.ending === 'reset by the attacker').length} connections reset mid-reply`;
      },
    };
  },
  async 'half-closed'(port, target) {
    const conns = await opened(port, 20);
    for (const c of conns) c.socket.end(target.requests.half);
    return {
      conns,
      stores: 0,
      stop: async () => {
        await Promise.all(conns.map((c) => c.until(() => c.closed, 3000)));
        const answered = conns.filter((c) => c.received.length > 0).length;
        return `${answered}/20 answered; ${conns.filter((c) => c.closed).length}/20 closed`;
      },
      awaited: true,
    };
  },
};

export interface AttackResult {
  readonly preset: string;
  readonly attack: string;
  readonly up: boolean;
  readonly served: number;
  readonly probes: number;
  readonly worstMs: number;
  /** What the attackers' sockets received: first line of the reply and how each connection ended, grouped. */
  readonly attacker: string;
  /** What the attack did, in its own terms (connections held, bytes read slowly). */
  readonly note: string;
  /** What peakMem measures: the app compartment's TLSF heap (images), the process's VmRSS (real servers). */
  readonly memory: 'tlsf' | 'rss';
  /** Peak growth of that memory over its level before the attack. */
  readonly peakMem: number;
  /** null: the compartment published no new figure during the attack. */
  readonly peakJs: number | null;
  /** null: a real server, whose memory is not held to the images' bound. */
  readonly bound: number | null;
  readonly intact: string | null;
  readonly ok: boolean;
}

/** What the attacks need of a server, image or real: its port, whether it is down, its memory now. */
interface Attacked {
  readonly port: number;
  down(): string | null;
  /** Images: the app compartment's TLSF heap and JS heap; real servers: their RSS, no JS heap. */
  memory(): { main: number; js: number | null };
  stop(): Promise<void>;
}

/** The preset booted as an image: the app compartment's memory is read by the host from its TLSF heap's header and the JS heap its thread publishes. */
async function bootImage(preset: string, target: Target): Promise<Attacked> {
  const config = loadPreset(preset, { registry: libraryRegistry });
  const app = appOf(config);
  const image = await launch(config, { registry: libraryRegistry, port: 0, ...(target.mainArgs ? { mainArgs: target.mainArgs } : {}) });
  let down: string | null = null;
  image.main.then(
    (code) => void (down ??= `main returned ${code}`),
    (e: Error) => void (down ??= e.message),
  );
  const c = image.machine.image.compartments.find((x) => x.libraries.includes(app.name))!;
  const heap = RegionHeap.attach(image.machine.regions.find((r) => r.name === `heap.${c.name}`)!);
  return {
    port: image.port,
    down: () => down ?? image.machine.failure?.message ?? null,
    memory: () => ({ main: heap.stats().used, js: image.machine.counters.heapUsed(c.index) }),
    stop: () => image.stop(),
  };
}

/** `real-redis`, `real-nginx`: the real server of each application abuse.js attacks. */
const REAL_PRESETS: ReadonlyMap<string, App & { readonly real: RealServer }> = new Map(
  [...TARGETS.keys()].filter((app): app is App & { readonly real: RealServer } => app.real !== undefined).map((app) => [`real-${app.name}`, app]),
);

async function bootReal(app: App & { readonly real: RealServer }, target: Target): Promise<Attacked> {
  const server = await startReal(app.real, target.connectionLimit === undefined ? {} : { workerConnections: target.connectionLimit });
  return { port: server.port, down: () => server.down(), memory: () => ({ main: server.rss(), js: null }), stop: () => server.stop() };
}

async function attackPreset(preset: string, options: { seconds: number; say: (text: string) => void }): Promise<AttackResult[]> {
  const realApp = REAL_PRESETS.get(preset);
  const real = realApp !== undefined;
  const target = real ? TARGETS.get(realApp)!() : targetOf(preset, appOf(loadPreset(preset, { registry: libraryRegistry })));
  const server = real ? await bootReal(realApp, target) : await bootImage(preset, target);
  const results: AttackResult[] = [];
  try {
    await target.prepare(server.port);
    for (const [name, start] of Object.entries(ATTACKS)) {
      const gone = server.down();
      if (gone !== null) {
        results.push({ preset, attack: name, up: false, served: 0, probes: 0, worstMs: 0, attacker: '-', note: 'not run: the server is down', memory: real ? 'rss' : 'tlsf', peakMem: 0, peakJs: null, bound: null, intact: gone, ok: false });
        continue;
      }
      options.say(`${preset}: ${name}`);
      const base = server.memory();
      let peakMem = 0;
      // A compartment publishes its JS heap when it waits on a gate: one that never waits (a
      // single-compartment image busy in its loop) leaves the figure unchanged, shown as '-'.
      let peakJs: number | null = null;
      const sampler = setInterval(() => {
        const m = server.memory();
        peakMem = Math.max(peakMem, m.main - base.main);
        if (m.js !== null && base.js !== null && m.js > 0 && m.js !== base.js) peakJs = Math.max(peakJs ?? 0, m.js - base.js);
      }, 20);
      const client = new WellBehaved(server.port);
      await client.connect();
      const attack = await start(server.port, target);
      if (attack === null) {
        clearInterval(sampler);
        client.close();
        continue;
      }
      let served = 0;
      let probes = 0;
      let worstMs = 0;
      const until = Date.now() + options.seconds * 1000;
      while (Date.now() < until && server.down() === null) {
        const t0 = performance.now();
        probes++;
        await target.probe(client).then(() => served++, () => undefined);
        worstMs = Math.max(worstMs, performance.now() - t0);
        await new Promise((r) => setTimeout(r, 100));
      }
      client.close();
      const note = await attack.stop();
      const attacker = attackerGot(attack.conns, attack.awaited);
      for (const c of attack.conns) c.destroy();
      clearInterval(sampler);
      const failure = server.down();
      const up = failure === null;
      // The attack's connections were just dropped: the server notices them closed on its next
      // poll, so a refusal in the first moments (a full worker_connections) is tried again.
      let intact = up ? await target.intact(server.port) : failure;
      for (let retry = 0; up && intact !== null && retry < 10; retry++) {
        await new Promise((r) => setTimeout(r, 200));
        intact = await target.intact(server.port);
      }
      // A real server runs with its own defaults (Redis's normal clients have no output limit): its
      // memory is shown beside the images', not held to the images' bound.
      const bound = real ? null : (attack.atOnce ?? attack.conns.length) * target.perConnection + attack.stores;
      const ok = up && served === probes && intact === null && (bound === null || (peakMem <= bound && (peakJs ?? 0) <= bound + JS_SLACK));
      results.push({ preset, attack: name, up, served, probes, worstMs, attacker, note, memory: real ? 'rss' : 'tlsf', peakMem, peakJs, bound, intact, ok });
      // Let closed connections be reaped before the next attack measures its own baseline.
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await server.stop();
  }
  return results;
}

const mib = (bytes: number): string => (bytes / MiB).toFixed(2);

function resultTable(results: readonly AttackResult[]): string[] {
  return formatTable(
    ['preset', 'attack', 'up', 'served', 'worst ms', 'attacker got', 'attack did', 'peak mem MiB', 'peak js MiB', 'bound MiB', 'intact', 'result'],
    results.map((r) => [r.preset, r.attack, r.up ? 'yes' : 'NO', `${r.served}/${r.probes}`, Math.round(r.worstMs), r.attacker, r.note, `${mib(r.peakMem)}${r.memory === 'rss' ? ' rss' : ''}`, r.peakJs === null ? '-' : mib(r.peakJs), r.bound === null ? '-' : mib(r.bound), r.intact === null ? 'yes' : r.intact, r.ok ? 'ok' : 'FAILED']),
  );
}

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine(process.argv.slice(2), OPTIONS, USAGE);
  if (values['help']) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}; presets go in --presets`);
  const seconds = numberOption(values, 'seconds', 2, { min: 0.2, max: 600 });
  const presets = presetsOption(values, DEFAULT_PRESETS);
  for (const p of presets) {
    if (REAL_PRESETS.has(p)) continue;
    if (!isPreset(p)) throw new UsageError(`--presets: unknown preset ${JSON.stringify(p)}; e.g. ${DEFAULT_PRESETS}, or ${[...REAL_PRESETS.keys()].join(', ')}`);
    targetOf(p, appOf(loadPreset(p, { registry: libraryRegistry })));
  }
  const say = (text: string): void => void process.stderr.write(text + '\n');
  // A real server whose binary is absent is skipped, saying so, and does not fail the run.
  const skipped: { preset: string; reason: string }[] = [];
  for (const p of presets) {
    const app = REAL_PRESETS.get(p);
    const missing = app === undefined ? null : missingBinary(app.real);
    if (missing !== null) {
      skipped.push({ preset: p, reason: missing });
      say(`${p}: skipped, ${missing}`);
    }
  }
  const run = presets.filter((p) => !skipped.some((s) => s.preset === p));
  // The images' console (nginx's error log) goes to stderr while they run: stdout holds the report only.
  const stdoutWrite = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  const results: AttackResult[] = [];
  try {
    for (const preset of run) results.push(...(await attackPreset(preset, { seconds, say })));
  } finally {
    process.stdout.write = stdoutWrite;
  }
  const failed = [...new Set(results.filter((r) => !r.ok).map((r) => r.preset))];
  if (values['json']) process.stdout.write(JSON.stringify({ seconds, presets: run, skipped, failed, results }) + '\n');
  else {
    for (const line of resultTable(results)) process.stdout.write(line + '\n');
    for (const s of skipped) process.stdout.write(`${s.preset}: skipped, ${s.reason}\n`);
    const reals = run.filter((p) => REAL_PRESETS.has(p)).length;
    const unbounded = reals === 0 ? '' : ` (the ${reals} real server${reals === 1 ? '' : 's'}: up and intact, memory shown, not bounded)`;
    process.stdout.write(failed.length === 0 ? `all ${run.length} presets stayed up, bounded and intact${unbounded}\n` : `FAILED: ${failed.join(', ')}\n`);
  }
  return failed.length === 0 ? 0 : 1;
}

if (process.argv[1]?.endsWith('abuse.js')) await runCommand(main);
