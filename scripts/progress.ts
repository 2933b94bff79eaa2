// How a long command (paper.js, explore.js, bench-vs-real.js, soak.js, iperf-sweep.js) shows how far
// along it is: on a terminal, a live bar with ETA (cli-progress) with the command's lines printed above
// it; anywhere else (a pipe, a test, CI) exactly the plain lines the command always printed, nothing more.

import cliProgress from 'cli-progress';

export interface Progress {
  /** A progress line: written as is off a terminal, above the bar on one. */
  readonly say: (text: string) => void;
  /** Starts (or restarts) the bar at `total` steps. */
  start(total: number, status?: string): void;
  /** Counts steps done; `status` names what runs next. */
  advance(steps?: number, status?: string): void;
  /** Moves the bar to `value` steps (a run timed by the clock: seconds so far). */
  update(value: number, status?: string): void;
  /** Takes the bar away; lines said afterwards are plain again. */
  stop(): void;
}

export interface ProgressOptions {
  /** Default: process.stderr. */
  readonly stream?: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  /** Written before every line (e.g. `paper: `); not before the bar. */
  readonly prefix?: string;
}

/** A command's progress; `name` heads the bar. The bar shows only when the stream is a terminal. */
export function createProgress(name: string, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const prefix = options.prefix ?? '';
  const plain = (text: string): void => void stream.write(`${prefix}${text}\n`);
  if (stream.isTTY !== true) return { say: plain, start() {}, advance() {}, update() {}, stop() {} };

  let bars: cliProgress.MultiBar | undefined;
  let bar: cliProgress.SingleBar | undefined;
  const stop = (): void => {
    process.off('exit', stop);
    bars?.stop();
    bars = undefined;
    bar = undefined;
  };
  return {
    say: (text) => (bars ? bars.log(`${prefix}${text}\n`) : plain(text)),
    start(total, status = '') {
      stop();
      bars = new cliProgress.MultiBar({
        stream: stream as NodeJS.WriteStream,
        format: `${name} {bar} {percentage}% | {value}/{total} | ETA {eta_formatted} | {status}`,
        hideCursor: true,
        clearOnComplete: true,
        barsize: 24,
        etaBuffer: 20,
        autopadding: true,
        // The steps of these commands last seconds to minutes: redraw for the ETA's countdown too.
        etaAsynchronousUpdate: true,
        fps: 2,
        // Before the first step there is no rate: cli-progress's 'INF' would print as "NFs".
        formatTime: (t, options, round) => (typeof t === 'number' && Number.isFinite(t) ? cliProgress.Format.TimeFormat(t, options, round) : '--'),
      }, cliProgress.Presets.shades_classic);
      bar = bars.create(Math.max(1, total), 0, { status });
      // A command that ends by an error mid-run still gives the terminal its cursor back.
      process.once('exit', stop);
    },
    advance(steps = 1, status) {
      bar?.increment(steps, status === undefined ? {} : { status });
    },
    update(value, status) {
      bar?.update(value, status === undefined ? {} : { status });
    },
    stop,
  };
}
