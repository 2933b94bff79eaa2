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

export class CrossingCounters {
  readonly edges: readonly Edge[];
  readonly buffer: SharedArrayBuffer;
  readonly #cells: Float64Array;

  constructor(edges: readonly Edge[], buffer?: SharedArrayBuffer) {
    this.edges = edges;
    this.buffer = buffer ?? new SharedArrayBuffer(Math.max(1, edges.length) * SLOTS_PER_EDGE * 8);
    this.#cells = new Float64Array(this.buffer);
  }

  record(edge: number, ns: number): void {
    const cells = this.#cells;
    cells[edge * SLOTS_PER_EDGE] = (cells[edge * SLOTS_PER_EDGE] ?? 0) + 1;
    cells[edge * SLOTS_PER_EDGE + 1] = (cells[edge * SLOTS_PER_EDGE + 1] ?? 0) + ns;
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
