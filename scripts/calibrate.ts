// `node scripts/calibrate.js`: how much slower the simulator's JavaScript is than C on this machine.
// Times representative kernels in JavaScript and in C (gcc -O2) and prints the table, the C/JS factor
// with its spread and the clock ratio (compartments/model/calibration.ts); cached. It explains the
// distance between the measured and the modelled figures; the model itself prices counted work.

import { DEFAULTS } from '../kernel/abi/schema.js';
import { calibrationJson, clockRatio, computeScaleOf, defaultCacheDir, loadCalibration } from '../compartments/model/calibration.js';
import { numberOption, parseCommandLine, runCommand } from './cli.js';
import { printTable } from './table.js';

const USAGE = `usage: node scripts/calibrate.js [options]

Measures how much faster C is than the simulator's JavaScript on this machine, for the kernels the
simulator's compute resembles (copying with TypedArray.set, FNV-1a hashing, integer parsing, RESP
line scanning, TLSF malloc/free), each against the same work in C compiled with gcc -O2 (memcpy,
strchr, glibc malloc). The factor (C time / JS time, geometric mean) times the clock ratio (this
machine's GHz / the reference CPU's) says how much of the distance between the measured and the
modelled figures is JavaScript being slower than C (the model prices counted work in C: see
node scripts/model-check.js --prices). The result is cached in ${defaultCacheDir()} ($FLEXOS_SIM_CACHE)
and measured again when the CPU model, Node or gcc changes.

options:
  --recalibrate        measure again even when the cache matches
  --clock-ghz <n>      the reference CPU's clock (default ${DEFAULTS.costModel.clockGhz}, the cost model's default)
  --min-run-ms <n>     shortest timed run per repetition, in ms of CPU time (default 20; implies --recalibrate)
  --repetitions <n>    timed runs per kernel, the median is kept (default 5; implies --recalibrate)
  --compiler <path>    the C compiler (default gcc)
  --json               print one JSON object on stdout instead of the table
  --help               this text`;

const OPTIONS = {
  recalibrate: { type: 'boolean' },
  'clock-ghz': { type: 'string' },
  'min-run-ms': { type: 'string' },
  repetitions: { type: 'string' },
  compiler: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function main(): Promise<number> {
  const { values } = parseCommandLine(process.argv.slice(2), OPTIONS, USAGE);
  if (values['help']) return void process.stdout.write(USAGE + '\n'), 0;
  const referenceGhz = numberOption(values, 'clock-ghz', DEFAULTS.costModel.clockGhz, { min: 0.1, max: 10 });
  const minRunMs = numberOption(values, 'min-run-ms', 20, { min: 1, max: 10_000 });
  const repetitions = numberOption(values, 'repetitions', 5, { min: 1, max: 63, integer: true });
  const compiler = typeof values['compiler'] === 'string' ? values['compiler'] : 'gcc';
  const say = (line: string): void => void process.stderr.write(line + '\n');
  // Asking for other run lengths asks for a new measurement.
  const recalibrate = values['recalibrate'] === true || values['min-run-ms'] !== undefined || values['repetitions'] !== undefined;
  const cal = loadCalibration({ recalibrate, minRunMs, repetitions, compiler, say });
  if (values['json']) {
    process.stdout.write(JSON.stringify({ cached: cal.cached, ...calibrationJson(cal, referenceGhz) }) + '\n');
    return 0;
  }
  const out = (line: string): void => void process.stdout.write(line + '\n');
  if (!cal.calibrated) {
    out(`NOT CALIBRATED: ${cal.reason}`);
    out('compute scale 1: modelled compute is JavaScript time, so every gate looks cheaper next to compute than it is');
    return 1;
  }
  out(`compute-scale calibration, ${cal.cached ? `cached from ${cal.date} (--recalibrate to measure again)` : `measured ${cal.date}`}`);
  out(`machine: ${cal.machine.cpuModel}; Node ${cal.machine.node}; gcc ${cal.machine.gcc}`);
  out('');
  const ns = (x: number): string => x.toFixed(2).padStart(9);
  printTable(
    ['kernel', ' JS ns/op', '  C ns/op', '  C/JS', 'in mean', 'what'],
    cal.kernels.map((k) => [k.name, ns(k.jsNs), ns(k.cNs), k.factor.toFixed(4), k.inMean ? 'yes' : 'no', k.what]),
  );
  out('');
  const ratio = clockRatio(cal, referenceGhz);
  out(`factor C/JS      ${cal.factor.toFixed(4)}  (geometric mean; spread ${cal.spread.min.toFixed(4)} .. ${cal.spread.max.toFixed(4)})`);
  out(`clock ratio      ${ratio.toFixed(4)}  (this machine ${cal.hostGhz === null ? 'unknown' : `${cal.hostGhz.toFixed(3)} GHz`}, from ${cal.hostClockSource}; reference ${referenceGhz} GHz)`);
  out(`compute scale    ${computeScaleOf(cal, referenceGhz).toFixed(4)}  reference-CPU ns per ns of JavaScript compute`);
  out('');
  out(`method: ${cal.method}`);
  return 0;
}

await runCommand(main);
