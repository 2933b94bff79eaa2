// `node scripts/explore-worker.js --queue redis://host:port`: the measuring side of an exploration on
// several machines. Takes jobs from the queue explore.js --queue fills, one configuration at a time,
// measures each with the oracles explore.js uses (scripts/explore/oracles.ts) and returns the result.

import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import { FlexosError, QueueError } from '../kernel/abi/errors.js';
import { expandSpace, type Space, type SpacePoint } from '../compartments/config/space.js';
import { libraryRegistry } from '../workloads/registry.js';
import { parseCommandLine, runCommand, UsageError } from './cli.js';
import { fileOracle, loadSpace, runOracle } from './explore/oracles.js';
import { connectionOptions, parseQueueUrl, QUEUE_NAME, watchQueue, type MeasureJob, type MeasureReply } from './explore/queue.js';
import type { Oracle } from './explore/search.js';

const USAGE = `usage: node scripts/explore-worker.js --queue <redis://host:port> [--name <machine>] [--once]

Measures for explorations run elsewhere with \`node scripts/explore.js ... --queue <the same URL>\`: takes
one job at a time from the queue, measures the configuration as explore.js would on this machine and
returns the result. measured / modelled: boots the configuration and runs its workload (the space and
options the job names); file: reads the table at the job's --from path, on this machine. Run one per
machine, so that measurements do not share a CPU. SIGINT / SIGTERM stop it after the current job (a
second one at once).

options:
  --queue <url>      the Redis holding the queue: redis://[user:password@]host[:port][/db]
  --name <machine>   how explore.js and its results file name this worker (default: <hostname>:<pid>)
  --once             exit after one job
  --help             this text

example: node scripts/explore-worker.js --queue redis://10.0.0.1:6379 --name lab-2`;

const OPTIONS = {
  queue: { type: 'string' },
  name: { type: 'string' },
  once: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const say = (text: string): void => void process.stderr.write(text + '\n');

/** Measures jobs; a space is loaded and expanded once, a boot oracle kept per options. */
class Measurer {
  /** The queue's address, for the errors of a malformed job. */
  readonly #queue: string;
  #spaces = new Map<string, { space: Space; points: readonly SpacePoint[] }>();
  #oracles = new Map<string, Oracle>();

  constructor(queue: string) {
    this.#queue = queue;
  }

  async measure(data: unknown): Promise<{ value: number; noise?: number }> {
    const job = checkJob(data, this.#queue);
    let loaded = this.#spaces.get(job.space);
    if (!loaded) {
      const space = loadSpace(job.space);
      loaded = { space, points: expandSpace(space, { registry: libraryRegistry }) };
      this.#spaces.set(job.space, loaded);
    }
    const { space, points } = loaded;
    if (!points.some((p) => p.label === job.label)) {
      throw new FlexosError('FLEXOS_ERR_CONFIG', `unknown configuration ${JSON.stringify(job.label)} in space ${space.name} (${points.length} configurations, e.g. ${points[0]?.label ?? 'none'})`);
    }
    if (job.metric === 'file') {
      // Read at every job: the table may have been rewritten since the last one.
      if (typeof job.run['from'] !== 'string') throw new QueueError(this.#queue, 'metric file needs --from <table.json>');
      return fileOracle(job.run['from'])(job.label);
    }
    const key = JSON.stringify([job.space, job.metric, job.run]);
    let oracle = this.#oracles.get(key);
    if (!oracle) this.#oracles.set(key, (oracle = runOracle(space, points, job.metric, job.run)));
    return oracle(job.label);
  }
}

function checkJob(data: unknown, queue: string): MeasureJob {
  const job = data as Partial<MeasureJob> | null;
  const metrics = ['measured', 'modelled', 'file'];
  if (typeof job !== 'object' || job === null || typeof job.space !== 'string' || typeof job.label !== 'string' || !metrics.includes(job.metric as string) || typeof job.run !== 'object' || job.run === null) {
    throw new QueueError(queue, `not a measurement job {space, label, metric: ${metrics.join(' | ')}, run}: ${JSON.stringify(data)}`);
  }
  return job as MeasureJob;
}

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine(process.argv.slice(2), OPTIONS, USAGE);
  if (values['help']) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals.join(' ')}\n\n${USAGE}`);
  if (typeof values['queue'] !== 'string') throw new UsageError(`--queue <redis://host:port> is required\n\n${USAGE}`);
  const address = parseQueueUrl(values['queue']);
  const name = values['name'];
  if (name !== undefined && (typeof name !== 'string' || !/^[\w.:@-]{1,100}$/.test(name))) {
    throw new UsageError(`--name: ${JSON.stringify(name)} is not valid; expected 1-100 letters, digits or . : @ - _`);
  }
  const machine = name ?? `${hostname()}:${process.pid}`;
  const once = values['once'] === true;

  let lost: ((why: string) => void) | undefined;
  const gone = new Promise<string>((resolve) => (lost = resolve));
  const watch = await watchQueue(address, (why) => lost?.(why));
  const measurer = new Measurer(address.shown);
  let stopping: Promise<void> | undefined;
  let done = 0;
  const worker: Worker<MeasureJob, MeasureReply> = new Worker<MeasureJob, MeasureReply>(
    QUEUE_NAME,
    async (job: Job<MeasureJob, MeasureReply>) => {
      const what = `job ${job.id}: ${String(job.data?.label)} of ${String(job.data?.space)} (${String(job.data?.metric)})`;
      say(`${what}: measuring`);
      try {
        const m = await measurer.measure(job.data);
        say(`${what}: ${m.value} on ${machine}`);
        return { value: m.value, ...(m.noise === undefined ? {} : { noise: m.noise }), machine };
      } catch (error) {
        say(`${what}: failed: ${(error as Error).message}`);
        // BullMQ keeps only the message (the caller reads it as the job's failedReason): it names the machine.
        throw new QueueError(address.shown, `${machine}: ${(error as Error).message}`, { cause: error });
      } finally {
        // Closing before the job is finished tells BullMQ not to fetch the next one with it.
        if (once && ++done === 1) stopping ??= worker.close();
      }
    },
    { connection: connectionOptions(address), concurrency: 1 },
  );
  worker.on('error', () => {}); // reconnections are the watch client's to report
  const stop = (signal: string): void => {
    if (stopping) {
      say(`${signal}: stopping now`);
      void worker.close(true);
      return;
    }
    say(`${signal}: stopping after the current job`);
    stopping = worker.close();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  await worker.waitUntilReady();
  say(`explore-worker ${machine}: waiting for jobs on ${address.shown} (queue ${QUEUE_NAME})`);

  const closed = new Promise<void>((resolve) => worker.once('closed', () => resolve()));
  const why = await Promise.race([closed.then(() => undefined), gone]);
  watch.close();
  if (why !== undefined) {
    await Promise.race([worker.close(true), new Promise((r) => setTimeout(r, 3000).unref())]);
    throw new QueueError(address.shown, why);
  }
  say(`explore-worker ${machine}: stopped`);
  return 0;
}

await runCommand(main);
