// Host side of the SQLite workload: boots an image (no network device: SQLite only needs the
// filesystem), runs the paper's benchmark inside a measurement window, runs arbitrary SQL, and
// reports the time measured and modelled with the crossing matrix and file operations per INSERT.

import type { LocalCommandOptions } from '../app.js';
import { Machine } from '../../compartments/host/host.js';
import { FlexosError } from '../../kernel/abi/errors.js';
import type { ModelResult } from '../../compartments/model/cost-model.js';
import type { ModelPricing } from '../../compartments/model/pricing.js';
import { modelJson, modelLines, modelWindow } from '../../compartments/model/model-report.js';
import type { Configuration } from '../../kernel/abi/schema.js';
import type { LibraryRegistry } from '../../kernel/abi/library.js';
import type { CrossingRow } from '../../compartments/gates/crossings.js';
import { offsetOf, regionOf } from '../../shm/address.js';
import { applicationOf } from '../launch.js';
import { openWindow, type Window } from '../../compartments/model/window.js';
import { SQLITE_FILE_OPS, type SqliteFileOp } from './exports.js';

const SCRATCH_BYTES = 1024 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface BenchResult {
  /** INSERT statements run (one transaction each). */
  readonly count: number;
  readonly window: Window;
  /** File operations inside the window, by kind. */
  readonly fileOps: Readonly<Record<SqliteFileOp, number>>;
  readonly fileOpsTotal: number;
}

export type ExecResult =
  | { readonly ok: true; readonly rows: string; readonly truncated: boolean }
  | { readonly ok: false; readonly code: number; readonly message: string };

/** A booted SQLite image and the host's handle on the database inside it. */
export class SqliteImage {
  readonly machine: Machine;
  readonly #scratch: { address: number; bytes: number } = { address: 0, bytes: 0 };

  private constructor(machine: Machine) {
    this.machine = machine;
  }

  static async boot(config: Configuration, options: { readonly registry: LibraryRegistry }): Promise<SqliteImage> {
    const app = applicationOf(config);
    if (app !== 'sqlite') throw new FlexosError('FLEXOS_ERR_BOOT', `${config.name} runs ${app}, not sqlite`);
    return new SqliteImage(await Machine.boot(config, { registry: options.registry }));
  }

