// The small string routines Redis's replies depend on, ported for exact behaviour: string2ll
// (strict integers), strtod as getDoubleFromObject accepts it, printf("%.17g") for scores,
// stringmatchlen (KEYS/SCAN globs), and binary-safe latin1 conversions for keys.

const LLONG_MAX = (1n << 63n) - 1n;
const LLONG_MIN = -(1n << 63n);

/** Redis string2ll: [-]digits, no '+', no spaces, no leading zeros, within int64. */
export function parseLongLong(b: Uint8Array): bigint | null {
  const n = b.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (b[0] === 0x2d) i = 1;
  if (i >= n) return null;
  if (b[i] === 0x30) return n === 1 ? 0n : null;
  let small = 0;
  for (let j = i; j < n; j++) {
    const d = b[j]! - 0x30;
    if (d < 0 || d > 9) return null;
    small = small * 10 + d;
  }
  if (n - i <= 15) return BigInt(i === 1 ? -small : small);
  const v = BigInt(latin1(b));
  return v > LLONG_MAX || v < LLONG_MIN ? null : v;
}

/** string2ll as a JS number: exact up to 2^53, approximate (but in int64 range) past it. */
export function parseInteger(b: Uint8Array): number | null {
  const n = b.length;
  if (n === 0) return null;
  if (n > 16) {
    const v = parseLongLong(b);
    return v === null ? null : Number(v);
  }
  const i = b[0] === 0x2d ? 1 : 0;
  if (i >= n) return null;
  if (b[i] === 0x30) return n === 1 ? 0 : null;
  let v = 0;
  for (let j = i; j < n; j++) {
    const d = b[j]! - 0x30;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  return i === 1 ? -v : v;
}

export const fitsLongLong = (v: bigint): boolean => v >= LLONG_MIN && v <= LLONG_MAX;

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;

/**
 * Redis getDoubleFromObject: strtod over the whole string, refusing a leading blank, trailing
 * bytes, NaN, and ERANGE overflow/underflow. (Hexadecimal floats, which strtod also takes, are refused.)
 */
export function parseDouble(b: Uint8Array): number | null {
  if (b.length === 0 || b.length > 300) return null;
  const s = latin1(b);
  const inf = INFINITY.exec(s);
  if (inf !== null) return inf[1] === '-' ? -Infinity : Infinity;
  if (!DECIMAL.test(s)) return null;
  const v = Number(s);
  if (!Number.isFinite(v)) return null; // overflow
  if (v === 0 && /[1-9]/.test(s.split(/[eE]/)[0]!)) return null; // underflow to zero
  return v;
}

/** printf("%.17g", d) as glibc prints it, with Redis's "inf"/"-inf" (addReplyDouble). */
export function formatDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  if (Number.isSafeInteger(d)) return String(d); // exact digits, and what %.17g prints for them
  const x = Math.abs(d);
  let [digits, exp] = decimalDigits(x.toExponential(16));
  // JS breaks an exact tie at the 18th digit away from zero; glibc rounds half to even.
  const [wide, wideExp] = decimalDigits(x.toExponential(24));
  if (wide.endsWith('50000000') && Number(wide[16]) % 2 === 0 && isExactTie(x, wide.slice(0, 17), wideExp)) {
    digits = wide.slice(0, 17);
    exp = wideExp;
  }
  const sign = d < 0 ? '-' : '';
  if (exp < -4 || exp >= 17) {
    const frac = digits.slice(1).replace(/0+$/, '');
    const e = Math.abs(exp);
    return `${sign}${digits[0]}${frac === '' ? '' : `.${frac}`}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  const int = exp >= 0 ? digits.slice(0, exp + 1) : '0';
  const frac = (exp >= 0 ? digits.slice(exp + 1) : '0'.repeat(-exp - 1) + digits).replace(/0+$/, '');
  return `${sign}${int}${frac === '' ? '' : `.${frac}`}`;
}

/** "d.ddd e±x" from toExponential as (all digits, decimal exponent). */
function decimalDigits(s: string): [string, number] {
  const [mantissa, exp] = s.split('e') as [string, string];
  return [mantissa.replace('.', ''), Number(exp)];
}

/** Is x exactly (head followed by a 5) x 10^(exp - 17), i.e. halfway between two 17-digit values? */
function isExactTie(x: number, head: string, exp: number): boolean {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const m = biased === 0 ? fraction : fraction | (1n << 52n);
  const e2 = (biased === 0 ? 1 : biased) - 1075; // x = m * 2^e2
  const p10 = exp - 17; // candidate = t * 10^p10
  let lhs = m;
  let rhs = BigInt(head) * 10n + 5n;
  if (e2 >= 0) lhs <<= BigInt(e2);
  else rhs <<= BigInt(-e2);
  if (p10 >= 0) rhs *= 10n ** BigInt(p10);
  else lhs *= 10n ** BigInt(-p10);
  return lhs === rhs;
}

/** Bytes to a JS string holding one char per byte (binary-safe, unlike TextDecoder('latin1')). */
export function latin1(b: Uint8Array): string {
  // One flat string at once: keys are hashed and compared, and a string built by += is a rope.
  if (b.length < 48) return String.fromCharCode.apply(null, b as unknown as number[]);
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

/** Whether two byte strings are equal: the name caches compare a command's name with the last one. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function latin1Bytes(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}

const ascii = new TextEncoder();
/** ASCII text (numbers, ids) to bytes. */
export function asciiBytes(s: string): Uint8Array {
  return ascii.encode(s);
}

const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c);

/**
 * Redis stringmatchlen over char codes of latin1 strings: `*`, `?`, `[abc]`, `[^a]`, `[a-z]`
 * and `\x` escapes. Recursion on `*` mirrors Redis, so pathological patterns cost what they cost there.
 */
export function stringMatch(pattern: string, text: string, options: { nocase?: boolean } = {}): boolean {
  return matchAt(pattern, 0, text, 0, options.nocase === true);
}

function matchAt(p: string, pi: number, s: string, si: number, nocase: boolean): boolean {
  const pl = p.length;
  const sl = s.length;
  const eq = (a: number, b: number): boolean => (nocase ? lower(a) === lower(b) : a === b);
  while (pi < pl && si < sl) {
    const c = p.charCodeAt(pi);
    if (c === 0x2a /* * */) {
      while (pi + 1 < pl && p.charCodeAt(pi + 1) === 0x2a) pi++;
      if (pi + 1 === pl) return true;
      for (; si < sl; si++) if (matchAt(p, pi + 1, s, si, nocase)) return true;
      return false;
    } else if (c === 0x3f /* ? */) {
      si++;
    } else if (c === 0x5b /* [ */) {
      pi++;
      const not = pi < pl && p.charCodeAt(pi) === 0x5e;
      if (not) pi++;
      let match = false;
      const sc = s.charCodeAt(si);
      for (;;) {
        if (pi >= pl) {
          pi--; // an unterminated class: Redis steps back so the shared pi++ below ends the pattern
          break;
        }
        const pc = p.charCodeAt(pi);
        if (pc === 0x5c && pl - pi >= 2) {
          pi++;
          if (p.charCodeAt(pi) === sc) match = true;
        } else if (pc === 0x5d /* ] */) {
          break;
        } else if (pl - pi >= 3 && p.charCodeAt(pi + 1) === 0x2d) {
          let start = pc;
          let end = p.charCodeAt(pi + 2);
          let x = sc;
          if (start > end) [start, end] = [end, start];
          if (nocase) {
            start = lower(start);
            end = lower(end);
            x = lower(x);
          }
          pi += 2;
          if (x >= start && x <= end) match = true;
        } else if (eq(pc, sc)) {
          match = true;
        }
        pi++;
      }
      if (not) match = !match;
      if (!match) return false;
      si++;
    } else {
      if (c === 0x5c && pl - pi >= 2) pi++;
      if (!eq(p.charCodeAt(pi), s.charCodeAt(si))) return false;
      si++;
    }
    pi++;
    if (si === sl) {
      while (pi < pl && p.charCodeAt(pi) === 0x2a) pi++;
      break;
    }
  }
  return pi === pl && si === sl;
}

/** Redis bytesToHuman (INFO memory). */
export function bytesToHuman(n: number): string {
  const units: [number, string][] = [
    [1024 ** 5, 'P'],
    [1024 ** 4, 'T'],
    [1024 ** 3, 'G'],
    [1024 ** 2, 'M'],
    [1024, 'K'],
  ];
  for (const [size, unit] of units) if (n >= size) return `${(n / size).toFixed(2)}${unit}`;
  return `${n}B`;
}
