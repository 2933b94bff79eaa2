// Redis's maxmemory and the out-of-memory answer: the limit as a configuration value (0 = none),
// the memtoll spellings it is set with, the typed error the value store throws when its heap is
// full, and processCommand's refusal of a denyoom ('m') command before it runs.

import { OutOfMemoryError } from '../../kernel/abi/errors.js';
import type { Allocator } from '../../shm/heap.js';
import { wrongArity, type CommandSpec } from './commands/common.js';
import { sameBytes } from './text.js';

/** Redis 5's shared.oomerr, without its leading '-'. */
export const OOM_ERROR = "OOM command not allowed when used memory > 'maxmemory'.";

/** The value store's heap has no room for a value: the one failure a command may answer with -OOM. */
export class ValueStoreFullError extends OutOfMemoryError {
  readonly bytes: number;
  constructor(bytes: number) {
    super(`the value store has no room for ${bytes} bytes`);
    this.bytes = bytes;
  }
}

const MEMORY_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1000, kb: 1024, m: 1000 ** 2, mb: 1024 ** 2, g: 1000 ** 3, gb: 1024 ** 3 };
const MEMORY_SIZE_FORMS = 'a whole number of bytes, optionally with a unit k, kb, m, mb, g or gb (k = 1000, kb = 1024), e.g. 100mb or 2gb';

/** Redis's memtoll: "100mb" -> 104857600; RangeError naming the valid forms otherwise. */
export function parseMemorySize(text: string): number {
  const m = /^(\d+)([a-z]*)$/i.exec(text.trim());
  const scale = m === null ? undefined : MEMORY_UNITS[m[2]!.toLowerCase()];
  const bytes = m === null || scale === undefined ? NaN : Number(m[1]) * scale;
  if (!Number.isSafeInteger(bytes)) throw new RangeError(`${JSON.stringify(text)} is not a memory size; valid: ${MEMORY_SIZE_FORMS}`);
  return bytes;
}

/** maxmemory with the noeviction policy (Redis 5's default): the only memory limit this Redis has. */
export class MemoryLimit {
  #maxmemory = 0;

  constructor(maxmemory = 0) {
    this.maxmemory = maxmemory;
  }

  /** Bytes; 0 means no limit. CONFIG GET/SET read and write this. */
  get maxmemory(): number {
    return this.#maxmemory;
  }

  set maxmemory(bytes: number) {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`maxmemory must be a whole number of bytes >= 0 (got ${bytes})`);
    this.#maxmemory = bytes;
  }

  /** freeMemoryIfNeeded under noeviction: over the limit once used memory passes it. */
  exceeded(usedBytes: number): boolean {
    return this.#maxmemory > 0 && usedBytes > this.#maxmemory;
  }
}

/** TLSF's block header, and its size-class rounding (1/32 of a request at most). */
const BLOCK_HEADER = 8;
const roundUp = (size: number): number => (size <= 8 ? 8 : (size + 7) & ~7);

/** What one probe of the heap reserves for the commands that follow it in a batch. */
const BUDGET_BYTES = 1024 * 1024;

/**
 * Whether a command's allocations, in order, find room in a heap, asked before the command runs so
 * that a command never stops halfway for want of room. Most commands allocate at most their
 * arguments' bytes. A probe allocates one block of room (a budget of 1 MiB, or what the command
 * needs) and gives it back: the pieces then fit where it was. Only when no such block exists are the
 * pieces tried one by one. Only malloc and free touch the heap, never a walk of its lists (which a
 * wild write may have corrupted into a cycle).
 */
export class HeapRoom {
  readonly #heap: Allocator;
  #budget = 0;

  constructor(heap: Allocator) {
    this.#heap = heap;
  }

  /** Forget the budget: other libraries of the compartment may have allocated from the heap since. */
  invalidate(): void {
    this.#budget = 0;
  }

  fits(sizes: readonly number[]): boolean {
    let need = 64;
    for (const s of sizes) if (s > 0) need += roundUp(s) + BLOCK_HEADER;
    need += need >> 5;
    if (need <= this.#budget) {
      this.#budget -= need;
      return true;
    }
    this.#budget = 0;
    for (const probe of need < BUDGET_BYTES ? [BUDGET_BYTES, need] : [need]) {
      if (!this.#tryAll([probe])) continue;
      this.#budget = probe - need;
      return true;
    }
    return this.#tryAll(sizes);
  }

  /** Allocates every size, then frees them all: whether they all fit at once. */
  #tryAll(sizes: readonly number[]): boolean {
    const taken: number[] = [];
    let ok = true;
    for (const s of sizes) {
      if (s <= 0) continue;
      const address = this.#heap.malloc(s);
      if (address === 0) {
        ok = false;
        break;
      }
      taken.push(address);
    }
    for (let i = taken.length - 1; i >= 0; i--) this.#heap.free(taken[i]!);
    return ok;
  }
}

/** What processCommand's memory check needs of the server: the table, the used memory, the heap. */
export interface DenyOomOptions {
  readonly lookup: (name: string) => CommandSpec | undefined;
  readonly limit: MemoryLimit;
  readonly usedBytes: () => number;
  /** Whether allocations of these sizes would find room; absent: always. */
  readonly room?: (sizes: readonly number[]) => boolean;
}

/**
 * processCommand's maxmemory check: a known command of valid arity flagged 'm' (denyoom) is refused
 * before it runs when used memory is over maxmemory, or when the value heap has no room for what it
 * would store. Unknown commands and wrong arities are left to the dispatcher's own errors.
 */
export class DenyOom {
  readonly #options: DenyOomOptions;
  #lastRaw: Uint8Array = new Uint8Array(0);
  #lastSpec: CommandSpec | undefined;
  readonly #sizes: number[] = [];

  constructor(options: DenyOomOptions) {
    this.#options = options;
  }

  /** True when the command must be answered with -OOM instead of running. */
  refuses(argv: readonly Uint8Array[]): boolean {
    const spec = this.#spec(argv[0]!);
    if (spec === undefined || !spec.flags.includes('m')) return false;
    if (wrongArity(spec, argv.length)) return false;
    const o = this.#options;
    if (o.limit.exceeded(o.usedBytes())) return true;
    if (o.room === undefined) return false;
    const sizes = this.#sizes;
    sizes.length = argv.length - 1;
    for (let i = 1; i < argv.length; i++) sizes[i - 1] = argv[i]!.length;
    return !o.room(sizes);
  }

  #spec(raw: Uint8Array): CommandSpec | undefined {
    if (sameBytes(raw, this.#lastRaw)) return this.#lastSpec;
    let name = '';
    for (let i = 0; i < raw.length; i++) name += String.fromCharCode(raw[i]!);
    this.#lastRaw = raw.slice();
    this.#lastSpec = this.#options.lookup(name.toLowerCase());
    return this.#lastSpec;
  }
}
