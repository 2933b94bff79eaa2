// newlib: the C library functions other libraries call. Every access goes through the caller's
// addresses in simulated memory, so a memcpy across compartments touches only what this
// compartment may touch. Strings are NUL-terminated, as in C.

import type { LibraryContext, LibraryInstance } from '../../compartments/context.js';

const MAX_STRING = 1 << 20;

export function create(ctx: LibraryContext): LibraryInstance {
  const memory = ctx.memory;
  const ukMalloc = ctx.import('ukalloc', 'uk_malloc');
  const ukCalloc = ctx.import('ukalloc', 'uk_calloc');
  const ukRealloc = ctx.import('ukalloc', 'uk_realloc');
  const ukFree = ctx.import('ukalloc', 'uk_free');
  const getreent = ctx.import('uksched', '__getreent');

  const strlen = (s: number): number => {
    const { bytes, offset } = memory.span(s, 1, 'read');
    const end = bytes.indexOf(0, offset);
    if (end < 0 || end - offset > MAX_STRING) return memory.view(s, MAX_STRING + 1, 'read').length; // faults past the region
    return end - offset;
  };
  const compare = (a: number, b: number, n: number): number => {
    const x = memory.view(a, n, 'read');
    const y = memory.view(b, n, 'read');
    for (let i = 0; i < n; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
    return 0;
  };
  // errno lives in the reent struct that uksched owns, at offset 0 (FlexOS: __getreent callback).
  const errnoAddress = (): number => getreent();

  return {
    exports: {
      memcpy: (dst, src, n) => {
        memory.view(dst, n, 'write').set(memory.view(src, n, 'read'));
        return dst;
      },
      memmove: (dst, src, n) => {
        memory.view(dst, n, 'write').set(memory.view(src, n, 'read')); // TypedArray.set is overlap-safe
        return dst;
      },
      memset: (dst, c, n) => {
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
      strchr: (s, c) => {
        const n = strlen(s);
        const i = memory.view(s, n + 1, 'read').indexOf(c & 0xff);
        return i < 0 ? 0 : s + i;
      },
      strtol: (s, endAddr, base) => {
        const text = memory.readString(s, strlen(s));
        const match = /^\s*([+-]?)(0x|0X)?([0-9a-zA-Z]+)/.exec(text);
        let value = 0;
        let consumed = 0;
        if (match) {
          const radix = base === 0 ? (match[2] ? 16 : match[3]!.startsWith('0') && match[3]!.length > 1 ? 8 : 10) : base;
          const digits = match[3]!;
          let i = 0;
          for (; i < digits.length; i++) {
            const d = parseInt(digits[i]!, 36);
            if (!(d < radix)) break;
            value = value * radix + d;
          }
          if (i > 0) consumed = match[0].length - digits.length + i;
          if (match[1] === '-') value = -value;
        }
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
