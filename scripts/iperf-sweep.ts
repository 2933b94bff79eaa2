// `node scripts/iperf-sweep.js`: the paper's Fig. 9 in simulation. For each preset and each receive
// buffer size 2^4 .. 2^20 bytes, boot the iperf image, run `iperf -c` against it, and print the
// bandwidth in Gb/s, measured and modelled.

import { loadPreset, presetNames } from '../workloads/presets.js';
import type { Configuration } from '../kernel/abi/schema.js';
import { libraryRegistry } from '../workloads/registry.js';
import { IPERF_BUFFER_SIZES } from '../workloads/iperf/exports.js';
import { findIperf, runIperf } from '../workloads/iperf/benchmark.js';
import { launch } from '../workloads/launch.js';
import { openWindow } from '../compartments/model/window.js';
import { loadGeneratorCpu } from '../compartments/runtime/pinning.js';
import { modelPricing, modelWindow, type ModelPricing } from './report.js';
import { describePricing } from '../compartments/model/pricing.js';
import { numberOption, parseCommandLine, runCommand, UsageError } from './cli.js';
import { createProgress } from './progress.js';
import { printTable } from './table.js';

export const PAPER_PRESETS = ['iperf-none', 'iperf-mpk2-light', 'iperf-mpk2-dss', 'iperf-ept2'];
const USAGE = `usage: node scripts/iperf-sweep.js [--presets a,b,...] [--sizes 16,64,...] [--duration 10] [--json] [--help]

For each preset (default: ${PAPER_PRESETS.join(', ')}) and receive buffer size (default 2^4 .. 2^20
bytes), boots the iperf image, runs iperf -c against it for --duration seconds and prints Gb/s,
measured and modelled (the paper's Fig. 9). --json prints one JSON object per line and point.`;

export interface IperfPoint {
  readonly preset: string;
  readonly bufferBytes: number;
  /** Gb/s. */
  readonly measured: number;
  readonly modelled: number;
  readonly crossings: number;
  readonly bytes: number;
}

/** One point of Fig. 9: boots the iperf image with this receive buffer, runs iperf -c for durationS, stops it. */
export async function measureIperfPoint(config: Configuration, size: number, options: { readonly durationS: number; readonly pricing: ModelPricing }): Promise<IperfPoint> {
  const image = await launch(config, { registry: libraryRegistry, port: 0, mainArgs: [size] });
  try {
    const close = openWindow(image.machine);
    const run = await runIperf({ port: image.port, durationS: options.durationS, cpu: loadGeneratorCpu(config.gates.pin) });
    const w = close();
    const model = modelWindow(config, run.bytes, w, options.pricing);
    const crossings = w.crossings.reduce((s, r) => s + r.count, 0);
    return { preset: config.name, bufferBytes: size, measured: run.bitsPerSecond / 1e9, modelled: (model.requestsPerSecond * 8) / 1e9, crossings, bytes: run.bytes };
  } finally {
    await image.stop();
  }
}

async function main(): Promise<number> {
  const { values } = parseCommandLine(process.argv.slice(2), {
    presets: { type: 'string' }, sizes: { type: 'string' }, duration: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  }, USAGE);
  if (values['help']) return void process.stdout.write(USAGE + '\n'), 0;
  const presets = values['presets'] === undefined ? PAPER_PRESETS : String(values['presets']).split(',');
  const unknown = presets.filter((p) => !presetNames().includes(p) || !p.startsWith('iperf-'));
  if (unknown.length) throw new UsageError(`--presets: unknown iperf preset ${unknown.join(', ')}; valid: ${presetNames().filter((p) => p.startsWith('iperf-')).join(', ')}`);
  const sizes = values['sizes'] === undefined ? IPERF_BUFFER_SIZES : String(values['sizes']).split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 1 << 24)) throw new UsageError(`--sizes: ${JSON.stringify(values['sizes'])} is not a list of integers from 1 to 16777216`);
  const durationS = numberOption(values, 'duration', 10, { min: 1, max: 600, integer: true });
  if (!findIperf()) throw new UsageError('iperf is not installed (Debian package iperf; scripts/install.sh installs it)');
  const configs = new Map<number, Configuration>();
  const rows: (string | number)[][] = [];
  const total = presets.length * sizes.length;
  let done = 0;
  const progress = createProgress('iperf-sweep');
  progress.start(total, `${presets[0]} ${sizes[0]} B`);
  for (const preset of presets) {
    const config = loadPreset(preset, { registry: libraryRegistry });
    const pricing = modelPricing(config); // before the image boots: a first run times the model's C kernels
    configs.set(config.costModel.clockGhz, config);
    for (const size of sizes) {
      const point = await measureIperfPoint(config, size, { durationS, pricing });
      const { measured, modelled, crossings } = point;
      done++;
      progress.say(`[${done}/${total}] ${preset} ${size} B: ${measured.toFixed(3)} Gb/s measured, ${modelled.toFixed(3)} modelled`);
      progress.advance(1, done < total ? `${presets[Math.floor(done / sizes.length)]} ${sizes[done % sizes.length]} B` : '');
      if (values['json']) process.stdout.write(JSON.stringify({ preset, buffer_bytes: size, gbps: { measured, modelled }, crossings, bytes: point.bytes }) + '\n');
      rows.push([preset, size, measured, modelled, crossings]);
    }
  }
  progress.stop();
  if (!values['json']) {
    printTable(['preset', 'buffer B', 'Gb/s measured', 'Gb/s modelled', 'crossings'], rows);
    for (const [ghz, config] of configs) process.stdout.write(`modelled${configs.size > 1 ? ` at ${ghz} GHz` : ''}: ${describePricing(modelPricing(config), config).join('\n')}\n`);
  }
  return 0;
}

// A command only when started as one: scripts/paper.ts imports measureIperfPoint from this module.
if (/(^|[\\/])iperf-sweep\.js$/.test(process.argv[1] ?? '')) await runCommand(main);
