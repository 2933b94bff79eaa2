// Shape checks for configuration fields: each one either returns the typed value or throws a
// ConfigError naming the field path, the value and what would be valid. Used only by parse.ts.

import { ConfigError } from '../../kernel/abi/errors.js';

export type Fields = Record<string, unknown>;

export function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function join(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** A mapping, or `{}` when the field is absent or null (`newlib:` in YAML). */
export function record(value: unknown, path: string, what = 'a mapping'): Fields {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new ConfigError(path, value, `expected ${what}`, what);
  return value;
}

/** Typo protection: every key of `fields` must be one of `allowed`. */
export function onlyKeys(fields: Fields, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(fields)) {
    if (allowed.includes(key)) continue;
    const near = closest(key, allowed);
    throw new ConfigError(join(path, key), fields[key], `unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ''}`, allowed.join(', '));
  }
}

export function oneOf<T extends string>(value: unknown, options: readonly T[], path: string): T {
  if (typeof value === 'string' && (options as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(path, value, typeof value === 'string' ? 'unknown value' : 'expected a string', options.join(' | '));
}

export function string(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ConfigError(path, value, 'expected a non-empty string', 'a non-empty string');
  return value;
}

export function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(path, value, 'expected a boolean', 'true | false');
  return value;
}

export function positiveNumber(value: unknown, path: string, options: { integer?: boolean; allowZero?: boolean } = {}): number {
  const valid = `a ${options.allowZero ? 'non-negative' : 'positive'} ${options.integer ? 'integer' : 'number'}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConfigError(path, value, 'expected a number', valid);
  if (value < 0 || (value === 0 && !options.allowZero)) throw new ConfigError(path, value, 'out of range', valid);
  if (options.integer && !Number.isInteger(value)) throw new ConfigError(path, value, 'expected an integer', valid);
  return value;
}

/** The allowed key within edit distance 2 of `key`, if any: enough for "compartmnet" or "shared-heap". */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      next.push(Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, substitution));
    }
    row = next;
  }
  return row[b.length] ?? 0;
}
