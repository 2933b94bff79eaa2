// newlib: the C library functions other libraries call. Every access goes through the caller's
// addresses in simulated memory, so a memcpy across compartments touches only what this
// compartment may touch. Strings are NUL-terminated, as in C.

import type { LibraryContext, LibraryInstance } from '../abi/context.js';

const MAX_STRING = 1 << 20;
/** Where this simulator's reent struct keeps `_locale` (0: the "C" locale); errno is at offset 0. */
export const REENT_LOCALE = 48;

export function create(ctx: LibraryContext): LibraryInstance {
  const memory = ctx.memory;
  const work = ctx.work;
  const ukMalloc = ctx.import('ukalloc', 'uk_malloc');
  const ukCalloc = ctx.import('ukalloc', 'uk_calloc');
  const ukRealloc = ctx.import('ukalloc', 'uk_realloc');
  const ukFree = ctx.import('ukalloc', 'uk_free');
  const getreent = ctx.import('uksched', '__getreent');

  const strlen = (s: number): number => {
    const { bytes, offset } = memory.span(s, 1, 'read');
    const end = bytes.indexOf(0, offset);
    if (end < 0 || end - offset > MAX_STRING) return memory.view(s, MAX_STRING + 1, 'read').length; // faults past the region
    work.add('scan', end - offset + 1);
    return end - offset;
  };
  const compare = (a: number, b: number, n: number): number => {
    work.add('compare', n);
    const x = memory.view(a, n, 'read');
    const y = memory.view(b, n, 'read');
    for (let i = 0; i < n; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
    return 0;
  };
  // errno lives in the reent struct that uksched owns, at offset 0 (FlexOS: __getreent callback).
  const errnoAddress = (): number => getreent();
  /**
   * newlib's tolower: isupper() reads the ctype table through __locale_ctype_ptr(), which reads
   * _REENT->_locale, so every call is one __getreent (FlexOS: a newlib -> uksched gate when the
   * scheduler is isolated; FLEXOS-CALLS.md, "ctype"). Only the "C" locale exists here.
   */
  const tolower = (c: number): number => {
    memory.read32(getreent() + REENT_LOCALE);
    return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
  };
  /** newlib's strcasecmp (libc/string/strcasecmp.c): tolower of both sides per character, until a difference or the end of s2. */
  const strcasecmp = (a: number, b: number): number => {
    let i = 0;
    let d = 0;
    for (;; i++) {
      const c1 = tolower(memory.read8(a + i));
      const c2 = tolower(memory.read8(b + i));
      d = c1 - c2;
      if (d !== 0 || c2 === 0) break;
    }
    work.add('compare', i + 1);
    return d;
  };

  return {
    exports: {
      memcpy: (dst, src, n) => {
        work.add('copy', n);
        memory.view(dst, n, 'write').set(memory.view(src, n, 'read'));
        return dst;
      },
      memmove: (dst, src, n) => {
        work.add('copy', n);
        memory.view(dst, n, 'write').set(memory.view(src, n, 'read')); // TypedArray.set is overlap-safe
        return dst;
      },
      memset: (dst, c, n) => {
        work.add('copy', n);
        memory.view(dst, n, 'write').fill(c & 0xff);
        return dst;
      },
      memcmp: (a, b, n) => compare(a, b, n),
      strlen,
      strcmp: (a, b) => {
        const la = strlen(a);
        const lb = strlen(b);
        const n = Math.min(la, lb);
        return compare(a, b, n) || la - lb;
      },
      strncmp: (a, b, n) => {
        const la = Math.min(strlen(a), n);
        const lb = Math.min(strlen(b), n);
        return compare(a, b, Math.min(la, lb)) || la - lb;
      },
      tolower: (c) => tolower(c),
      strcasecmp,
      strchr: (s, c) => {
        const n = strlen(s);
        const i = memory.view(s, n + 1, 'read').indexOf(c & 0xff);
        work.add('scan', i < 0 ? n + 1 : i + 1);
        return i < 0 ? 0 : s + i;
      },
      strtol: (s, endAddr, base) => {
        const text = memory.readString(s, strlen(s));
        const { value, consumed } = parseLong(text, base);
        work.add('int', 1);
        if (endAddr !== 0) memory.write64(endAddr, s + consumed);
        return value;
      },
      malloc: (size) => ukMalloc(size),
      calloc: (count, size) => ukCalloc(count, size),
      realloc: (address, size) => ukRealloc(address, size),
      free: (address) => ukFree(address),
      puts: (s) => {
        ctx.log(memory.readString(s, strlen(s)) + '\n');
        return 0;
      },
      write_console: (s, n) => {
        ctx.log(memory.readString(s, n));
        return n;
      },
      __errno: () => errnoAddress(),
      errno_get: () => memory.read32(errnoAddress()),
      errno_set: (value) => {
        memory.write32(errnoAddress(), value);
        return 0;
      },
    },
  };
}

/**
 * C's strtol: optional space and sign, then digits of `base` (2..36); base 0 picks 16 for "0x"
 * followed by a hex digit, 8 for a leading 0, 10 otherwise. "0x" is a prefix only for bases 0 and
 * 16, and only when a hex digit follows (else the "0" alone is the number). Nothing parsed: 0, end = s.
 */
export function parseLong(text: string, base: number): { value: number; consumed: number } {
  if (base !== 0 && !(base >= 2 && base <= 36)) return { value: 0, consumed: 0 };
  let i = 0;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  let negative = false;
  if (text[i] === '+' || text[i] === '-') negative = text[i++] === '-';
  let radix = base;
  const hexPrefix = text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X') && /[0-9a-fA-F]/.test(text[i + 2] ?? '');
  if ((radix === 0 || radix === 16) && hexPrefix) {
    radix = 16;
    i += 2;
  } else if (radix === 0) radix = text[i] === '0' ? 8 : 10;
  const start = i;
  let value = 0;
  for (; i < text.length; i++) {
    const d = parseInt(text[i]!, 36);
    if (!(d < radix)) break;
    value = value * radix + d;
  }
  if (i === start) return { value: 0, consumed: 0 };
  return { value: negative ? -value : value, consumed: i };
}
