// A registry mirroring the names, calls and constraints of kernel/libraries.ts`, `workloads/registry.ts, without
// implementations, so the configuration tests do not depend on the kernel being written.

import { createRegistry } from '../../../kernel/abi/library.js';
import type { LibraryDescriptor } from '../../../kernel/abi/library.js';

function lib(name: string, calls: string[], extra: Partial<LibraryDescriptor> = {}): LibraryDescriptor {
  return { name, exports: {}, calls: Object.fromEntries(calls.map((c) => [c, ['f']])), whitelist: [], implementation: '', ...extra };
}

export const fixtureRegistry = createRegistry([
  lib('redis', ['lwip', 'uktime', 'newlib']),
  lib('nginx', ['lwip', 'vfscore', 'uktime', 'newlib']),
  lib('sqlite', ['vfscore', 'uktime', 'newlib']),
  lib('iperf', ['lwip', 'newlib']),
  lib('newlib', ['ukalloc', 'uksched', 'pthread-embedded']),
  lib('pthread-embedded', ['uksched'], { hardenable: false }),
  lib('ukalloc', ['tlsf']),
  lib('tlsf', [], { hardenable: false }),
  lib('lwip', ['newlib', 'uksched', 'ukalloc', 'uktime', 'netdev']),
  lib('netdev', ['ukalloc']),
  lib('uksched', ['ukalloc'], { together: ['ukschedcoop'] }),
  lib('ukschedcoop', ['uktime'], { together: ['uksched'] }),
  lib('vfscore', ['ramfs', 'uksched']),
  lib('ramfs', ['ukalloc', 'uksched']),
  lib('uktime', []),
]);

/** Everything redis pulls in, sorted: what a redis image must contain. */
export const REDIS_IMAGE = ['lwip', 'netdev', 'newlib', 'pthread-embedded', 'redis', 'tlsf', 'ukalloc', 'uksched', 'ukschedcoop', 'uktime'];
