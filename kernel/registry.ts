// The library registry of the image build: every micro-library and application the simulator
// knows, by its declared exports (exportsyms), calls and shared data.

import { createRegistry, type LibraryDescriptor, type LibraryRegistry } from '../compartments/library.js';
import { lwip } from './lwip/exports.js';
import { netdev } from './netdev/exports.js';
import { newlib } from './newlib/exports.js';
import { tlsf } from './tlsf/exports.js';
import { ukalloc } from './ukalloc/exports.js';
import { uksched } from './uksched/exports.js';
import { ukschedcoop } from './ukschedcoop/exports.js';
import { uktime } from './uktime/exports.js';
import { ramfs } from './ramfs/exports.js';
import { vfscore } from './vfscore/exports.js';
import { redis } from '../workloads/redis/exports.js';
import { nginx } from '../workloads/nginx/exports.js';
import { sqlite } from '../workloads/sqlite/exports.js';
import { iperf } from '../workloads/iperf/exports.js';

export const KERNEL_LIBRARIES: readonly LibraryDescriptor[] = [lwip, netdev, newlib, ramfs, tlsf, ukalloc, uksched, ukschedcoop, uktime, vfscore];
export const APPLICATIONS: readonly LibraryDescriptor[] = [redis, nginx, sqlite, iperf];

export const kernelRegistry: LibraryRegistry = createRegistry([...KERNEL_LIBRARIES, ...APPLICATIONS]);
