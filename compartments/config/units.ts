// Memory sizes in configurations: a number of bytes, or a string with a binary unit ("8MiB").
// Decimal units (MB) are refused rather than guessed, so "16MB" never silently means 16,000,000.

import { ConfigError } from '../../kernel/abi/errors.js';

const UNITS: Readonly<Record<string, number>> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
/** Above this a heap is certainly a typo; a SharedArrayBuffer that size would not be allocated anyway. */
export const MAX_SIZE = 4 * 1024 ** 3;
const VALID = 'a positive whole number of bytes or a string like "512KiB", "8MiB", "1GiB" (units B, KiB, MiB, GiB), at most 4GiB';

/** Bytes named by `value`; ConfigError at `path` if it is not a positive size. */
export function parseSize(value: unknown, path: string): number {
  let bytes: number;
  if (typeof value === 'number') {
    bytes = value;
  } else if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(value);
    const unit = match?.[2] === '' ? 'B' : match?.[2];
    const scale = unit !== undefined && Object.hasOwn(UNITS, unit) ? UNITS[unit] : undefined;
    if (!match || scale === undefined) throw new ConfigError(path, value, 'not a size', VALID);
    bytes = Number(match[1]) * scale;
  } else {
    throw new ConfigError(path, value, 'a size must be a number or a string', VALID);
  }
  if (!Number.isFinite(bytes) || bytes <= 0) throw new ConfigError(path, value, 'a size must be positive', VALID);
  if (!Number.isInteger(bytes)) throw new ConfigError(path, value, 'not a whole number of bytes', VALID);
  if (bytes > MAX_SIZE) throw new ConfigError(path, value, 'size too large', VALID);
  return bytes;
}

/** The shortest exact spelling of `bytes` in the largest binary unit that divides it ("16MiB"). */
export function formatSize(bytes: number): string {
  if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`not a byte count: ${bytes}`);
  for (const [unit, scale] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= scale && bytes % scale === 0) return `${bytes / scale}${unit}`;
  }
  return `${bytes}B`;
}
