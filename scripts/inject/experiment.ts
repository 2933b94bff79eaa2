// One fault-injection experiment: boot an image with a fault armed in one library, write reference
// data (Redis: known keys), drive requests until the fault fires, then tell how it ended: stopped
// (isolation, hardening, watchdog, refused), crashed, hung, or not stopped and what it corrupted.

import { ClientError } from '../../kernel/abi/errors.js';
import { launch, appOf } from '../../workloads/launch.js';
import { APPS } from '../../workloads/registry.js';
import {
  classifyFailure, DEFAULT_AFTER, InjectionError, SIGNAL_DETAIL, SIGNAL_STATE, SIGNAL_WORDS, STATE_ARMED, STATE_COMPLETED, STATE_FIRED, STOPPED,
  type FaultName, type FaultOutcome, type InjectionSpec,
} from '../../compartments/host/faults.js';
import type { Configuration } from '../../kernel/abi/schema.js';
import type { LibraryRegistry } from '../../kernel/abi/library.js';

export interface InjectionOptions {
  readonly registry: LibraryRegistry;
  readonly library: string;
  readonly fault: FaultName;
  /** The entry into the library on which the fault fires (default DEFAULT_AFTER). */
  readonly after?: number;
  /** The gate watchdog for the injected run (gates.timeout_ms), default 2000. */
  readonly timeoutMs?: number;
  /** Redis: reference keys written before the fault and read back after it (default 32). */
  readonly keys?: number;
  readonly say?: (line: string) => void;
}

export interface InjectionReport {
  readonly configuration: string;
  readonly library: string;
  readonly compartment: string;
  readonly fault: FaultName;
  readonly after: number;
  readonly outcome: FaultOutcome;
  readonly stopped: boolean;
  /** Reference keys whose value changed (Redis, when the fault was not stopped). */
  readonly corrupted: readonly string[];
  /** What the fault routine reported (strings overwritten or read, bytes smashed). */
  readonly detail: number;
  readonly requests: number;
}

export async function runInjection(config: Configuration, options: InjectionOptions): Promise<InjectionReport> {
  const { library, fault } = options;
  const after = options.after ?? DEFAULT_AFTER;
  const timeoutMs = options.timeoutMs ?? 2000;
  if (!Number.isInteger(after) || after < 1) throw new RangeError(`after: ${after} is not a positive integer`);
  const placement = config.libraries.find((l) => l.name === library);
  if (!placement) throw new InjectionError(`--inject: ${library} is not in ${config.name}; libraries: ${config.libraries.map((l) => l.name).join(', ')}`);
  const app = appOf(config);
  const probe = app.probe?.bind(app);
  if (!probe) throw new InjectionError(`--inject: fault injection drives ${APPS.filter((a) => a.probe).map((a) => a.name).join(' and ')}; ${config.name} runs ${app.name}`);
  const victim = config.libraries.find((l) => l.name === app.name)!.compartment;
  const signal = new SharedArrayBuffer(SIGNAL_WORDS * 4);
  const words = new Int32Array(signal);
  const inject: InjectionSpec = { library, fault, after, target: `heap.${victim}`, targetSize: config.heapSize, signal };
  const injected = { library, compartment: placement.compartment };
  // A short watchdog: an injected hang must end the run in seconds, not the default timeout.
  const guarded: Configuration = { ...config, gates: { ...config.gates, timeoutMs } };
  // A compartment stuck in the fault never answers stop: a short grace, then its thread is terminated.
  const image = await launch(guarded, { registry: options.registry, port: 0, inject, stopGraceMs: 300 });
  let failure: { error: unknown } | null = null;
  let ended: { error: unknown } | null = null;
  const settled = image.main.then(
    () => undefined,
    (error: unknown) => void (failure ??= { error }),
  );
  const client = probe(image.port);
  const reference = new Map<string, string>();
  let requests = 0;
  let corrupted: string[] = [];
  let unresponsive = false;
  try {
    // Reference data: written before the fault, compared after it.
    for (let i = 0; client.store && i < (options.keys ?? 32); i++) {
      const key = `flexos:ref:${i}`;
      const value = `reference-value-${i}-${'v'.repeat(16)}`;
      await bounded(client.store.set(key, value), timeoutMs * 2, settled);
      reference.set(key, value);
    }
    // Traffic until the fault fires and its effect shows: the app fails, or the routine completes.
    const hangMs = timeoutMs * 2 + 1000;
    const maxRequests = after * 4 + 200;
    let firedAt = 0;
    while (failure === null && requests < maxRequests) {
      const state = Atomics.load(words, SIGNAL_STATE);
      if (state === STATE_COMPLETED) break;
      if (state === STATE_FIRED && firedAt === 0) firedAt = Date.now();
      if (firedAt !== 0 && Date.now() - firedAt > hangMs) break;
      const answered = await bounded(client.request(), hangMs, settled).then(() => true, () => false);
      requests++;
      if (!answered && failure === null) {
        if (Atomics.load(words, SIGNAL_STATE) === STATE_ARMED) unresponsive = true;
        break;
      }
    }
    if (failure === null && Atomics.load(words, SIGNAL_STATE) === STATE_COMPLETED && client.store) {
      // A fresh connection (a store like the first's): the first may still owe the reply to a request the fault held up.
      const check = probe(image.port);
      try {
        for (const [key, value] of reference) {
          const got = await bounded(check.store!.get(key), timeoutMs * 2, settled);
          if (got !== value) corrupted.push(key);
        }
      } catch {
        unresponsive = true;
      } finally {
        check.close();
      }
    }
  } finally {
    client.close();
    ended = failure; // what the run itself saw: the shutdown below ends main too
    await image.stop();
  }
  const state = Atomics.load(words, SIGNAL_STATE);
  const detail = Atomics.load(words, SIGNAL_DETAIL);
  const outcome = ended !== null ? classifyFailure((ended as { error: unknown }).error, injected) : notStopped(state, { fault, detail, corrupted, unresponsive, victim, injected, requests });
  corrupted = corrupted.sort((a, b) => Number(a.split(':')[2]) - Number(b.split(':')[2]));
  return { configuration: config.name, library, compartment: placement.compartment, fault, after, outcome, stopped: STOPPED.has(outcome.kind), corrupted, detail, requests };
}

