// The gate crossing matrix: per edge (caller library -> callee library, mechanism) a count and the
// total round-trip time, kept in a SharedArrayBuffer so the host reads it while compartments run.
// Each edge has exactly one writer: the compartment of its caller library.

import { performance } from 'node:perf_hooks';

export type GateKind = FlexosGateKind | BoundaryKind;
/** FlexOS's own gates (Fig. 11). */
export type FlexosGateKind = 'function' | 'mpk-light' | 'mpk-dss' | 'ept';
/** The baselines' boundaries (compartments/baselines/); `pkru-window` counts CubicleOS's window operations. */
export type BoundaryKind = 'syscall' | 'ipc' | 'cubicle' | 'pkru-window';

export interface Edge {
  readonly caller: string;
  readonly callee: string;
  readonly kind: GateKind;
}

export interface CrossingRow extends Edge {
  readonly count: number;
  readonly totalNs: number;
  readonly meanNs: number;
}

const SLOTS_PER_EDGE = 2;
/**
 * Per compartment (index 0..16): nanoseconds spent waiting on gates and parked idle on a device,
 * and when the current wait or idle period began (absolute ms, 0 when none), so a snapshot taken in
 * the middle of a long idle period counts only its part inside the window.
 */
const PER_COMPARTMENT = 8;
const WAIT_NS = 0;
const IDLE_NS = 1;
const WAIT_SINCE = 2;
const IDLE_SINCE = 3;
/** The compartment's own JS heap in use, published now and then by its thread (soak runs read it). */
const JS_HEAP = 4;
/**
 * A collection the host asks for (a count it bumps); the compartment runs a full collection at its
 * next gate wait and publishes the heap it retains. Runs that never ask pay nothing.
 */
const COLLECT_ASKED = 5;
/** How many of those collections the compartment has run (the heap it published since is retained). */
const COLLECT_DONE = 6;
/** The JS heap in use right after the last of those collections: what the compartment retains. */
const JS_HEAP_RETAINED = 7;
const COMPARTMENT_SLOTS = 17 * PER_COMPARTMENT;

export interface CompartmentTime {
  readonly compartment: number;
  readonly waitNs: number;
  readonly idleNs: number;
}

/** Milliseconds on a clock every thread shares (timeOrigin differs per thread; their sum does not). */
export const absoluteMs = (): number => performance.timeOrigin + performance.now();

export class CrossingCounters {
  readonly edges: readonly Edge[];
  readonly buffer: SharedArrayBuffer;
  readonly #cells: Float64Array;
  readonly #base: number;

  constructor(edges: readonly Edge[], buffer?: SharedArrayBuffer) {
    this.edges = edges;
    this.buffer = buffer ?? new SharedArrayBuffer((edges.length * SLOTS_PER_EDGE + COMPARTMENT_SLOTS) * 8);
    this.#cells = new Float64Array(this.buffer);
    this.#base = edges.length * SLOTS_PER_EDGE;
  }

  record(edge: number, ns: number): void {
    const cells = this.#cells;
    cells[edge * SLOTS_PER_EDGE] = (cells[edge * SLOTS_PER_EDGE] ?? 0) + 1;
    cells[edge * SLOTS_PER_EDGE + 1] = (cells[edge * SLOTS_PER_EDGE + 1] ?? 0) + ns;
  }

  /** Compartment `index` starts waiting on a gate ('wait') or parks idle on a device ('idle'); its own thread writes these. */
  begin(kind: 'wait' | 'idle', index: number, nowMs = absoluteMs()): void {
    this.#cells[this.#base + index * PER_COMPARTMENT + (kind === 'wait' ? WAIT_SINCE : IDLE_SINCE)] = nowMs;
  }

  /** `nowMs`: an absolute time the caller already read (a gate reads the clock once per wait). */
  end(kind: 'wait' | 'idle', index: number, nowMs = absoluteMs()): void {
    const at = this.#base + index * PER_COMPARTMENT;
    const since = at + (kind === 'wait' ? WAIT_SINCE : IDLE_SINCE);
    const total = at + (kind === 'wait' ? WAIT_NS : IDLE_NS);
    const began = this.#cells[since] ?? 0;
    if (began > 0) this.#cells[total] = (this.#cells[total] ?? 0) + (nowMs - began) * 1e6;
    this.#cells[since] = 0;
  }

