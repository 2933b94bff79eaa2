// ukschedcoop: the run queue of the cooperative scheduler, round-robin in arrival order.

import type { LibraryContext, LibraryInstance } from '../abi/context.js';

export function create(_ctx: LibraryContext): LibraryInstance {
  const queue: number[] = [];
  return {
    exports: {
      ukschedcoop_enqueue: (tid) => {
        if (!queue.includes(tid)) queue.push(tid);
        return 0;
      },
      ukschedcoop_remove: (tid) => {
        const i = queue.indexOf(tid);
        if (i >= 0) queue.splice(i, 1);
        return 0;
      },
      /** The next runnable thread (rotated to the back), or 0 when none is runnable. */
      ukschedcoop_pick: () => {
        const tid = queue.shift();
        if (tid === undefined) return 0;
        queue.push(tid);
        return tid;
      },
    },
  };
}
