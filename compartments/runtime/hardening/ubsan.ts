// UBSan for hardened libraries: the index and length arithmetic of their memory accesses is
// checked (negative, fractional or overflowing lengths and addresses are reported, not silently
// faulted), and `ctx.checked` gives C's int32 arithmetic with -fsanitize=signed-integer-overflow,shift.

import type { CheckedInts } from '../../../kernel/abi/context.js';
import { HardeningViolation } from '../../../kernel/abi/errors.js';
import { offsetOf, regionOf, formatAddress } from '../../../shm/address.js';
import type { RegionDescriptor } from '../../../shm/region.js';

/** The access check: a length must be a non-negative integer and address + length stay in its region. */
export function ubsanAccessCheck(table: readonly RegionDescriptor[]): (address: number, length: number, access: 'read' | 'write', library: string) => void {
  const sizes: number[] = [];
  for (const d of table) sizes[d.id] = d.size;
  return (address, length, access, library) => {
    if (!Number.isInteger(length) || length < 0) {
      throw new HardeningViolation({ check: 'ubsan', library, address: Number.isInteger(address) ? address : 0, detail: `invalid length ${length} for a ${access}` });
    }
    if (!Number.isInteger(address) || address < 0) {
      throw new HardeningViolation({ check: 'ubsan', library, detail: `invalid pointer ${address} for a ${access} of ${length} bytes` });
    }
    const size = sizes[regionOf(address)];
    // An unknown region is the protection check's business (a fault names it); an overflow past a known one is ours.
    if (size !== undefined && offsetOf(address) + length > size) {
      throw new HardeningViolation({ check: 'ubsan', library, address, detail: `pointer overflow: a ${access} of ${length} bytes at ${formatAddress(address)} passes the end of its ${size}-byte region` });
    }
  };
}

export type { CheckedInts } from '../../../kernel/abi/context.js';

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

export function checkedInts(library: string, hardened: boolean): CheckedInts {
  if (!hardened) {
    return {
      add: (a, b) => (a + b) | 0,
      sub: (a, b) => (a - b) | 0,
      mul: (a, b) => Math.imul(a, b),
      shift: (a, n) => a << n,
      index: (i) => i,
    };
  }
  const int = (value: number, what: string): number => {
    if (!Number.isInteger(value) || value < INT_MIN || value > INT_MAX) {
      throw new HardeningViolation({ check: 'ubsan', library, detail: `signed integer overflow: ${what} = ${value} is not an int` });
    }
    return value;
  };
  return {
    add: (a, b) => int(int(a, 'a') + int(b, 'b'), `${a} + ${b}`),
    sub: (a, b) => int(int(a, 'a') - int(b, 'b'), `${a} - ${b}`),
    mul: (a, b) => int(int(a, 'a') * int(b, 'b'), `${a} * ${b}`),
    shift: (a, n) => {
      if (!Number.isInteger(n) || n < 0 || n > 31) throw new HardeningViolation({ check: 'ubsan', library, detail: `shift exponent ${n} is out of range for a 32-bit int` });
      return int(int(a, 'a') * 2 ** n, `${a} << ${n}`);
    },
    index: (i, length) => {
      if (!Number.isInteger(i) || i < 0 || i >= length) throw new HardeningViolation({ check: 'ubsan', library, detail: `index ${i} out of bounds for length ${length}` });
      return i;
    },
  };
}
