// A compartment's view of simulated memory: the regions it was handed and the check that every
// access goes through, raising FlexOS's PF_PK-style protection fault when the address belongs to a
// region this compartment may not touch (it was never handed that region's SharedArrayBuffer).

import { ProtectionFault } from './errors.js';
import { regionOf, offsetOf, makeAddress } from './address.js';
import type { RegionDescriptor } from './region.js';

export interface MemoryOptions {
  readonly compartment: string;
  /** Every region of the image (descriptors only), so a fault can name what was touched. */
  readonly table: readonly RegionDescriptor[];
  /** The buffers this compartment may touch, by region id. */
  readonly buffers: ReadonlyMap<number, SharedArrayBuffer>;
}

/** The per-access check of a hardened library (KASan shadow, UBSan bounds); throws on a bad access. */
export type AccessCheck = (address: number, length: number, access: 'read' | 'write') => void;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class Memory {
  readonly compartment: string;
  #library = '(boot)';
  /** Access checks of the hardened libraries; undefined when none is hardened (the fast path). */
  #checks: Map<string, AccessCheck> | undefined;
  /** The check of the library running now, consulted once per access. */
  #check: AccessCheck | undefined;
  readonly #table: (RegionDescriptor | undefined)[] = [];
  readonly #bytes: (Uint8Array | undefined)[] = [];
  readonly #views: (DataView | undefined)[] = [];

  constructor(options: MemoryOptions) {
    this.compartment = options.compartment;
    for (const d of options.table) this.#table[d.id] = d;
    for (const [id, buffer] of options.buffers) {
      this.#bytes[id] = new Uint8Array(buffer);
      this.#views[id] = new DataView(buffer);
    }
  }

  /** The library running now in this compartment; set by the runtime on each entry, named in faults. */
  get library(): string {
    return this.#library;
  }
  set library(name: string) {
    this.#library = name;
    if (this.#checks !== undefined) this.#check = this.#checks.get(name);
  }

  /** Installs a hardened library's access check (run before the protection check of each of its accesses). */
  setAccessCheck(library: string, check: AccessCheck): void {
    (this.#checks ??= new Map()).set(library, check);
    if (library === this.#library) this.#check = check;
  }

  /** True when this compartment may touch [address, address + length). */
  canAccess(address: number, length: number): boolean {
    const bytes = this.#bytes[regionOf(address)];
    const offset = offsetOf(address);
    return bytes !== undefined && length >= 0 && offset + length <= bytes.length;
  }

  /** A live view of [address, address + length), after the protection check. */
  view(address: number, length: number, access: 'read' | 'write' = 'write'): Uint8Array {
    const bytes = this.region(address, length, access);
    const offset = offsetOf(address);
    return bytes.subarray(offset, offset + length);
  }

  /** The region's whole buffer and the offset of `address` in it, for hot loops that check once. */
  span(address: number, length: number, access: 'read' | 'write'): { bytes: Uint8Array; offset: number } {
    return { bytes: this.region(address, length, access), offset: offsetOf(address) };
  }

  /**
   * The whole buffer of the region holding [address, address + length), after the protection
   * check; `address` is at offsetOf(address) in it. Allocation-free, for hot paths.
   */
  region(address: number, length: number, access: 'read' | 'write'): Uint8Array {
    if (this.#check !== undefined) this.#check(address, length, access);
    const bytes = this.#bytes[regionOf(address)];
    if (bytes === undefined || !(length >= 0) || offsetOf(address) + length > bytes.length) this.#fault(address, length, access);
    return bytes;
  }

  /** The protection check alone: faults exactly as an access of [address, address + length) would. */
  check(address: number, length: number, access: 'read' | 'write'): void {
    this.region(address, length, access);
  }

  read8(address: number): number {
    return this.#dataView(address, 1, 'read').getUint8(offsetOf(address));
  }
  write8(address: number, value: number): void {
    this.#dataView(address, 1, 'write').setUint8(offsetOf(address), value);
  }
  read32(address: number): number {
    return this.#dataView(address, 4, 'read').getInt32(offsetOf(address), true);
  }
  write32(address: number, value: number): void {
    this.#dataView(address, 4, 'write').setInt32(offsetOf(address), value, true);
  }
  readU32(address: number): number {
    return this.#dataView(address, 4, 'read').getUint32(offsetOf(address), true);
  }
  read64(address: number): number {
    return this.#dataView(address, 8, 'read').getFloat64(offsetOf(address), true);
  }
  write64(address: number, value: number): void {
    this.#dataView(address, 8, 'write').setFloat64(offsetOf(address), value, true);
  }

  /** A copy of the bytes (the caller may keep it). */
  readBytes(address: number, length: number): Uint8Array {
    const offset = offsetOf(address);
    return this.region(address, length, 'read').slice(offset, offset + length);
  }
  writeBytes(address: number, source: Uint8Array): void {
    this.region(address, source.length, 'write').set(source, offsetOf(address));
  }
  /** Copies source[start, end) to `address` (no view is made). */
  writeFrom(address: number, source: Uint8Array, start: number, end: number): void {
    const length = end - start;
    const bytes = this.region(address, length, 'write');
    const offset = offsetOf(address);
    if (length <= 32) for (let i = 0; i < length; i++) bytes[offset + i] = source[start + i]!;
    else bytes.set(source.subarray(start, end), offset);
  }
  readString(address: number, length: number): string {
    return decoder.decode(this.view(address, length, 'read'));
  }
  /** Writes UTF-8 text; returns the number of bytes written. */
  writeString(address: number, text: string): number {
    const encoded = encoder.encode(text);
    this.writeBytes(address, encoded);
    return encoded.length;
  }

  /** Resolves a region name to its base address (for tests and fault injection). */
  baseOf(regionName: string): number {
    const d = this.#table.find((r) => r?.name === regionName);
    if (!d) throw new TypeError(`no region named ${JSON.stringify(regionName)}`);
    return makeAddress(d.id, 0);
  }

  #dataView(address: number, length: number, access: 'read' | 'write'): DataView {
    if (this.#check !== undefined) this.#check(address, length, access);
    const view = this.#views[regionOf(address)];
    if (view === undefined || offsetOf(address) + length > view.byteLength) this.#fault(address, length, access);
    return view;
  }

  #fault(address: number, length: number, access: 'read' | 'write'): never {
    const d = this.#table[regionOf(address)];
    const inBounds = d !== undefined && offsetOf(address) + Math.max(length, 0) <= d.size;
    throw new ProtectionFault({
      address,
      region: d === undefined ? '(unmapped)' : inBounds ? d.name : `${d.name} (out of bounds)`,
      key: d === undefined ? -1 : d.key,
      compartment: this.compartment,
      library: this.library,
      access,
    });
  }
}
