// Intel MPK's PKRU register, as FlexOS computes it: two bits per key (AD = access disable,
// WD = write disable). Compartment k may read and write key k and the shared key 15 only.

import { SHARED_KEY } from './region.js';

/** FlexOS: PKRU(k) = 0x3fffffff & ~(3 << 2k). Bits 30-31 (key 15) stay clear: the shared key. */
export function pkruForKey(key: number): number {
  if (!Number.isInteger(key) || key < 0 || key >= SHARED_KEY) throw new RangeError(`MPK key must be 0..14, got ${key}`);
  return (0x3fffffff & ~(3 << (2 * key))) >>> 0;
}

/** The PKRU of a compartment that may touch everything (fcalls: no isolation). */
export const PKRU_ALLOW_ALL = 0;

export function pkruAllows(pkru: number, key: number, access: 'read' | 'write'): boolean {
  const bits = (pkru >>> (2 * key)) & 3;
  if (bits & 1) return false; // AD: no access at all
  return access === 'read' || (bits & 2) === 0; // WD: reads only
}

export function formatPkru(pkru: number): string {
  return '0x' + (pkru >>> 0).toString(16).padStart(8, '0');
}
