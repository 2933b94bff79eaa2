// Boots an application image the way a user runs one: the host's virtio-net backend listening on a
// real TCP port, the image booted with it attached, and the application's main started. stop()
// shuts down in order (image, then device) and is safe to call twice.

import { HOST_ROW } from '../compartments/runtime/work-counters.js';
import { Machine } from '../compartments/host/host.js';
import { NetdevBackend } from '../compartments/host/devices/netdev-backend.js';
import { netdevAttachment } from '../compartments/host/devices/netdev.js';
import { FlexosError } from '../kernel/abi/errors.js';
import type { Configuration } from '../kernel/abi/schema.js';
import type { LibraryRegistry } from '../kernel/abi/library.js';
import type { InjectionSpec } from '../compartments/host/faults.js';
import { APPLICATIONS, appNamed } from './registry.js';
import type { App } from './app.js';
import { initrdDevice } from '../compartments/host/devices/initrd.js';

export interface LaunchOptions {
  readonly registry: LibraryRegistry;
  /** Host TCP port; 0 picks a free one. */
  readonly port: number;
  /** The host directory packed into the initrd when the image has ramfs (default: the application's, e.g. Nginx's site). */
  readonly initrd?: string;
  /** Arguments of the app's main after the port (default: the application's; iperf: the receive buffer size). */
  readonly mainArgs?: readonly number[];
  /** Fault injection (scripts/run.js --inject), passed to the boot. */
  readonly inject?: InjectionSpec;
  /** Milliseconds a compartment gets to stop before its thread is terminated (a hung one never stops). */
  readonly stopGraceMs?: number;
}

export interface RunningImage {
  readonly machine: Machine;
  readonly backend: NetdevBackend;
  readonly port: number;
  readonly app: string;
  /** Settles when the app's main returns or fails; a shutdown ends it with FLEXOS_ERR_SHUTDOWN. */
  readonly main: Promise<number>;
  stop(): Promise<void>;
}

/** The application library of a configuration (exactly one is expected). */
export function applicationOf(config: Configuration): string {
  const apps = config.libraries.map((l) => l.name).filter((name) => APPLICATIONS.some((a) => a.name === name));
  if (apps.length !== 1) {
    throw new FlexosError('FLEXOS_ERR_BOOT', `a runnable image holds exactly one application (${APPLICATIONS.map((a) => a.name).join(', ')}); ${config.name} holds ${apps.length ? apps.join(', ') : 'none'}`);
  }
  return apps[0]!;
}

/** The App of a configuration's application (workloads/<app>/app.ts). */
export function appOf(config: Configuration): App {
  return appNamed(applicationOf(config));
}

export async function launch(config: Configuration, options: LaunchOptions): Promise<RunningImage> {
  const app = applicationOf(config);
  const server = appNamed(app).server;
  const initrd = options.initrd ?? server?.initrd;
  const backend = await NetdevBackend.create({ port: options.port });
  let machine: Machine;
  try {
    const devices = [netdevAttachment(backend.sab)];
    if (initrd !== undefined && config.libraries.some((l) => l.name === 'ramfs')) devices.push(initrdDevice(initrd));
    machine = await Machine.boot(config, { registry: options.registry, devices, ...(options.inject ? { inject: options.inject } : {}), ...(options.stopGraceMs === undefined ? {} : { stopGraceMs: options.stopGraceMs }) });
  } catch (error) {
    await backend.close();
    throw error;
  }
  backend.tcpWork = machine.work.meter(HOST_ROW);
  const main = machine.run(app, 'main', [backend.port, ...(options.mainArgs ?? server?.mainArgs ?? [])]);
  main.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
  let stopping: Promise<void> | null = null;
  return {
    machine,
    backend,
    port: backend.port,
    app,
    main,
    stop() {
      stopping ??= (async () => {
        await machine.shutdown();
        await backend.close();
      })();
      return stopping;
    },
  };
}
