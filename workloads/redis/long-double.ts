// The x87 80-bit long double that INCRBYFLOAT and HINCRBYFLOAT compute in (Redis 5 on x86-64):
// strtold as getLongDoubleFromObject accepts it, one rounded addition, and ld2string's
// human-friendly "%.17Lf" with trailing zeros trimmed. Exact, with BigInt rationals.

/** m x 2^e with a 64-bit significand (m = 0 for zero); inf for the overflowed sums. */
export interface LongDouble {
  readonly neg: boolean;
  readonly m: bigint;
  readonly e: number;
  readonly inf?: true;
}

const BITS = 64;
/** The smallest subnormal is 2^-16445; the largest finite value is just under 2^16384. */
const MIN_EXP = -16445;
const MAX_EXP = 16384 - BITS;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;

const bitLength = (v: bigint): number => (v === 0n ? 0 : v.toString(2).length);

/** p/q x 2^e0 (p, q > 0) to the nearest long double, ties to even; null when it overflows. */
function round(neg: boolean, p: bigint, q: bigint, e0: number): LongDouble | null {
  // Choose s so that floor(p * 2^s / q) has exactly BITS bits, unless that goes below the subnormal floor.
  let s = BITS - (bitLength(p) - bitLength(q));
  const scaled = (k: number): bigint => (k >= 0 ? (p << BigInt(k)) / q : p / (q << BigInt(-k)));
  if (scaled(s) >= 1n << BigInt(BITS)) s--;
  else if (scaled(s) < 1n << BigInt(BITS - 1)) s++;
  if (e0 - s < MIN_EXP) s = e0 - MIN_EXP;
  const num = s >= 0 ? p << BigInt(s) : p;
  const den = s >= 0 ? q : q << BigInt(-s);
  let m = num / den;
  const twice = (num % den) * 2n;
  if (twice > den || (twice === den && (m & 1n) === 1n)) m++;
  let e = e0 - s;
  if (m === 1n << BigInt(BITS)) {
    m >>= 1n;
    e++;
  }
  if (e > MAX_EXP) return null;
  return { neg, m, e };
}

/**
 * strtold over the whole argument as getLongDoubleFromObject and string2ld accept it: no leading
 * blank, no trailing bytes, no NaN, no overflow or underflow to zero; hexadecimal floats ("0x1.8p3") too.
 */
export function parseLongDouble(b: Uint8Array): LongDouble | null {
  if (b.length === 0 || b.length >= 5 * 1024) return null;
  const s = Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
  const inf = INFINITY.exec(s);
  if (inf !== null) return { neg: inf[1] === '-', m: 0n, e: 0, inf: true };
  const hex = HEX.exec(s);
  if (hex !== null) return parseHex(hex[1] === '-', hex[2] ?? '', hex[3] ?? '', hex[4]);
  const d = DECIMAL.exec(s);
  if (d === null) return null;
  const int = d[2] ?? '';
  const frac = d[3] ?? '';
  if (int === '' && frac === '') return null;
  const neg = d[1] === '-';
  const digits = BigInt(int + frac || '0');
  if (digits === 0n) return { neg, m: 0n, e: 0 };
  const exp10 = (d[4] === undefined ? 0 : Number(d[4])) - frac.length;
  if (exp10 > 6000) return null; // ERANGE overflow to HUGE_VAL
  if (exp10 < -6000 - int.length - frac.length) return null; // ERANGE underflow to zero
  const v = exp10 >= 0 ? round(neg, digits * 10n ** BigInt(exp10), 1n, 0) : round(neg, digits, 10n ** BigInt(-exp10), 0);
  if (v === null || v.m === 0n) return null;
  return v;
}

function parseHex(neg: boolean, int: string, frac: string, exp: string | undefined): LongDouble | null {
  if (int === '' && frac === '') return null;
  const digits = BigInt(`0x${int + frac || '0'}`);
  if (digits === 0n) return { neg, m: 0n, e: 0 };
  const e2 = (exp === undefined ? 0 : Number(exp)) - 4 * frac.length;
  if (e2 > 20000) return null;
  if (e2 < -20000 - 4 * (int.length + frac.length)) return null;
  const v = round(neg, digits, 1n, e2);
  return v === null || v.m === 0n ? null : v;
}

/** a + b rounded once to a long double; inf (with its sign) when it overflows or either is inf. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.inf === true || b.inf === true) {
    if (a.inf === true && b.inf === true && a.neg !== b.neg) return { neg: false, m: 0n, e: 0, inf: true }; // NaN: refused the same way
    return a.inf === true ? a : b;
  }
  if (a.m === 0n && b.m === 0n) return { neg: a.neg && b.neg, m: 0n, e: 0 };
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const sa = (a.neg ? -a.m : a.m) << BigInt(a.e - e);
  const sb = (b.neg ? -b.m : b.m) << BigInt(b.e - e);
  const sum = sa + sb;
  if (sum === 0n) return { neg: false, m: 0n, e: 0 };
  return round(sum < 0n, sum < 0n ? -sum : sum, 1n, e) ?? { neg: sum < 0n, m: 0n, e: 0, inf: true };
}

/** ld2string(value, humanfriendly=1): printf("%.17Lf"), then trailing zeros and a bare '.' trimmed. */
export function formatLongDouble(v: LongDouble): string {
  if (v.inf === true) return v.neg ? '-inf' : 'inf';
  const scale = 10n ** 17n;
  let q: bigint;
  if (v.e >= 0) {
    q = (v.m << BigInt(v.e)) * scale;
  } else {
    const num = v.m * scale;
    const den = 1n << BigInt(-v.e);
    q = num / den;
    const twice = (num % den) * 2n;
    if (twice > den || (twice === den && (q & 1n) === 1n)) q++;
  }
  const digits = q.toString().padStart(18, '0');
  let text = `${digits.slice(0, -17)}.${digits.slice(-17)}`.replace(/0+$/, '');
  if (text.endsWith('.')) text = text.slice(0, -1);
  return (v.neg ? '-' : '') + text;
}
