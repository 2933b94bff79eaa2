// What every figure of `node scripts/paper.js` shares: walk the figure's configurations in order,
// keep what the resume store already holds (measured with the same parameters), measure the rest,
// append each result the moment it exists, and say how far along the run is.

import { FlexosError } from '../../kernel/abi/errors.js';
import type { Progress } from '../progress.js';
import type { PaperRecord, ResultStore } from './store.js';

export interface FigureOptions {
  /** Progress lines (stderr in the command). */
  readonly say: (text: string) => void;
  /** Called once per configuration in figure order, whether measured now or kept from the store. */
  readonly onRecord?: (record: PaperRecord, kept: boolean) => void;
  /**
   * Called when one configuration fails; the figure then goes on with the next one (a long run
   * should not end at its 73rd image). Without it, the first failure rejects.
   */
  readonly onFailure?: (label: string, error: Error) => void;
  /** The live bar on a terminal: one step per configuration measured now. */
  readonly progress?: Pick<Progress, 'start' | 'advance' | 'stop'>;
}

/** A kept record counts only if it was measured with the same workload parameters. */
export function sameParams(record: PaperRecord, params: unknown): boolean {
  return JSON.stringify(record['params'] ?? null) === JSON.stringify(params ?? null);
}

const clock = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

export function describeRecord(r: PaperRecord): string {
  const v = (n: number): string => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : +n.toPrecision(4) + '');
  return `${v(r.measured)} ${r.unit} measured, ${v(r.modelled)} ${r.unit} modelled`;
}

/**
 * Measures each item not already in the store with these params; returns the records in item
 * order. `measure` returns the record without params; they are added here.
 */
export async function measureEach<T extends { readonly label: string }>(
  items: readonly T[],
  store: ResultStore,
  measure: (item: T) => Promise<PaperRecord>,
  options: FigureOptions & { readonly params: unknown },
): Promise<PaperRecord[]> {
  const out: PaperRecord[] = [];
  const pending = items.filter((item) => !(store.get(item.label) && sameParams(store.get(item.label)!, options.params)));
  const todo = pending.length;
  if (todo < items.length) options.say(`${items.length - todo} of ${items.length} already measured in ${store.path}: kept (--fresh measures them again)`);
  let done = 0;
  let spentMs = 0;
  if (todo > 0) options.progress?.start(todo, pending[0]?.label ?? '');
  try {
    for (const [i, item] of items.entries()) {
      const kept = store.get(item.label);
      if (kept && sameParams(kept, options.params)) {
        out.push(kept);
        options.onRecord?.(kept, true);
        continue;
      }
      const started = performance.now();
      let measured: PaperRecord;
      try {
        measured = await measure(item);
      } catch (error) {
        if (!options.onFailure) throw error;
        spentMs += performance.now() - started;
        done++;
        options.say(`[${i + 1}/${items.length}] ${item.label}: FAILED: ${(error as Error).message}`);
        options.onFailure(item.label, error as Error);
        options.progress?.advance(1, pending[done]?.label ?? '');
        continue;
      }
      const record = { ...measured, params: options.params };
      spentMs += performance.now() - started;
      done++;
      store.append(record);
      out.push(record);
      const eta = done < todo ? `, ~${clock((spentMs / done) * (todo - done))} left` : '';
      options.say(`[${i + 1}/${items.length}] ${item.label}: ${describeRecord(record)} (${clock(spentMs)} so far${eta})`);
      options.progress?.advance(1, pending[done]?.label ?? '');
      options.onRecord?.(record, false);
    }
  } finally {
    options.progress?.stop();
  }
  return out;
}

/**
 * Runs body, rejecting after ms if it has not settled; onTimeout then runs (e.g. stopping the image,
 * which ends the client's connections). The late settlement of body is ignored.
 */
export async function withDeadline<T>(ms: number, body: Promise<T>, options: { readonly what: string; readonly onTimeout: () => Promise<void> }): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  body.catch(() => undefined);
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void options.onTimeout().catch(() => undefined);
      reject(new FlexosError('FLEXOS_ERR_BENCHMARK', `${options.what} did not finish within ${Math.round(ms / 1000)} s`));
    }, ms);
  });
  try {
    return await Promise.race([body, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