function notStopped(
  state: number,
  run: { fault: FaultName; detail: number; corrupted: string[]; unresponsive: boolean; victim: string; injected: { library: string; compartment: string }; requests: number },
): FaultOutcome {
  const where = { library: run.injected.library, compartment: run.injected.compartment };
  if (state === STATE_ARMED) {
    return { kind: 'not-triggered', summary: run.unresponsive ? 'the application stopped answering before the fault fired' : `the fault did not fire within ${run.requests} requests (lower --after)`, ...where };
  }
  if (state === STATE_FIRED) return { kind: 'hang', summary: `not stopped: ${run.injected.library} never returned and nothing ended it (no watchdog between it and the caller)`, ...where };
  const effects: Record<FaultName, string> = {
    'wild-write': `overwrote ${run.detail} strings in heap.${run.victim}`,
    'secret-read': `read heap.${run.victim}: ${run.detail} strings exposed`,
    'heap-overflow': `wrote ${run.detail} bytes past a heap block`,
    'use-after-free': `wrote ${run.detail} bytes into a freed block`,
    'stack-smash': `smashed ${run.detail} bytes of the frame above`,
    'bad-pointer': 'called a function it never declared',
    'infinite-loop': 'looped',
    crash: 'crashed',
  };
  const keys = run.corrupted.length > 0 ? `; corrupted keys: ${run.corrupted.slice(0, 8).join(', ')}${run.corrupted.length > 8 ? ` (+${run.corrupted.length - 8})` : ''}` : '';
  const alive = run.unresponsive ? '; the server no longer answers' : '';
  return { kind: 'not-stopped', summary: `not stopped: ${run.injected.library} ${effects[run.fault]}${keys}${alive}`, ...where };
}

/** Settles with `p`, or rejects after `ms`, or as soon as the application's main has ended. */
function bounded<T>(p: Promise<T>, ms: number, ended: Promise<void>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new ClientError('fault probe', `no answer within ${ms} ms`)), ms)));
  const gone = ended.then(() => Promise.reject(new ClientError('fault probe', 'the application ended')));
  gone.catch(() => undefined);
  return Promise.race([p, limit, gone]).finally(() => clearTimeout(timer));
}

/** Lines for the console: the outcome first, then where it happened. */
export function formatInjection(r: InjectionReport): string[] {
  const lines = [
    `fault ${r.library}:${r.fault} in ${r.configuration} (compartment ${r.compartment}, entry ${r.after}, ${r.requests} requests)`,
    `outcome: ${r.outcome.kind}${r.stopped ? ' (stopped)' : ''}`,
    `  ${r.outcome.summary}`,
  ];
  if (r.outcome.region) lines.push(`  region: ${r.outcome.region}`);
  if (r.outcome.check) lines.push(`  hardening check: ${r.outcome.check}`);
  if (r.corrupted.length > 0) lines.push(`  corrupted keys (${r.corrupted.length}): ${r.corrupted.join(', ')}`);
  return lines;
}

/** Exit status of `run.js --inject`: 0 is never returned, a fault happened either way. */
export function injectionExitCode(r: InjectionReport): number {
  if (r.stopped) return 3;
  if (r.outcome.kind === 'crashed') return 4;
  if (r.outcome.kind === 'not-triggered') return 6;
  return 5;
}