  /** Runs `count` autocommit INSERTs in a measurement window; rejects if SQLite reports an error. */
  async bench(count: number): Promise<BenchResult> {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`bench: count must be a positive integer, got ${count}`);
    const before = await this.fileOps();
    const close = openWindow(this.machine);
    const rc = await this.machine.run('sqlite', 'bench', [count]);
    const window = close();
    if (rc < 0) throw new FlexosError('FLEXOS_ERR_BAD_ARGUMENT', `the benchmark failed with SQLite result code ${-rc}`);
    const after = await this.fileOps();
    const fileOps = Object.fromEntries(SQLITE_FILE_OPS.map((op) => [op, after.byOp[op] - before.byOp[op]])) as Record<SqliteFileOp, number>;
    return { count, window, fileOps, fileOpsTotal: after.total - before.total };
  }

  /** Runs SQL statements; the rows in the sqlite3 shell's list mode, or SQLite's error message. */
  async exec(sql: string): Promise<ExecResult> {
    const source = encoder.encode(sql);
    const { address, bytes } = await this.#buffer(source.length + SCRATCH_BYTES);
    const out = address + source.length;
    const cap = bytes - source.length;
    this.#view(address, source.length).set(source);
    const rc = await this.machine.run('sqlite', 'exec', [address, source.length, out, cap]);
    const view = this.#view(out, cap);
    if (rc < 0) {
      const end = view.indexOf(0);
      return { ok: false, code: -rc, message: decoder.decode(view.subarray(0, end < 0 ? cap : end)) };
    }
    return { ok: true, rows: decoder.decode(view.slice(0, Math.min(rc, cap))), truncated: rc > cap };
  }

  /** PRAGMA integrity_check: true when it answers ok. */
  async integrity(): Promise<boolean> {
    const rc = await this.machine.run('sqlite', 'integrity', []);
    if (rc < 0) throw new FlexosError('FLEXOS_ERR_BAD_ARGUMENT', `PRAGMA integrity_check failed with SQLite result code ${-rc}`);
    return rc === 1;
  }

  /** The VFS's file-operation counters since boot. */
  async fileOps(): Promise<{ total: number; byOp: Record<SqliteFileOp, number> }> {
    const { address } = await this.#buffer(SCRATCH_BYTES);
    const total = await this.machine.run('sqlite', 'fileops', [address]);
    const cells = new DataView(this.#view(address, 8 * SQLITE_FILE_OPS.length).slice().buffer);
    const byOp = Object.fromEntries(SQLITE_FILE_OPS.map((op, i) => [op, cells.getFloat64(8 * i, true)])) as Record<SqliteFileOp, number>;
    return { total, byOp };
  }

  shutdown(): Promise<void> {
    return this.machine.shutdown();
  }

  async #buffer(bytes: number): Promise<{ address: number; bytes: number }> {
    if (this.#scratch.bytes < bytes) {
      const address = await this.machine.run('sqlite', 'scratch', [bytes]);
      if (address === 0) throw new FlexosError('FLEXOS_ERR_OUT_OF_MEMORY', `sqlite: no ${bytes}-byte scratch buffer in its heap`);
      Object.assign(this.#scratch, { address, bytes });
    }
    return this.#scratch;
  }

  /** The host sees every region, as a debugger would. */
  #view(address: number, length: number): Uint8Array {
    const region = this.machine.regions.find((r) => r.id === regionOf(address));
    if (!region) throw new FlexosError('FLEXOS_ERR_BAD_ARGUMENT', `address 0x${address.toString(16)} is in no region`);
    return new Uint8Array(region.buffer, offsetOf(address), length);
  }
}

export interface SqliteModel {
  readonly seconds: { readonly measured: number; readonly modelled: number };
  readonly model: ModelResult;
}

/** Measured: the window's wall time. Modelled: projectRun with one request per statement. */
export function modelBench(config: Configuration, result: BenchResult, pricing: ModelPricing): SqliteModel {
  const w = result.window;
  const model = modelWindow(config, result.count, w, pricing);
  return { seconds: { measured: w.wallNs / 1e9, modelled: (model.nsPerRequest * result.count) / 1e9 }, model };
}

export interface SqliteReportInputs {
  readonly config: Configuration;
  readonly result: BenchResult;
  readonly integrity: boolean;
  readonly pricing: ModelPricing;
  /** One line describing the configuration (scripts/report.ts: describeConfiguration). */
  readonly configuration: string;
}

const perInsert = (rows: readonly CrossingRow[], count: number) =>
  rows.map((r) => ({ edge: `${r.caller} -> ${r.callee}`, kind: r.kind, count: r.count, per_insert: r.count / count, mean_ns: r.meanNs }));

