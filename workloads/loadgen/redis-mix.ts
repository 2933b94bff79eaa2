// The built-in generator's mixed Redis workload: a seeded stream of reads, writes, list and sorted-set
// commands and small MULTI/EXEC transactions, cut into pipeline batches. Each command is one request
// (a transaction's MULTI, queued commands and EXEC each get a reply), so the counts stay per command.

import { encodeCommand } from '../redis/resp.js';

/** One pipeline batch: the encoded commands back to back, and where each command ends. */
export interface MixedBatch {
  readonly bytes: Uint8Array;
  /** ends[i]: the byte offset after command i (a partial batch of n commands is bytes[0, ends[n-1])). */
  readonly ends: readonly number[];
}

/** The mix, per unit drawn (a transaction unit is 4 commands). */
export const MIX = [
  ['get', 0.34], ['set', 0.14], ['incr', 0.06], ['lpush', 0.08], ['rpop', 0.07], ['lrange', 0.06],
  ['zadd', 0.08], ['zrange', 0.06], ['zscore', 0.05], ['transaction', 0.06],
] as const;

const KEYS = 1000;
const LISTS = 16;
const ZSETS = 16;
const MEMBERS = 200;

/** mulberry32, so every run sends the same stream (the differential test draws its commands with it too). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** One unit of the mix: one command, or MULTI + INCR + LPUSH + EXEC. */
function unit(next: () => number, value: string): string[][] {
  const int = (n: number): number => Math.floor(next() * n);
  let r = next();
  let kind: string = MIX[MIX.length - 1]![0];
  for (const [name, share] of MIX) {
    if (r < share) {
      kind = name;
      break;
    }
    r -= share;
  }
  const key = `mix:key:${int(KEYS)}`;
  const list = `mix:list:${int(LISTS)}`;
  const zset = `mix:zset:${int(ZSETS)}`;
  switch (kind) {
    case 'get': return [['GET', key]];
    case 'set': return [['SET', key, value]];
    case 'incr': return [['INCR', `mix:counter:${int(16)}`]];
    case 'lpush': return [['LPUSH', list, value]];
    case 'rpop': return [['RPOP', list]];
    case 'lrange': return [['LRANGE', list, '0', '9']];
    case 'zadd': return [['ZADD', zset, String(int(10_000)), `m${int(MEMBERS)}`]];
    case 'zrange': return [['ZRANGE', zset, '0', '9', 'WITHSCORES']];
    case 'zscore': return [['ZSCORE', zset, `m${int(MEMBERS)}`]];
    default: return [['MULTI'], ['INCR', `mix:counter:${int(16)}`], ['LPUSH', list, value], ['EXEC']];
  }
}

/**
 * `count` batches of `pipeline` commands each. A transaction never crosses a batch boundary (a unit that
 * does not fit in what is left of a batch is replaced by a GET), so a connection may start at any batch
 * and cycle through them; with a pipeline under 4 no transaction fits and the mix has none.
 */
export function mixedBatches(options: { pipeline: number; size: number; seed: number; count?: number }): MixedBatch[] {
  const next = seededRandom(options.seed);
  const value = 'x'.repeat(options.size);
  const total = options.pipeline * (options.count ?? 64);
  const stream: string[][] = [];
  while (stream.length < total) {
    const u = unit(next, value);
    const room = options.pipeline - (stream.length % options.pipeline);
    if (u.length > room) stream.push(['GET', `mix:key:${Math.floor(next() * KEYS)}`]);
    else stream.push(...u);
  }
  const batches: MixedBatch[] = [];
  for (let i = 0; i < total; i += options.pipeline) {
    const encoded = stream.slice(i, i + options.pipeline).map((argv) => encodeCommand(argv));
    const bytes = new Uint8Array(encoded.reduce((n, e) => n + e.length, 0));
    const ends: number[] = [];
    let at = 0;
    for (const e of encoded) {
      bytes.set(e, at);
      at += e.length;
      ends.push(at);
    }
    batches.push({ bytes, ends });
  }
  return batches;
}
