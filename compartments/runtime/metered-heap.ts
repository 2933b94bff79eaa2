// An allocator that counts its calls as `alloc` work of the library it was handed to (the
// modelled clock prices each malloc, calloc, realloc, memalign, palloc and free as one).

import type { WorkMeter } from '../../kernel/abi/work.js';
import type { Allocator } from '../../shm/heap.js';
import type { HeapStats } from '../../shm/tlsf.js';

export class MeteredAllocator implements Allocator {
  readonly #inner: Allocator;
  readonly #work: WorkMeter;

  constructor(inner: Allocator, work: WorkMeter) {
    this.#inner = inner;
    this.#work = work;
  }

  get region(): number {
    return this.#inner.region;
  }
  malloc(size: number): number {
    this.#work.add('alloc', 1);
    return this.#inner.malloc(size);
  }
  calloc(count: number, size: number): number {
    this.#work.add('alloc', 1);
    return this.#inner.calloc(count, size);
  }
  realloc(address: number, size: number): number {
    this.#work.add('alloc', 1);
    return this.#inner.realloc(address, size);
  }
  memalign(align: number, size: number): number {
    this.#work.add('alloc', 1);
    return this.#inner.memalign(align, size);
  }
  palloc(pages: number): number {
    this.#work.add('alloc', 1);
    return this.#inner.palloc(pages);
  }
  free(address: number): void {
    this.#work.add('alloc', 1);
    this.#inner.free(address);
  }
  usableSize(address: number): number {
    return this.#inner.usableSize(address);
  }
  stats(): HeapStats {
    return this.#inner.stats();
  }
  check(): void {
    this.#inner.check();
  }
  owns(address: number): boolean {
    return this.#inner.owns(address);
  }
}
