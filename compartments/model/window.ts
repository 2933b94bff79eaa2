// A measurement window over a running image: wall time, gate crossings by edge, and each
// compartment's wait and idle time, as differences between two snapshots of the shared counters.

import { performance } from 'node:perf_hooks';
import type { CompartmentTime, CrossingRow } from '../gates/crossings.js';
import type { Machine } from '../host/host.js';
import { mergeWorkRows, type WorkRow } from '../runtime/work-counters.js';

export interface Window {
  readonly wallNs: number;
  readonly crossings: readonly CrossingRow[];
  readonly compartments: readonly CompartmentTime[];
  /** Work per library (and the host's TCP/IP row) inside the window. */
  readonly work: readonly WorkRow[];
}

export function openWindow(machine: Machine): () => Window {
  const before = machine.counters.snapshot();
  const workBefore = machine.work.snapshot();
  const started = performance.now();
  const indexes = machine.image.compartments.map((c) => c.index);
  return () => ({
    wallNs: (performance.now() - started) * 1e6,
    crossings: machine.counters.rowsSince(before),
    compartments: machine.counters.compartmentTimes(indexes, before),
    work: machine.work.rowsSince(workBefore),
  });
}

/** Adds windows (e.g. the runs of one test) into one. */
export function mergeWindows(windows: readonly Window[]): Window {
  const crossings = new Map<string, CrossingRow>();
  const compartments = new Map<number, CompartmentTime>();
  for (const w of windows) {
    for (const r of w.crossings) {
      const key = `${r.caller}>${r.callee}`;
      const prev = crossings.get(key);
      const count = (prev?.count ?? 0) + r.count;
      const totalNs = (prev?.totalNs ?? 0) + r.totalNs;
      crossings.set(key, { ...r, count, totalNs, meanNs: totalNs / count });
    }
    for (const c of w.compartments) {
      const prev = compartments.get(c.compartment);
      compartments.set(c.compartment, { compartment: c.compartment, waitNs: (prev?.waitNs ?? 0) + c.waitNs, idleNs: (prev?.idleNs ?? 0) + c.idleNs });
    }
  }
  return {
    wallNs: windows.reduce((s, w) => s + w.wallNs, 0),
    crossings: [...crossings.values()].sort((a, b) => b.count - a.count),
    compartments: [...compartments.values()],
    work: mergeWorkRows(windows.map((w) => w.work)),
  };
}