export function sqliteReport(inputs: SqliteReportInputs): { text: string[]; json: Record<string, unknown> } {
  const { config, result, pricing } = inputs;
  const { seconds, model } = modelBench(config, result, pricing);
  const n = result.count;
  const crossings = perInsert(result.window.crossings, n);
  const crossingsPerInsert = crossings.reduce((s, r) => s + r.per_insert, 0);
  const ops = SQLITE_FILE_OPS.filter((op) => result.fileOps[op] > 0).map((op) => `${op} ${(result.fileOps[op] / n).toFixed(2)}`);
  const json = {
    preset: config.name,
    configuration: inputs.configuration,
    workload: { inserts: n, transaction: 'one per INSERT (autocommit)', journal_mode: 'delete' },
    seconds,
    crossings,
    crossings_per_insert: crossingsPerInsert,
    file_ops_per_insert: result.fileOpsTotal / n,
    file_ops_by_kind: result.fileOps,
    integrity_check: inputs.integrity ? 'ok' : 'damaged',
    model: modelJson(model, { config, pricing, requests: n, work: result.window.work }),
  };
  const us = (s: number): string => ((s * 1e6) / n).toFixed(1);
  const text = [
    `flexos-sim run: ${config.name}`,
    `configuration: ${inputs.configuration}`,
    `workload: ${n.toLocaleString('en-US')} INSERTs into tab(id INTEGER PRIMARY KEY, text TEXT), no transaction (journal_mode=DELETE), on ramfs`,
    '',
    `                        measured        modelled (${config.costModel.cpu} @ ${config.costModel.clockGhz} GHz)`,
    `time                    ${seconds.measured.toFixed(3).padStart(9)} s     ${seconds.modelled.toFixed(3).padStart(9)} s`,
    `per INSERT              ${us(seconds.measured).padStart(9)} µs    ${us(seconds.modelled).padStart(9)} µs`,
    `time in gates                           ${(model.gateShare * 100).toFixed(1).padStart(9)} %`,
    '',
    `file operations per INSERT: ${(result.fileOpsTotal / n).toFixed(2)} (${ops.join(', ')})`,
    `gate crossings per INSERT: ${crossingsPerInsert.toFixed(3)}`,
    ...(crossings.length === 0
      ? ['  (none: every call is a direct function call)']
      : crossings.map((r) => `  ${r.edge.padEnd(24)} ${r.kind.padEnd(9)} ${r.per_insert.toFixed(3).padStart(8)} /INSERT   ${(r.mean_ns / 1000).toFixed(1).padStart(7)} µs measured per crossing`)),
    '',
    `PRAGMA integrity_check: ${inputs.integrity ? 'ok' : 'FAILED'}`,
    '',
    ...modelLines(model, { config, pricing, per: { requests: n, scale: 1, name: 'INSERT' } }),
  ];
  return { text, json };
}

/** run.js's options for a local workload (workloads/app.ts); for SQLite, `count` is INSERTs. */
export type SqliteCommandOptions = LocalCommandOptions;

/** run.js for SQLite: the benchmark and/or the given SQL; returns the exit code (1 on an SQL error). */
export async function runSqliteCommand(config: Configuration, options: SqliteCommandOptions): Promise<number> {
  const image = await SqliteImage.boot(config, { registry: options.registry });
  try {
    let status = 0;
    let json: Record<string, unknown> = { preset: config.name };
    if (options.count !== null) {
      options.say(`running ${options.count} INSERTs, each its own transaction`);
      const result = await image.bench(options.count);
      const report = sqliteReport({ config, result, integrity: await image.integrity(), pricing: options.pricing, configuration: options.configuration });
      if (!options.json) report.text.forEach((line) => options.print(line));
      json = report.json;
      if (report.json['integrity_check'] !== 'ok') status = 1;
    }
    if (options.sql !== null) {
      const r = await image.exec(options.sql);
      if (r.ok) {
        if (!options.json && r.rows !== '') options.print(r.rows.replace(/\n$/, '') + (r.truncated ? '\n... (output truncated)' : ''));
        json = { ...json, sql: { rows: r.rows.split('\n').filter((l) => l !== ''), truncated: r.truncated } };
      } else {
        options.say(`Error: ${r.message} (SQLite result code ${r.code})`);
        json = { ...json, sql: { error: r.message, code: r.code } };
        status = 1;
      }
      const intact = await image.integrity();
      options.say(`PRAGMA integrity_check: ${intact ? 'ok' : 'FAILED'}`);
      json = { ...json, integrity_check: intact ? 'ok' : 'damaged' };
      if (!intact) status = 1;
    }
    if (options.json) options.print(JSON.stringify(json));
    return status;
  } finally {
    await image.shutdown();
  }
}
