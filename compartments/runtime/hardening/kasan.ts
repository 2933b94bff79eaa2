// KASan for hardened libraries: a shadow byte per 8-byte granule of each heap region, redzones
// after every block a hardened library allocates, freed blocks poisoned and held in a quarantine
// before the heap really gets them back. FlexOS: "KASan: ... shadow memory is shared".

import { HardeningViolation } from '../../../kernel/abi/errors.js';
import { makeAddress, offsetOf, regionOf, formatAddress } from '../../../shm/address.js';
import type { Allocator } from '../../../shm/heap.js';
import type { HeapStats } from '../../../shm/tlsf.js';

/** Bytes of redzone after each block (KASan: the kmalloc redzone); a whole granule at least. */
export const REDZONE_BYTES = 16;
/** Shadow values, as Linux KASan: 0 = the granule is addressable, 1..7 = only its first k bytes. */
export const SHADOW_REDZONE = 0xfc;
export const SHADOW_FREED = 0xfb;
const QUARANTINE_BLOCKS = 256;
const QUARANTINE_BYTES = 1 << 20;

interface Quarantined {
  readonly heap: Allocator;
  readonly end: number;
  readonly size: number;
}

/** The shadow of one compartment's heaps, shared by every hardened library of the compartment. */
export class KasanShadow {
  readonly #sizes: ReadonlyMap<number, number>;
  readonly #buffers: ReadonlyMap<number, SharedArrayBuffer>;
  readonly #shadows: (Uint8Array | undefined)[] = [];
  /** Live blocks of hardened libraries: address -> requested size. */
  readonly #live = new Map<number, number>();
  /** Freed blocks not yet handed back (insertion order is the FIFO). */
  readonly #quarantine = new Map<number, Quarantined>();
  #quarantinedBytes = 0;

  /** `regions`: the heap regions' sizes by id; `buffers`: their memory (realloc copies through it). */
  constructor(regions: ReadonlyMap<number, number>, buffers: ReadonlyMap<number, SharedArrayBuffer>) {
    this.#sizes = regions;
    this.#buffers = buffers;
  }

  /** Blocks in quarantine, for tests and the report. */
  get quarantined(): number {
    return this.#quarantine.size;
  }

  /** The access check of a hardened library: [address, address + length) must be addressable. */
  check(address: number, length: number, access: 'read' | 'write', library: string): void {
    const shadow = this.#shadows[regionOf(address)];
    if (shadow === undefined || !(length > 0)) return;
    const offset = offsetOf(address);
    const first = offset >>> 3;
    const last = Math.min((offset + length - 1) >>> 3, shadow.length - 1);
    for (let g = first; g <= last; g++) {
      const s = shadow[g]!;
      if (s === 0) continue;
      if (s < 8) {
        const lastByte = g === last ? (offset + length - 1) & 7 : 7;
        if (lastByte < s) continue;
      }
      this.#report(address, length, access, library, Math.max(offset, g * 8 + (s < 8 ? s : 0)), s);
    }
  }

  /** A hardened allocation: [address, address + size) addressable, the rest of the block a redzone. */
  allocated(address: number, size: number, usable: number): void {
    const shadow = this.#shadow(regionOf(address));
    const offset = offsetOf(address);
    const full = offset + (size & ~7);
    shadow.fill(0, offset >>> 3, full >>> 3);
    let g = full >>> 3;
    if ((size & 7) !== 0) shadow[g++] = size & 7;
    shadow.fill(SHADOW_REDZONE, g, (offset + usable + 7) >>> 3);
    this.#live.set(address, size);
  }

  /** The requested size of a live hardened block, or -1. */
  sizeOf(address: number): number {
    return this.#live.get(address) ?? -1;
  }

  /** A hardened free: poison the block and quarantine it; blocks leaving the quarantine are really freed. */
  release(heap: Allocator, address: number, library: string): boolean {
    const size = this.#live.get(address);
    if (size === undefined) {
      if (this.#quarantine.has(address)) {
        throw new HardeningViolation({ check: 'kasan', library, address, detail: 'double-free of a block already freed' });
      }
      return false;
    }
    this.#live.delete(address);
    const end = address + heap.usableSize(address);
    this.#shadow(regionOf(address)).fill(SHADOW_FREED, offsetOf(address) >>> 3, (offsetOf(end) + 7) >>> 3);
    this.#quarantine.set(address, { heap, end, size });
    this.#quarantinedBytes += end - address;
    while (this.#quarantine.size > QUARANTINE_BLOCKS || this.#quarantinedBytes > QUARANTINE_BYTES) this.#evict();
    return true;
  }

  /** A block freed by an unhardened library of the compartment: its shadow no longer applies. */
  forget(address: number, heap: Allocator): void {
    if (!this.#live.delete(address)) return;
    this.#shadow(regionOf(address)).fill(0, offsetOf(address) >>> 3, (offsetOf(address) + heap.usableSize(address) + 7) >>> 3);
  }

  /** Copies `length` bytes between blocks without going through the access checks (realloc). */
  copy(from: number, to: number, length: number): void {
    const source = this.#buffers.get(regionOf(from));
    const target = this.#buffers.get(regionOf(to));
    if (!source || !target) throw new TypeError('kasan: realloc across a region this compartment does not hold');
    new Uint8Array(target).set(new Uint8Array(source, offsetOf(from), length), offsetOf(to));
  }

  #evict(): void {
    const [address, entry] = this.#quarantine.entries().next().value as [number, Quarantined];
    this.#quarantine.delete(address);
    this.#quarantinedBytes -= entry.end - address;
    this.#shadow(regionOf(address)).fill(0, offsetOf(address) >>> 3, (offsetOf(entry.end) + 7) >>> 3);
    entry.heap.free(address);
  }

  #shadow(region: number): Uint8Array {
    let shadow = this.#shadows[region];
    if (shadow === undefined) {
      const size = this.#sizes.get(region);
      if (size === undefined) throw new TypeError(`kasan: region ${region} is not a heap of this compartment`);
      shadow = this.#shadows[region] = new Uint8Array(Math.ceil(size / 8));
    }
    return shadow;
  }

