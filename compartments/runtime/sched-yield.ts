// sched_yield(2) for a JavaScript thread. Node has no binding for it, but its WASI implementation
// (uvwasi) maps wasi_snapshot_preview1.sched_yield onto the system call. A 86-byte WebAssembly
// module imports it and exports it back, so a compartment thread waiting on a CPU it shares can
// hand that CPU to the thread it waits for: ~2.4 µs per round trip between two threads on one
// vCPU here, where an Atomics.wait/notify handoff costs ~8-11 µs.

import { createRequire } from 'node:module';
import type { WASI as WasiClass } from 'node:wasi';

/** wasm: (import "wasi_snapshot_preview1" "sched_yield" (func (result i32))), exported with a memory. */
function moduleBytes(): Uint8Array {
  const name = (s: string): number[] => [s.length, ...Buffer.from(s, 'latin1')];
  const section = (id: number, body: number[]): number[] => [id, body.length, ...body];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 0, 1, 0x7f]), // one type: () -> i32
    ...section(2, [1, ...name('wasi_snapshot_preview1'), ...name('sched_yield'), 0x00, 0]),
    ...section(5, [1, 0x00, 1]), // one memory of one page (WASI wants a memory export)
    ...section(7, [2, ...name('memory'), 0x02, 0, ...name('sched_yield'), 0x00, 0]),
  ]);
}

// The project's lib setting has no WebAssembly declarations; the three members used here.
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, unknown>) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

let cached: (() => void) | null | undefined;

/**
 * The calling thread's sched_yield, or null where WASI is unavailable. Built once per thread.
 * Node flags WASI as experimental; that one warning is held back (the module uses nothing else).
 */
export function schedYield(): (() => void) | null {
  if (cached !== undefined) return cached;
  const emitWarning = process.emitWarning;
  try {
    process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]): void {
      if (String(warning).includes('WASI')) return;
      (emitWarning as (...args: unknown[]) => void).call(this, warning, ...rest);
    } as typeof process.emitWarning;
    // Loaded here, not imported: Node warns when the module loads.
    const { WASI } = createRequire(import.meta.url)('node:wasi') as { WASI: typeof WasiClass };
    const wasi = new WASI({ version: 'preview1' });
    const instance = new wasm.Instance(new wasm.Module(moduleBytes()), { wasi_snapshot_preview1: wasi.wasiImport });
    wasi.initialize(instance as Parameters<WasiClass['initialize']>[0]);
    const call = instance.exports['sched_yield'] as () => number;
    call();
    cached = () => void call();
  } catch {
    cached = null;
  } finally {
    process.emitWarning = emitWarning;
  }
  return cached;
}
