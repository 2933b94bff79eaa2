// The registry of the image build: every micro-library of the kernel and every application the
// simulator knows. The top of the stack: a new application is one folder and one line here.

import { ConfigError } from '../kernel/abi/errors.js';
import { createRegistry, type LibraryDescriptor, type LibraryRegistry } from '../kernel/abi/library.js';
import { KERNEL_LIBRARIES } from '../kernel/libraries.js';
import type { App } from './app.js';
import { redisApp } from './redis/app.js';
import { nginxApp } from './nginx/app.js';
import { sqliteApp } from './sqlite/app.js';
import { iperfApp } from './iperf/app.js';

export { KERNEL_LIBRARIES } from '../kernel/libraries.js';

/** Every application, in the order the commands list them and their presets. */
export const APPS: readonly App[] = [redisApp, nginxApp, sqliteApp, iperfApp];

export const APPLICATIONS: readonly LibraryDescriptor[] = APPS.map((app) => app.library);

export const libraryRegistry: LibraryRegistry = createRegistry([...KERNEL_LIBRARIES, ...APPLICATIONS]);

/** The application of that name, or undefined. */
export function findApp(name: string): App | undefined {
  return APPS.find((app) => app.name === name);
}

/** The application of that name; ConfigError listing the valid names if there is none. */
export function appNamed(name: string): App {
  const app = findApp(name);
  if (!app) throw new ConfigError('app', name, 'unknown application', APPS.map((a) => a.name).join(', '));
  return app;
}
