// The arithmetic of lengths and offsets in library code (buffer lengths, parsed length fields): C's
// checked int arithmetic (`ctx.checked`, UBSan's -fsanitize=signed-integer-overflow) when the
// library is hardened with ubsan, else exact arithmetic, so unhardened code behaves as it always did.

import type { CheckedInts, LibraryContext } from './context.js';

/** Exact arithmetic on doubles: an oversized value goes on to the code's own limit checks. */
export const EXACT_INTS: CheckedInts = Object.freeze({
  add: (a: number, b: number) => a + b,
  sub: (a: number, b: number) => a - b,
  mul: (a: number, b: number) => a * b,
  shift: (a: number, n: number) => a * 2 ** n,
  index: (i: number) => i,
});

/**
 * The library's length arithmetic: `ctx.checked` under ubsan, EXACT_INTS otherwise (also for a
 * context without a hardening list, as the partial contexts of unit tests are).
 */
export function lengthArithmetic(ctx: Partial<Pick<LibraryContext, 'hardening' | 'checked'>>): CheckedInts {
  return ctx.hardening?.includes('ubsan') === true && ctx.checked !== undefined ? ctx.checked : EXACT_INTS;
}
