// The work matrix: per library of the image (and one row for the host's TCP/IP work done on the
// image's behalf), a count per work kind, in a SharedArrayBuffer the host reads while compartments run.
// Each row has one writer: the compartment its library lives in (the host for the host row).

import { WORK_KINDS, workIndex, type WorkKind, type WorkMeter } from '../../kernel/abi/work.js';

/** The row of the TCP/IP work the host does for the image (FlexOS: lwIP's segments, virtio's descriptors). */
export const HOST_ROW = '(host tcp/ip)';

export interface WorkRow {
  readonly library: string;
  readonly work: Readonly<Record<WorkKind, number>>;
}

const KINDS = WORK_KINDS.length;

export class WorkCounters {
  readonly libraries: readonly string[];
  readonly buffer: SharedArrayBuffer;
  readonly #cells: Float64Array;
  readonly #rows: ReadonlyMap<string, number>;

  /** `libraries`: the image's libraries in a fixed order; the host row is added last. */
  constructor(libraries: readonly string[], buffer?: SharedArrayBuffer) {
    this.libraries = [...libraries, HOST_ROW];
    this.buffer = buffer ?? new SharedArrayBuffer(this.libraries.length * KINDS * 8);
    if (this.buffer.byteLength !== this.libraries.length * KINDS * 8) {
      throw new RangeError(`work matrix of ${this.buffer.byteLength} bytes for ${this.libraries.length} rows of ${KINDS} kinds`);
    }
    this.#cells = new Float64Array(this.buffer);
    this.#rows = new Map(this.libraries.map((l, i) => [l, i]));
  }

  /** The meter a library (or the host row) adds to; unknown names are a bug of the caller. */
  meter(library: string): WorkMeter {
    const row = this.#rows.get(library);
    if (row === undefined) throw new RangeError(`no work row for ${JSON.stringify(library)}; rows: ${this.libraries.join(', ')}`);
    const cells = this.#cells;
    const base = row * KINDS;
    return {
      add(kind, units) {
        const at = base + workIndex[kind];
        cells[at] = cells[at]! + units;
      },
    };
  }

  snapshot(): Float64Array {
    return this.#cells.slice();
  }

  /** Work per row since `before` (a snapshot), or since boot; rows with no work are left out. */
  rowsSince(before?: Float64Array): WorkRow[] {
    const rows: WorkRow[] = [];
    this.libraries.forEach((library, r) => {
      const work = {} as Record<WorkKind, number>;
      let any = false;
      WORK_KINDS.forEach((kind, k) => {
        const at = r * KINDS + k;
        const units = this.#cells[at]! - (before?.[at] ?? 0);
        work[kind] = units;
        if (units !== 0) any = true;
      });
      if (any) rows.push({ library, work });
    });
    return rows;
  }
}

/** Adds rows of several windows by library. */
export function mergeWorkRows(windows: readonly (readonly WorkRow[])[]): WorkRow[] {
  const merged = new Map<string, Record<WorkKind, number>>();
  for (const rows of windows) {
    for (const row of rows) {
      const into = merged.get(row.library) ?? (Object.fromEntries(WORK_KINDS.map((k) => [k, 0])) as Record<WorkKind, number>);
      for (const kind of WORK_KINDS) into[kind] += row.work[kind];
      merged.set(row.library, into);
    }
  }
  return [...merged].map(([library, work]) => ({ library, work }));
}
