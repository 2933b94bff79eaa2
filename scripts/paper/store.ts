// The resume store of `node scripts/paper.js`: one JSON line per measured configuration, appended as
// each one finishes, so an interrupted figure resumes where it stopped instead of starting over.
// A line cut short by an interruption is dropped on open (and measured again), so the next record
// starts on its own line.

import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { repairTornTail } from '../jsonl.js';

/** One configuration of a figure, measured and modelled in the same unit. */
export interface PaperRecord {
  readonly label: string;
  readonly measured: number;
  readonly modelled: number;
  readonly unit: string;
  /** Extras (the app, the preset, the buffer size, ...) travel along. */
  readonly [extra: string]: unknown;
}

function isRecord(value: unknown): value is PaperRecord {
  const r = value as Partial<PaperRecord> | null;
  return typeof r === 'object' && r !== null && typeof r.label === 'string' && typeof r.unit === 'string' && typeof r.measured === 'number' && typeof r.modelled === 'number';
}

export class ResultStore {
  readonly path: string;
  readonly #records = new Map<string, PaperRecord>();

  private constructor(path: string) {
    this.path = path;
  }

  /**
   * Opens (creating its folder) the store at path and reads the records already there; a later line
   * for a label wins. A torn last line is repaired first, told through `say` (default: stderr).
   */
  static open(path: string, options: { readonly say?: (text: string) => void } = {}): ResultStore {
    if (typeof path !== 'string' || path === '') throw new TypeError('ResultStore.open: path must be a non-empty string');
    mkdirSync(dirname(path), { recursive: true });
    const store = new ResultStore(path);
    repairTornTail(path, options);
    if (existsSync(path)) {
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          continue; // a line cut short by an interruption
        }
        if (isRecord(parsed)) store.#records.set(parsed.label, parsed);
      }
    }
    return store;
  }

  has(label: string): boolean {
    return this.#records.has(label);
  }

  get(label: string): PaperRecord | undefined {
    return this.#records.get(label);
  }

  /** Every record, in the order first measured. */
  records(): PaperRecord[] {
    return [...this.#records.values()];
  }

  /** Appends one line now, so the record survives whatever happens next. */
  append(record: PaperRecord): void {
    if (!isRecord(record)) throw new TypeError(`ResultStore.append: a record needs label, measured, modelled and unit; got ${JSON.stringify(record)}`);
    appendFileSync(this.path, JSON.stringify(record) + '\n');
    this.#records.set(record.label, record);
  }

  /** Drops the records whose labels the predicate selects (`--fresh`), rewriting the file without them. */
  forget(select: (label: string) => boolean): number {
    const dropped = [...this.#records.keys()].filter(select);
    for (const label of dropped) this.#records.delete(label);
    writeFileSync(this.path, this.records().map((r) => JSON.stringify(r) + '\n').join(''));
    return dropped.length;
  }
}
