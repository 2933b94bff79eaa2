// What the Redis image is booted with besides its port: maxmemory and the per-client limits, passed
// as the numeric arguments of its main (launch's mainArgs) and set from run.js flags. Absent
// arguments take Redis's defaults, so `main(port)` alone is a stock server.

import { DEFAULT_CLIENT_LIMITS, type ClientLimits } from './client-limits.js';
import { parseMemorySize } from './memory-limit.js';

export interface RedisBootSettings extends ClientLimits {
  /** Bytes; 0 = no limit. */
  readonly maxmemory: number;
}

export const DEFAULT_BOOT_SETTINGS: RedisBootSettings = { maxmemory: 0, ...DEFAULT_CLIENT_LIMITS };

/** The order of main's arguments after the port. */
const ORDER = ['maxmemory', 'queryBufferLimit', 'outputHard', 'outputSoft', 'outputSoftSeconds'] as const;

/** main's arguments after the port for these settings (the rest at their defaults). */
export function redisMainArgs(settings: Partial<RedisBootSettings>): number[] {
  const all = { ...DEFAULT_BOOT_SETTINGS, ...settings };
  return ORDER.map((k) => {
    const v = all[k];
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${k} must be a whole number >= 0 (got ${v})`);
    return v;
  });
}

/** The settings main was given: missing or non-numeric arguments take the defaults. */
export function settingsFromMainArgs(args: readonly (number | undefined)[]): RedisBootSettings {
  const out: Record<string, number> = { ...DEFAULT_BOOT_SETTINGS };
  ORDER.forEach((k, i) => {
    const v = args[i];
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) out[k] = v;
  });
  return out as unknown as RedisBootSettings;
}

/** run.js's flags that set them, with their help lines. */
export const REDIS_BOOT_FLAGS: Readonly<Record<string, string>> = {
  maxmemory: '<bytes|mb|gb> Redis: refuse commands that grow memory once the keys hold more (0 = no limit, the default)',
};

/** main's arguments after the port from run.js flags (`{ maxmemory: '100mb' }`); RangeError names the flag and the valid forms. */
export function redisMainArgsFromFlags(flags: Readonly<Record<string, string>>): number[] {
  const settings: { maxmemory?: number } = {};
  for (const [flag, text] of Object.entries(flags)) {
    if (flag !== 'maxmemory') throw new RangeError(`--${flag} does not apply to Redis (its flags: ${Object.keys(REDIS_BOOT_FLAGS).map((f) => `--${f}`).join(', ')})`);
    try {
      settings.maxmemory = parseMemorySize(text);
    } catch (error) {
      throw new RangeError(`--maxmemory: ${(error as Error).message}`);
    }
  }
  return redisMainArgs(settings);
}
