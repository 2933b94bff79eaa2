// processCommand's case-insensitive compares of a command's name (Redis 5 server.c:2552, 2560 and
// dictSdsKeyCaseCompare, server.c:485-491): strcasecmp(name, "quit"), then the command table's key
// compare, both newlib's strcasecmp, whose tolower reads the locale through uksched's __getreent.

import type { Allocator } from '../../shm/heap.js';
import type { Memory } from '../../shm/memory.js';
import { sameBytes } from './text.js';

/** Longer names are staged cut at this many bytes: no command is that long, so the compares still differ. */
const NAME_MAX = 63;

export interface CommandNameOptions {
  readonly memory: Pick<Memory, 'writeBytes' | 'write8'>;
  /** Where the staged name and the table's keys live: newlib may sit in another compartment. */
  readonly heap: Pick<Allocator, 'calloc'>;
  /** newlib's strcasecmp. */
  readonly strcasecmp: (a: number, b: number) => number;
  /** The command table's lookup by lowercase name: whether a key compare happens. */
  readonly known: (name: string) => boolean;
}

/**
 * The table here is a JS map, so its answer decides; these calls make the compares Redis makes, in
 * newlib, with their __getreent calls (≈10 per GET: FLEXOS-CALLS.md, "process" row, the
 * "newlib strcasecmp ×2 per command" crossing). A pipeline repeats one name, so it is staged once.
 */
export class CommandNames {
  readonly #options: CommandNameOptions;
  #name = 0;
  #quit = 0;
  /** Lowercase name of a command in the table -> its key in the heap. */
  readonly #keys = new Map<string, number>();
  #lastRaw: Uint8Array = new Uint8Array(0);
  #lastKey = 0;

  constructor(options: CommandNameOptions) {
    this.#options = options;
  }

  /** Allocates the staging buffer and "quit"; false when the heap has no room. */
  init(): boolean {
    this.#name = this.#options.heap.calloc(1, NAME_MAX + 1);
    this.#quit = this.#cString('quit');
    return this.#name !== 0 && this.#quit !== 0;
  }

  /** The compares processCommand makes for `raw` (argv[0]): the QUIT check, then the table key's (if the name is in the table). */
  compare(raw: Uint8Array): void {
    const { strcasecmp } = this.#options;
    if (!sameBytes(raw, this.#lastRaw)) this.#stage(raw);
    if (strcasecmp(this.#name, this.#quit) === 0) return;
    if (this.#lastKey !== 0) strcasecmp(this.#name, this.#lastKey);
  }

  #stage(raw: Uint8Array): void {
    const { memory, known } = this.#options;
    const n = Math.min(raw.length, NAME_MAX);
    memory.writeBytes(this.#name, raw.subarray(0, n));
    memory.write8(this.#name + n, 0);
    this.#lastRaw = raw.slice();
    let lower = '';
    for (let i = 0; i < n; i++) {
      const ch = raw[i]!;
      lower += String.fromCharCode(ch >= 0x41 && ch <= 0x5a ? ch | 0x20 : ch);
    }
    let key = this.#keys.get(lower);
    if (key === undefined && raw.length <= NAME_MAX && known(lower)) {
      key = this.#cString(lower); // one key per command of the table: the map stays bounded
      this.#keys.set(lower, key);
    }
    this.#lastKey = key ?? 0;
  }

  #cString(text: string): number {
    const address = this.#options.heap.calloc(1, text.length + 1);
    if (address !== 0) this.#options.memory.writeBytes(address, Buffer.from(text, 'latin1'));
    return address;
  }
}

