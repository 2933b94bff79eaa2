// The gate crossing matrix: per edge (caller library -> callee library, mechanism) a count and the
// total round-trip time, kept in a SharedArrayBuffer so the host reads it while compartments run.
// Each edge has exactly one writer: the compartment of its caller library.

export type GateKind = 'function' | 'mpk-light' | 'mpk-dss' | 'ept';

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
/** Per compartment (index 0..16): nanoseconds spent waiting on gates, and parked idle on a device. */
const COMPARTMENT_SLOTS = 17 * 2;

export interface CompartmentTime {
  readonly compartment: number;
  readonly waitNs: number;
  readonly idleNs: number;
}

export class CrossingCounters {
  readonly edges: readonly Edge[];
  readonly buffer: SharedArrayBuffer;
  readonly #cells: Float64Array;

  constructor(edges: readonly Edge[], buffer?: SharedArrayBuffer) {
    this.edges = edges;
    this.buffer = buffer ?? new SharedArrayBuffer((edges.length * SLOTS_PER_EDGE + COMPARTMENT_SLOTS) * 8);
    this.#cells = new Float64Array(this.buffer);
  }

  record(edge: number, ns: number): void {
    const cells = this.#cells;
    cells[edge * SLOTS_PER_EDGE] = (cells[edge * SLOTS_PER_EDGE] ?? 0) + 1;
    cells[edge * SLOTS_PER_EDGE + 1] = (cells[edge * SLOTS_PER_EDGE + 1] ?? 0) + ns;
  }

  /** Time compartment `index` spent waiting (gates) or idle (parked on a device); its own thread writes it. */
  recordWait(index: number, ns: number): void {
    const at = this.edges.length * SLOTS_PER_EDGE + index * 2;
    this.#cells[at] = (this.#cells[at] ?? 0) + ns;
  }

  recordIdle(index: number, ns: number): void {
    const at = this.edges.length * SLOTS_PER_EDGE + index * 2 + 1;
    this.#cells[at] = (this.#cells[at] ?? 0) + ns;
  }

  /** Wait and idle time per compartment since `before` (a snapshot), or since boot. */
  compartmentTimes(indexes: readonly number[], before?: Float64Array): CompartmentTime[] {
    const base = this.edges.length * SLOTS_PER_EDGE;
    const cell = (i: number): number => (this.#cells[i] ?? 0) - (before?.[i] ?? 0);
    return indexes.map((c) => ({ compartment: c, waitNs: cell(base + c * 2), idleNs: cell(base + c * 2 + 1) }));
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

  /** A snapshot to subtract later (per-request figures over a measurement window). */
  snapshot(): Float64Array {
    return this.#cells.slice();
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
