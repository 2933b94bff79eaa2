// Measurements on several machines: the caller side of a BullMQ queue in Redis. Each measurement is
// one job on the queue `flexos-explore`; scripts/explore-worker.ts, on any number of machines, takes
// jobs one at a time, measures with the shared oracles and returns {value, noise?, machine}.

import { Queue, QueueEvents, type Job, type RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { QueueError } from '../../kernel/abi/errors.js';
import { UsageError } from '../cli.js';
import { RUN_OPTIONS, type Values } from './oracles.js';
import type { Measurement, Oracle } from './search.js';

/** One queue for every space: a worker needs only the Redis address; the job names its space. */
export const QUEUE_NAME = 'flexos-explore';

/** The wire format: what a job carries, what a worker returns. */
export interface MeasureJob {
  /** A bundled space name or a space file path, as given to explore.js (read on the worker's machine). */
  readonly space: string;
  readonly label: string;
  readonly metric: 'measured' | 'modelled' | 'file';
  /** The measurement's options from RUN_OPTIONS (requests, sizes, duration, runs, count, builtin, from). */
  readonly run: Readonly<Record<string, string | boolean>>;
}

export interface MeasureReply {
  readonly value: number;
  readonly noise?: number;
  /** The worker: its --name, else host:pid. */
  readonly machine: string;
}

export interface QueueAddress {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  /** The address without its password, for messages. */
  readonly shown: string;
}

const VALID = 'redis://[user:password@]host[:port][/db], e.g. redis://127.0.0.1:6379';

/** Parses `redis://host:port`; a UsageError names what was wrong and what is valid. */
export function parseQueueUrl(text: string): QueueAddress {
  const bad = (problem: string): never => {
    throw new UsageError(`--queue: ${JSON.stringify(text)} ${problem}; expected ${VALID}`);
  };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    const port = /^redis:\/\/[^/]*:(\d+)(\/|$)/.exec(text)?.[1];
    return bad(port === undefined ? 'is not a URL' : `has port ${port}, not 1-65535`);
  }
  if (url.protocol !== 'redis:') bad(`has scheme ${url.protocol.replace(/:$/, '')}${url.protocol === 'rediss:' ? ' (TLS is not supported)' : ''}`);
  if (url.hostname === '') bad('has no host');
  if (url.search !== '' || url.hash !== '') bad('has a query or fragment');
  const port = url.port === '' ? 6379 : Number(url.port);
  if (!(port >= 1 && port <= 65535)) bad(`has port ${port}, not 1-65535`);
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!/^\d*$/.test(dbText) || !Number.isSafeInteger(db)) bad(`has database ${JSON.stringify(dbText)}, not a number`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port,
    db,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    shown: `redis://${url.host}${db ? `/${db}` : ''}`,
  };
}

/** How long a lost connection is retried before everything waiting on it fails (~10 s). */
const RETRIES = 20;
const RETRY_MS = 500;
const CONNECT_MS = 3000;

/** Connection options for BullMQ's clients: bounded retries (ioredis would retry forever). */
export function connectionOptions(address: QueueAddress): RedisOptions {
  return {
    host: address.host,
    port: address.port,
    db: address.db,
    ...(address.username ? { username: address.username } : {}),
    ...(address.password ? { password: address.password } : {}),
    connectTimeout: CONNECT_MS,
    // ioredis keeps a timer this long after disconnecting a socket that already closed: exit promptly.
    disconnectTimeout: 200,
    retryStrategy: (times: number) => (times > RETRIES ? null : RETRY_MS),
  };
}

/**
 * Connects a watch client: it must answer PING within a few seconds, else an error says why. It then
 * stays open; `onLost` is called once if the connection is gone for good (retries exhausted), so that
 * nothing waits forever on a queue that no longer exists.
 */
export async function watchQueue(address: QueueAddress, onLost: (why: string) => void): Promise<{ close(): void }> {
  let lastError: Error | undefined;
  let connected = false;
  const client = new Redis({ ...connectionOptions(address), lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: (times) => (!connected || times > RETRIES ? null : RETRY_MS) });
  client.on('error', (error: Error) => void (lastError = error));
  const fail = (why: string, cause?: unknown): QueueError => {
    client.disconnect();
    return new QueueError(address.shown, `--queue ${address.shown}: cannot reach Redis (${why})`, cause === undefined ? undefined : { cause });
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(fail(`no answer within ${CONNECT_MS / 1000} s`)), CONNECT_MS);
  });
  try {
    await Promise.race([(async () => {
      await client.connect();
      const pong = await client.ping();
      if (pong !== 'PONG') throw new QueueError(address.shown, `PING answered ${JSON.stringify(pong)}`);
    })(), timeout]);
  } catch (error) {
    throw error instanceof Error && error.message.startsWith('--queue') ? error : fail(lastError?.message ?? (error as Error).message, lastError ?? error);
  } finally {
    clearTimeout(timer);
  }
  connected = true;
  let closing = false;
  client.on('end', () => {
    if (!closing) onLost(`lost the connection to ${address.shown}: ${lastError?.message ?? 'closed'}`);
  });
  return {
    close() {
      closing = true;
      client.disconnect();
    },
  };
}

