// A full garbage collection on demand, in whichever thread calls it (the host or a compartment):
// memory curves then show what a heap retains rather than where its collector happens to be.
// The collector is exposed at run time on first use, so no command needs a node flag.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
