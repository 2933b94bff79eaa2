// What an application brings to the simulator, so that no command asks for it by name: its library,
// its presets and exploration space, and how the commands run it: a network server driven by a
// client, or a local workload the host drives through calls. One per workloads/<app>/app.ts.

import type { ModelPricing } from '../compartments/model/pricing.js';
import type { LibraryDescriptor, LibraryRegistry } from '../kernel/abi/library.js';
import type { Configuration } from '../kernel/abi/schema.js';
import type { Preset } from '../compartments/config/presets.js';
import type { Space } from '../compartments/config/space.js';
import type { DriveOptions, DriveSession, DrivenWorkload, WorkloadSize } from './drive.js';
import type { RunningImage } from './launch.js';

/** What every application declares, whichever way it runs. */
export interface AppBase {
  /** Its library's name, as configurations and presets write it. */
  readonly name: string;
  /** As the paper and the reports write it: Redis, Nginx, SQLite, iPerf. */
  readonly title: string;
  readonly library: LibraryDescriptor;
  /** Its named configurations, `<name>-<layout>`, in the order the commands list them. */
  readonly presets: Readonly<Record<string, Preset>>;
  /** Its exploration space (`explore.js <name>`; workloads/<name>/space.yaml holds the same). */
  space(): Space;
  /** What an exploration measures it by, as the picture labels it: `throughput` (per second, higher is better) or `s` (a time). */
  readonly metric: 'throughput' | 's';
  /** The traffic of a fault-injection run (run.js --inject); absent: it is not driven. */
  probe?(port: number): Probe;
  /** The real server beside the images (bench-vs-real.js); absent: none to compare with. */
  readonly real?: RealServer;
}

/** An application runs either as a network server or as a local workload. */
export type App = AppBase & ({ readonly server: ServerSide; readonly local?: never } | { readonly local: LocalSide; readonly server?: never });

/** A network server: booted with a netdev on a host port (workloads/launch.ts), driven by a client. */
export interface ServerSide {
  /** Arguments of its main after the port. */
  readonly mainArgs: readonly number[];
  /** run.js flags that set its main's arguments instead (flag -> its help), e.g. Redis's `maxmemory`. */
  readonly bootFlags?: Readonly<Record<string, string>>;
  /** Its main's arguments after the port from those flags' values; RangeError naming the valid forms. */
  mainArgsFrom?(flags: Readonly<Record<string, string>>): readonly number[];
  /** The host directory packed into the initrd when the image has ramfs (run.js --www replaces it). */
  readonly initrd?: string;
  /** The port of `run.js --serve` unless --port says otherwise. */
  readonly servePort: number;
  /** What a user can type at a served image, if anything (run.js --serve). */
  hint?(port: number): string;
  /** The paper's workload: client runs, each inside a window of the session. */
  drive(image: RunningImage, options: DriveOptions, session: DriveSession): Promise<DrivenWorkload>;
  /** The workload parameters it uses, as a stored result records them (paper.js resumes on them). */
  params(size: WorkloadSize): Readonly<Record<string, unknown>>;
  /** The client command, short, for a progress line: `redis-benchmark -n 100000 -d 1,2,3,4,5`. */
  describe(size: WorkloadSize): string;
  /** Seconds a run takes at most on a slow machine: past a minute more, it is stuck, not slow. */
  expectedSeconds(size: WorkloadSize): number;
}

export interface LocalCommandOptions {
  readonly registry: LibraryRegistry;
  /** Operations of its benchmark (SQLite: INSERTs); null skips it. */
  readonly count: number | null;
  /** Statements to run in it (SQLite: SQL), printing what they return; null: none. */
  readonly sql: string | null;
  readonly json: boolean;
  /** What the modelled clock charges (compartments/model/pricing.ts). */
  readonly pricing: ModelPricing;
  /** One line describing the configuration (scripts/report.ts: describeConfiguration). */
  readonly configuration: string;
  readonly print: (line: string) => void;
  readonly say: (text: string) => void;
}

/** A workload without a network (SQLite): the host boots the image and calls into it. */
export interface LocalSide {
  /** run.js: its benchmark and/or the given statements; the exit code. */
  command(config: Configuration, options: LocalCommandOptions): Promise<number>;
  /** explore.js: the seconds of `count` operations, measured and modelled. */
  time(config: Configuration, options: { readonly registry: LibraryRegistry; readonly count: number; readonly pricing: ModelPricing }): Promise<{ readonly measured: number; readonly modelled: number }>;
}

/** One connection's worth of traffic to a served image, one request at a time. */
export interface Probe {
  /** A request the server must answer (Redis: PING; Nginx: GET /). */
  request(): Promise<unknown>;
  /** Data a fault may corrupt, where the application keeps any (Redis keys): written before the fault, read back after. */
  readonly store?: {
    set(key: string, value: string): Promise<unknown>;
    get(key: string): Promise<string | null>;
  };
  close(): void;
}

/** The real server an application's images are compared with, under the same client. */
export interface RealServer {
  /** Its row in the table: `redis-server (Debian)`. */
  readonly label: string;
  /** The Debian packages the comparison needs, in the order a missing one is named. */
  readonly packages: readonly { readonly name: string; installed(): boolean }[];
  /** The presets compared with it. */
  readonly presets: readonly string[];
  /** Presets measured once more with their compartments spread over both CPUs, for information. */
  readonly spread: readonly string[];
  /** The ratio to the real server a preset must reach, where there is a rule. */
  readonly targets: Readonly<Record<string, number>>;
  /** The real server's command line, listening on `port`; `scratch` is a directory for its files. */
  command(port: number, scratch: string): { readonly command: string; readonly args: readonly string[] };
  /**
   * One measurement of any server on `port`, the same for each: an untimed warm-up, then the timed
   * client runs; the requests per second of each, by kind of request.
   */
  measure(port: number, options: { readonly requests: number; readonly durationS: number; readonly cpu: number }): Promise<{ readonly get: readonly number[]; readonly set?: readonly number[] }>;
}
