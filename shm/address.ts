// Simulated addresses: one number names a region and an offset inside it, so addresses can cross
// gates as plain integers (they stay exact in a double and in a u64 control-block slot).
// Region 0 is never mapped: address 0 is NULL.

export const REGION_SHIFT = 2 ** 32;
export const MAX_REGION_BYTES = 2 ** 32;
export const NULL_ADDRESS = 0;

export function makeAddress(region: number, offset: number): number {
  return region * REGION_SHIFT + offset;
}

export function regionOf(address: number): number {
  return Math.floor(address / REGION_SHIFT);
}

export function offsetOf(address: number): number {
  return address % REGION_SHIFT;
}

export function formatAddress(address: number): string {
  return '0x' + address.toString(16).padStart(12, '0');
}
