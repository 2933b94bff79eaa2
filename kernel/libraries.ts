// The micro-libraries of the library OS, by their declared exports (exportsyms), calls and shared
// data. The applications stand above them; workloads/registry.ts joins both into the image's registry.

import type { LibraryDescriptor } from './abi/library.js';
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

export const KERNEL_LIBRARIES: readonly LibraryDescriptor[] = [lwip, netdev, newlib, ramfs, tlsf, ukalloc, uksched, ukschedcoop, uktime, vfscore];
