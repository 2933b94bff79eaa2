// ukschedcoop's exportsyms: the cooperative (round-robin, no preemption) policy behind uksched.

import type { LibraryDescriptor } from '../abi/library.js';

export const ukschedcoop: LibraryDescriptor = {
  name: 'ukschedcoop',
  exports: {
    ukschedcoop_enqueue: { args: ['int'], returns: 'int' },
    ukschedcoop_remove: { args: ['int'], returns: 'int' },
    ukschedcoop_pick: { args: [], returns: 'int' },
  },
  calls: {},
  whitelist: [],
  implementation: new URL('./ukschedcoop.js', import.meta.url).href,
  together: ['uksched'],
};
