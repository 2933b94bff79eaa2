// A CPU burner beside the image, as a load generator would be: a child `node -e "for(;;){}"`
// (pinned where the load generator goes), and the share of a core it kept, read from its own CPU
// time (/proc/<pid>/schedstat in ns, else utime+stime from /proc/<pid>/stat) over wall time.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface BurnerWindow {
  /** Closes the window: the burner's CPU time and the wall time since `window()`, in ns (cpu NaN without /proc). */
  end(): { readonly cpuNs: number; readonly wallNs: number };
}

export class Burner {
  readonly cpu: number | null;
  readonly #child: ChildProcess;
  readonly #ticksPerSecond: number;

  private constructor(child: ChildProcess, cpu: number | null) {
    this.#child = child;
    this.cpu = cpu;
    this.#ticksPerSecond = clockTicks();
  }

  /** Starts the burner on `cpu` (null: wherever the kernel puts it) and waits until it burns. */
  static async start(cpu: number | null): Promise<Burner> {
    const script = 'for(;;){}';
    const child = cpu === null ? spawn(process.execPath, ['-e', script], { stdio: 'ignore' }) : spawn('taskset', ['-c', String(cpu), process.execPath, '-e', script], { stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const burner = new Burner(child, cpu);
    const started = performance.now();
    while (burner.#cpuNs() < 50e6 && performance.now() - started < 2000) await new Promise((r) => setTimeout(r, 20));
    return burner;
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  window(): BurnerWindow {
    const cpu0 = this.#cpuNs();
    const wall0 = performance.now();
    return {
      end: () => ({ cpuNs: this.#cpuNs() - cpu0, wallNs: (performance.now() - wall0) * 1e6 }),
    };
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.kill('SIGKILL');
    await exited;
  }

  /** CPU time of the burner's process so far, ns; NaN when /proc is not there. */
  #cpuNs(): number {
    try {
      const schedstat = readFileSync(`/proc/${this.pid}/schedstat`, 'utf8');
      const ns = Number(schedstat.split(' ')[0]);
      if (Number.isFinite(ns)) return ns;
    } catch {
      /* fall back to /proc/<pid>/stat */
    }
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is field 3 (state): utime is field 14, stime field 15
      return ((Number(fields[11]) + Number(fields[12])) / this.#ticksPerSecond) * 1e9;
    } catch {
      return Number.NaN;
    }
  }
}

function clockTicks(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}
