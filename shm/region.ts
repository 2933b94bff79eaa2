// Regions of simulated memory: each a SharedArrayBuffer with a protection key, as FlexOS tags
// pages with an MPK key. The table of descriptors is public (every compartment can name a region
// in a fault report); the buffers themselves are handed only to compartments allowed to touch them.

import { MAX_REGION_BYTES } from './address.js';

/** MPK: key k belongs to compartment k; key 15 is the shared key (FlexOS: shared data, RPC area). */
export const SHARED_KEY = 15;
export const MAX_MPK_KEYS = 16;

export type RegionKind =
  | 'heap' // a compartment's private TLSF heap
  | 'shared-heap' // the shared TLSF heap (flexos_malloc_whitelist)
  | 'stack' // a private stack, or the one shared stack with shared stacks
  | 'dss' // data shadow stacks, at a fixed offset from the private stacks
  | 'rpc' // gate control blocks
  | 'device'; // rings of a simulated device, shared between the host and one compartment

export interface RegionDescriptor {
  readonly id: number;
  readonly name: string;
  readonly kind: RegionKind;
  readonly key: number;
  readonly size: number;
  /** The compartment (1-based index) that owns it; 0 for shared regions. */
  readonly owner: number;
}

export interface Region extends RegionDescriptor {
  readonly buffer: SharedArrayBuffer;
}

export function createRegion(descriptor: RegionDescriptor): Region {
  if (!Number.isInteger(descriptor.size) || descriptor.size <= 0 || descriptor.size > MAX_REGION_BYTES) {
    throw new RangeError(`region ${descriptor.name}: size must be an integer in 1..2^32, got ${descriptor.size}`);
  }
  if (!Number.isInteger(descriptor.key) || descriptor.key < 0 || descriptor.key >= MAX_MPK_KEYS) {
    throw new RangeError(`region ${descriptor.name}: key must be 0..15, got ${descriptor.key}`);
  }
  return { ...descriptor, buffer: new SharedArrayBuffer(descriptor.size) };
}

export function describe(region: Region): RegionDescriptor {
  const { buffer: _buffer, ...descriptor } = region;
  return descriptor;
}