  publishHeap(index: number, bytes: number): void {
    this.#cells[this.#slot(index, JS_HEAP)] = bytes;
  }

  /** The host asks compartment `index` to publish its heap after a full collection. */
  askCollect(index: number): void {
    const at = this.#slot(index, COLLECT_ASKED);
    this.#cells[at] = (this.#cells[at] ?? 0) + 1;
  }

  /** How many collections the host has asked of compartment `index` so far. */
  collectsAsked(index: number): number {
    return this.#cells[this.#slot(index, COLLECT_ASKED)] ?? 0;
  }

  /** Compartment `index` ran the collections asked so far and publishes what its heap retains. */
  publishCollected(index: number, asked: number, bytes: number): void {
    this.#cells[this.#slot(index, JS_HEAP_RETAINED)] = bytes;
    this.#cells[this.#slot(index, COLLECT_DONE)] = asked;
    this.publishHeap(index, bytes);
  }

  /** The JS heap compartment `index` retained at its last asked collection (0 before one). */
  retainedHeap(index: number): number {
    return this.#cells[this.#slot(index, JS_HEAP_RETAINED)] ?? 0;
  }

  /** How many asked collections compartment `index` has run. */
  collectsDone(index: number): number {
    return this.#cells[this.#slot(index, COLLECT_DONE)] ?? 0;
  }

  /** The JS heap bytes compartment `index` last published (0 before its first wait). */
  heapUsed(index: number): number {
    return this.#cells[this.#slot(index, JS_HEAP)] ?? 0;
  }

  /** Wait and idle time per compartment since `before` (a snapshot), or since boot. */
  compartmentTimes(indexes: readonly number[], before?: Float64Array): CompartmentTime[] {
    const now = this.snapshot();
    const cell = (i: number): number => (now[i] ?? 0) - (before?.[i] ?? 0);
    return indexes.map((c) => {
      const at = this.#base + c * PER_COMPARTMENT;
      return { compartment: c, waitNs: cell(at + WAIT_NS), idleNs: cell(at + IDLE_NS) };
    });
  }

  /** The cell of one of compartment `index`'s slots (JS_HEAP, COLLECT_ASKED, ...). */
  #slot(index: number, which: number): number {
    return this.#base + index * PER_COMPARTMENT + which;
  }

  reset(): void {
    this.#cells.fill(0);
  }

  /** The matrix, busiest edges first; edges never crossed are left out. */
  rows(): CrossingRow[] {
    const rows: CrossingRow[] = [];
    this.edges.forEach((edge, i) => {
      const count = this.#cells[i * SLOTS_PER_EDGE] ?? 0;
      const totalNs = this.#cells[i * SLOTS_PER_EDGE + 1] ?? 0;
      if (count > 0) rows.push({ ...edge, count, totalNs, meanNs: totalNs / count });
    });
    return rows.sort((a, b) => b.count - a.count);
  }

  /** A snapshot to subtract later (per-request figures over a measurement window); periods in progress count up to now. */
  snapshot(): Float64Array {
    const cells = this.#cells.slice();
    const now = absoluteMs();
    for (let c = 0; c < 17; c++) {
      const at = this.#base + c * PER_COMPARTMENT;
      for (const [since, total] of [[WAIT_SINCE, WAIT_NS], [IDLE_SINCE, IDLE_NS]] as const) {
        const began = cells[at + since] ?? 0;
        if (began > 0) cells[at + total] = (cells[at + total] ?? 0) + (now - began) * 1e6;
      }
    }
    return cells;
  }

  rowsSince(before: Float64Array): CrossingRow[] {
    const rows: CrossingRow[] = [];
    this.edges.forEach((edge, i) => {
      const count = (this.#cells[i * SLOTS_PER_EDGE] ?? 0) - (before[i * SLOTS_PER_EDGE] ?? 0);
      const totalNs = (this.#cells[i * SLOTS_PER_EDGE + 1] ?? 0) - (before[i * SLOTS_PER_EDGE + 1] ?? 0);
      if (count > 0) rows.push({ ...edge, count, totalNs, meanNs: totalNs / count });
    });
    return rows.sort((a, b) => b.count - a.count);
  }
}
