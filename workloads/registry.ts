// The registry of the image build: every micro-library of the kernel and every application the
// simulator knows. The top of the stack: a new application is one folder and one line here.

import { createRegistry, type LibraryDescriptor, type LibraryRegistry } from '../kernel/abi/library.js';
import { KERNEL_LIBRARIES } from '../kernel/libraries.js';
import { redis } from './redis/exports.js';
import { nginx } from './nginx/exports.js';
import { sqlite } from './sqlite/exports.js';
import { iperf } from './iperf/exports.js';

export { KERNEL_LIBRARIES } from '../kernel/libraries.js';
export const APPLICATIONS: readonly LibraryDescriptor[] = [redis, nginx, sqlite, iperf];

export const libraryRegistry: LibraryRegistry = createRegistry([...KERNEL_LIBRARIES, ...APPLICATIONS]);
