// A TLSF heap over one region, speaking simulated addresses (FlexOS: one TLSF heap per
// compartment plus the shared heap behind flexos_malloc_whitelist). The ukalloc API on top of it.

import { FlexosError } from './errors.js';
import { makeAddress, offsetOf, regionOf, formatAddress } from './address.js';
import { TlsfHeap, type HeapStats } from './tlsf.js';
import type { Region } from './region.js';

export interface Allocator {
  malloc(size: number): number;
  calloc(count: number, size: number): number;
  realloc(address: number, size: number): number;
  memalign(align: number, size: number): number;
  palloc(pages: number): number;
  free(address: number): void;
  usableSize(address: number): number;
  stats(): HeapStats;
  /** Walks the heap and throws if an invariant is broken. */
  check(): void;
  /** True when `address` lies in this heap's region. */
  owns(address: number): boolean;
  /** The region this heap hands out. */
  readonly region: number;
}

export class RegionHeap implements Allocator {
  readonly region: number;
  readonly #tlsf: TlsfHeap;

  private constructor(region: number, tlsf: TlsfHeap) {
    this.region = region;
    this.#tlsf = tlsf;
  }

  /** Formats the whole region as an empty heap (done once, by the host, at boot). */
  static format(region: Pick<Region, 'id' | 'buffer' | 'size'>): RegionHeap {
    return new RegionHeap(region.id, TlsfHeap.format(region.buffer, { offset: 0, size: region.size }));
  }

  /** Attaches to a heap formatted elsewhere (a compartment attaching to its heap or the shared one). */
  static attach(region: Pick<Region, 'id' | 'buffer'>): RegionHeap {
    return new RegionHeap(region.id, TlsfHeap.attach(region.buffer, { offset: 0 }));
  }

  malloc(size: number): number {
    return this.#address(this.#tlsf.malloc(size));
  }
  calloc(count: number, size: number): number {
    return this.#address(this.#tlsf.calloc(count, size));
  }
  realloc(address: number, size: number): number {
    return this.#address(this.#tlsf.realloc(this.#offset(address), size));
  }
  memalign(align: number, size: number): number {
    return this.#address(this.#tlsf.memalign(align, size));
  }
  palloc(pages: number): number {
    return this.#address(this.#tlsf.palloc(pages));
  }
  free(address: number): void {
    this.#tlsf.free(this.#offset(address));
  }
  usableSize(address: number): number {
    return this.#tlsf.usableSize(this.#offset(address));
  }
  stats(): HeapStats {
    return this.#tlsf.stats();
  }
  check(): void {
    this.#tlsf.check();
  }
  /** True when `address` was handed out by this heap's region (not that it is live). */
  owns(address: number): boolean {
    return address !== 0 && regionOf(address) === this.region;
  }

  #address(offset: number): number {
    return offset === 0 ? 0 : makeAddress(this.region, offset);
  }
  #offset(address: number): number {
    if (address === 0) return 0;
    if (regionOf(address) !== this.region) {
      throw new FlexosError('FLEXOS_ERR_BAD_ARGUMENT', `address ${formatAddress(address)} does not belong to this heap (region ${this.region})`);
    }
    return offsetOf(address);
  }
}