export interface QueueOracle {
  readonly measure: Oracle;
  /** The queue's address, without a password. */
  readonly address: string;
  /** Workers connected to the queue now. */
  readonly workers: () => Promise<number>;
  /** Removes this run's jobs no worker has taken yet, fails what still waits, and disconnects. */
  readonly close: () => Promise<void>;
}

export interface QueueOracleOptions {
  /** As given to explore.js: the workers load it themselves. */
  readonly space: string;
  readonly metric: MeasureJob['metric'];
  /** The command line's values; the RUN_OPTIONS among them go with each job. */
  readonly values: Values;
  /** Progress lines (which configuration went to which machine). */
  readonly say?: (text: string) => void;
}

/** An oracle whose every measurement is a job on the queue at `url`, measured by whichever worker takes it. */
export async function queueOracle(url: string, options: QueueOracleOptions): Promise<QueueOracle> {
  const address = parseQueueUrl(url);
  const say = options.say ?? (() => {});
  const pending = new Map<string, { job?: Job; reject: (error: Error) => void }>();
  const failAll = (why: string): void => {
    for (const p of pending.values()) p.reject(new QueueError(address.shown, why));
    pending.clear();
  };
  const watch = await watchQueue(address, failAll);
  const connection = connectionOptions(address);
  const queue = new Queue<MeasureJob, MeasureReply, string>(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  // Errors while reconnecting are reported through the watch client; these only must not throw.
  queue.on('error', () => {});
  events.on('error', () => {});
  try {
    await events.waitUntilReady();
  } catch (error) {
    watch.close();
    await Promise.allSettled([events.disconnect(), queue.disconnect()]);
    throw new QueueError(address.shown, `--queue ${address.shown}: cannot listen for results (${(error as Error).message})`, { cause: error });
  }
  const run: Record<string, string | boolean> = {};
  for (const name of RUN_OPTIONS) {
    const v = options.values[name];
    if (v !== undefined) run[name] = v;
  }
  let serial = 0;

  const measure: Oracle = (label) =>
    new Promise<Measurement>((resolve, reject) => {
      const key = `${label}#${serial++}`;
      const entry: { job?: Job; reject: (error: Error) => void } = { reject };
      pending.set(key, entry);
      const settle = (): boolean => pending.delete(key);
      void (async () => {
        try {
          const job = await queue.add(options.space, { space: options.space, label, metric: options.metric, run }, { removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } });
          entry.job = job;
          say(`queued ${label} (job ${job.id})`);
          const reply = (await job.waitUntilFinished(events)) as MeasureReply;
          if (typeof reply?.value !== 'number') throw new QueueError(address.shown, `the worker returned ${JSON.stringify(reply)}, not {value, machine}`);
          if (!settle()) return;
          say(`measured ${label} on ${reply.machine}: ${reply.value}`);
          resolve({ value: reply.value, ...(typeof reply.noise === 'number' ? { noise: reply.noise } : {}), machine: String(reply.machine) });
        } catch (error) {
          if (settle()) reject(new QueueError(address.shown, `measuring ${label} on the queue ${address.shown} failed: ${(error as Error).message}`, { cause: error }));
        }
      })();
    });

  const closeAll = async (): Promise<void> => {
    watch.close();
    const left = [...pending.values()];
    failAll(`the queue ${address.shown} was closed`);
    const graceful = (async () => {
      // Jobs not yet taken would otherwise be measured for nobody (a taken one is locked: it stays).
      await Promise.allSettled(left.map((p) => p.job?.remove()));
      await Promise.allSettled([events.close(), queue.close()]);
    })();
    // A Redis that went away does not answer: give up on it after a few seconds.
    await Promise.race([graceful, new Promise((done) => setTimeout(done, CONNECT_MS).unref())]);
    await Promise.allSettled([events.disconnect(), queue.disconnect()]);
  };
  let closing: Promise<void> | undefined;
  return {
    measure,
    address: address.shown,
    workers: async () => (await queue.getWorkers()).length,
    close: () => (closing ??= closeAll()),
  };
}
