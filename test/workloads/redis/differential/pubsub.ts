// Differential family: pub/sub as one connection sees it: (P)SUBSCRIBE and (P)UNSUBSCRIBE of one name
// at a time (one confirmation per command, with the running count), PING in and out of the subscribed
// context, and PUBLISH/PUBSUB while not subscribed. Messages between two clients are checked by
// commands/pubsub.test.ts; other commands while subscribed answer differently in Redis 7 (README).

import type { DiffCommand, Family, Rng } from './family.js';

const CHANNELS = ['news', 'sport', 'n1', 'weather'];
const PATTERNS = ['n*', 'w?ather', '[ns]*', 'news'];

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

export const family: Family = {
  name: 'pubsub',
  commands: ['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'publish', 'pubsub', 'ping'],
  sequence(rng: Rng, n: number): DiffCommand[] {
    const channels = new Set<string>();
    const patterns = new Set<string>();
    const out: DiffCommand[] = [];
    while (out.length < n) {
      const subscribed = channels.size + patterns.size > 0;
      const r = rng();
      if (r < 0.25) {
        const ch = pick(rng, CHANNELS);
        channels.add(ch);
        out.push({ argv: ['SUBSCRIBE', ch] });
      } else if (r < 0.45) {
        const p = pick(rng, PATTERNS);
        patterns.add(p);
        out.push({ argv: ['PSUBSCRIBE', p] });
      } else if (r < 0.6) {
        const ch = pick(rng, CHANNELS);
        channels.delete(ch);
        out.push({ argv: ['UNSUBSCRIBE', ch] });
      } else if (r < 0.72) {
        const p = pick(rng, PATTERNS);
        patterns.delete(p);
        out.push({ argv: ['PUNSUBSCRIBE', p] });
      } else if (r < 0.82) {
        out.push({ argv: rng() < 0.5 ? ['PING'] : ['PING', pick(rng, ['hi', ''])] });
      } else if (subscribed) {
        // Leave the subscribed context one name at a time (a bare UNSUBSCRIBE answers once per channel).
        const ch = [...channels][0];
        if (ch !== undefined) {
          channels.delete(ch);
          out.push({ argv: ['UNSUBSCRIBE', ch] });
        } else {
          const p = [...patterns][0]!;
          patterns.delete(p);
          out.push({ argv: ['PUNSUBSCRIBE', p] });
        }
      } else {
        out.push(pick(rng, [
          { argv: ['PUBLISH', pick(rng, CHANNELS), 'message'] },
          { argv: ['PUBSUB', 'NUMSUB', pick(rng, CHANNELS), pick(rng, CHANNELS)] },
          { argv: ['PUBSUB', 'NUMPAT'] },
          { argv: ['PUBSUB', 'CHANNELS'] },
          { argv: ['UNSUBSCRIBE'] },
          { argv: ['PUNSUBSCRIBE'] },
        ]));
      }
    }
    return out;
  },
};