  #report(address: number, length: number, access: 'read' | 'write', library: string, badOffset: number, shadow: number): never {
    const bad = makeAddress(regionOf(address), badOffset);
    const kind = shadow === SHADOW_FREED ? 'use-after-free' : 'heap-buffer-overflow';
    let block = '';
    for (const [start, size] of shadow === SHADOW_FREED ? [...this.#quarantine].map(([a, q]) => [a, q.size] as const) : this.#live) {
      if (bad >= start && bad < start + size + REDZONE_BYTES + 8) block = `, ${bad - start} bytes into a ${size}-byte block at ${formatAddress(start)}`;
    }
    throw new HardeningViolation({ check: 'kasan', library, address: bad, detail: `${kind}: ${access} of ${length} bytes at ${formatAddress(address)}${block}` });
  }
}

/** An allocator that forwards every call to the heap it wraps; the KASan wrappers override what they watch. */
abstract class ForwardingAllocator implements Allocator {
  readonly region: number;
  protected readonly inner: Allocator;

  constructor(inner: Allocator) {
    this.inner = inner;
    this.region = inner.region;
  }

  malloc(size: number): number {
    return this.inner.malloc(size);
  }
  calloc(count: number, size: number): number {
    return this.inner.calloc(count, size);
  }
  realloc(address: number, size: number): number {
    return this.inner.realloc(address, size);
  }
  memalign(align: number, size: number): number {
    return this.inner.memalign(align, size);
  }
  palloc(pages: number): number {
    return this.inner.palloc(pages);
  }
  free(address: number): void {
    this.inner.free(address);
  }
  usableSize(address: number): number {
    return this.inner.usableSize(address);
  }
  stats(): HeapStats {
    return this.inner.stats();
  }
  check(): void {
    this.inner.check();
  }
  owns(address: number): boolean {
    return this.inner.owns(address);
  }
}

/** A heap as a KASan-hardened library sees it: redzones on allocation, quarantine on free. */
export class KasanAllocator extends ForwardingAllocator {
  readonly #shadow: KasanShadow;
  readonly #library: string;

  constructor(inner: Allocator, options: { shadow: KasanShadow; library: string }) {
    super(inner);
    this.#shadow = options.shadow;
    this.#library = options.library;
  }

  override malloc(size: number): number {
    if (!Number.isInteger(size) || size < 0) return this.inner.malloc(size); // refused as without KASan
    const address = this.inner.malloc(size + REDZONE_BYTES);
    if (address !== 0) this.#shadow.allocated(address, size, this.inner.usableSize(address));
    return address;
  }
  override calloc(count: number, size: number): number {
    const total = count * size;
    if (!Number.isSafeInteger(total) || !Number.isInteger(count) || !Number.isInteger(size) || count < 0 || size < 0) return this.inner.calloc(count, size);
    const address = this.inner.calloc(1, total + REDZONE_BYTES);
    if (address !== 0) this.#shadow.allocated(address, total, this.inner.usableSize(address));
    return address;
  }
  override realloc(address: number, size: number): number {
    if (address === 0) return this.malloc(size);
    const old = this.#shadow.sizeOf(address);
    if (old < 0) return this.inner.realloc(address, size);
    const moved = this.malloc(size);
    if (moved === 0) return 0;
    this.#shadow.copy(address, moved, Math.min(old, size));
    this.free(address);
    return moved;
  }
  override free(address: number): void {
    if (address === 0) return;
    if (!this.#shadow.release(this.inner, address, this.#library)) this.inner.free(address);
  }
  override usableSize(address: number): number {
    const size = this.#shadow.sizeOf(address);
    return size >= 0 ? size : this.inner.usableSize(address);
  }
}

/** The heap of an unhardened library sharing a compartment with KASan-hardened ones: frees drop stale shadow. */
export class ShadowForgettingAllocator extends ForwardingAllocator {
  readonly #shadow: KasanShadow;

  constructor(inner: Allocator, shadow: KasanShadow) {
    super(inner);
    this.#shadow = shadow;
  }

  override realloc(address: number, size: number): number {
    if (address !== 0) this.#shadow.forget(address, this.inner);
    return this.inner.realloc(address, size);
  }
  override free(address: number): void {
    if (address !== 0) this.#shadow.forget(address, this.inner);
    this.inner.free(address);
  }
}
