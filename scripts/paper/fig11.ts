// Paper Fig. 11a in simulation: the latency of a gate to an empty function per mechanism, measured
// (median of the gate benchmark, scripts/gate-bench.ts) beside the calibrated cost the model charges.

import { DEFAULTS, DEFAULT_GATE_CYCLES } from '../../kernel/abi/schema.js';
import type { FlexosGateKind as GateKind } from '../../compartments/gates/crossings.js';
import { runGateBench } from '../gate-bench.js';
import type { TopLevelSpec } from 'vega-lite';
import { bySource, sourceBars } from './chart.js';
import { describeRecord, sameParams, type FigureOptions } from './measure.js';
import type { PaperRecord, ResultStore } from './store.js';

export const FIG11_GATES: readonly GateKind[] = ['function', 'mpk-light', 'mpk-dss', 'ept'];

export interface Fig11Options extends FigureOptions {
  /** Calls per measurement (gate-bench --calls). */
  readonly calls: number;
}

/** One gate benchmark run gives every row, so it runs only if some gate is missing from the store. */
export async function runFig11(store: ResultStore, options: Fig11Options): Promise<PaperRecord[]> {
  const params = { calls: options.calls };
  const have = (gate: string): boolean => store.has(gate) && sameParams(store.get(gate)!, params);
  if (FIG11_GATES.every(have)) {
    options.say(`all ${FIG11_GATES.length} gates already measured in ${store.path}: kept (--fresh measures them again)`);
  } else {
    options.say(`gate benchmark, ${options.calls} calls per measurement (the floor, the gates, the chain, beside a burner, stack variables)`);
    const report = await runGateBench({ calls: options.calls, say: (text) => options.say(`  ${text}`) });
    const ghz = DEFAULTS.costModel.clockGhz;
    for (const row of report.rows) {
      if (have(row.gate)) continue;
      const record: PaperRecord = {
        label: row.gate,
        measured: row.measured_ns ?? Number.NaN,
        modelled: row.modelled_cycles / ghz,
        unit: 'ns',
        p99_ns: row.p99_ns,
        modelled_cycles: row.modelled_cycles,
        clock_ghz: ghz,
        policy: report.policy,
        floor_ns: report.floor_ns,
        params,
      };
      store.append(record);
      options.say(`${row.gate}: ${describeRecord(record)}`);
    }
  }
  const records = FIG11_GATES.flatMap((gate) => store.get(gate) ?? []);
  for (const r of records) options.onRecord?.(r, false);
  return records;
}

export function fig11Rows(records: readonly PaperRecord[]): { header: string[]; rows: (string | number)[][]; notes: string[] } {
  const floor = records.find((r) => typeof r['floor_ns'] === 'number')?.['floor_ns'];
  return {
    header: ['gate', 'measured ns (median)', 'p99 ns', 'modelled cycles', 'modelled ns'],
    rows: records.map((r) => [r.label, r.measured, typeof r['p99_ns'] === 'number' ? r['p99_ns'] : 'n/a', (r['modelled_cycles'] as number | undefined) ?? DEFAULT_GATE_CYCLES[r.label as GateKind] ?? 'n/a', r.modelled]),
    notes: [
      `modelled: the paper's Fig. 11 cycles at ${DEFAULTS.costModel.clockGhz} GHz; measured: the simulator's gate (${String(records[0]?.['policy'] ?? 'default')} policy), a cross-thread RPC`,
      ...(typeof floor === 'number' ? [`floor (raw Atomics ping-pong between two spinning threads): ${floor} ns`] : []),
    ],
  };
}

/** Fig. 11a: each gate's latency, the simulator's measured median beside the paper's cycles (log scale). */
export function fig11Spec(records: readonly PaperRecord[]): TopLevelSpec {
  return sourceBars(bySource(records, () => ({})), { title: 'Fig. 11: gate latency, empty function (log scale)', xTitle: 'gate', yTitle: 'ns per call (log)', log: true });
}
