// What every command shares: argument parsing with clear errors (the option, what was wrong, what
// is valid; exit 2), --help text, and the check that the compiled tree exists.

import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseCommandLine(argv: readonly string[], options: Options, usage: string): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (error) {
    const valid = Object.keys(options).map((o) => `--${o}`).join(', ');
    throw new UsageError(`${(error as Error).message.replace(/\. To specify a positional.*$/s, '')}\nvalid options: ${valid}\n\n${usage}`);
  }
}

/** The items of a comma-separated option, trimmed, empty ones dropped. */
export function commaList(raw: unknown): string[] {
  return String(raw).split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** --presets as a list (`fallback` when absent), or a UsageError when it names none. */
export function presetsOption(values: Parsed['values'], fallback: string): string[] {
  const presets = commaList(values['presets'] ?? fallback);
  if (presets.length === 0) throw new UsageError(`--presets: ${JSON.stringify(values['presets'])} names no preset`);
  return presets;
}

/** A positive number from an option, or a UsageError naming the option and the valid range. */
export function numberOption(values: Parsed['values'], name: string, fallback: number, range: { min: number; max: number; integer?: boolean }): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(n) || n < range.min || n > range.max || (range.integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name}: ${JSON.stringify(raw)} is not valid; expected ${range.integer ? 'an integer' : 'a number'} from ${range.min} to ${range.max}`);
  }
  return n;
}

/** Runs a command's main, printing usage errors without a stack and exiting 2. */
export async function runCommand(main: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    const code = (error as { code?: string }).code;
    process.stderr.write(`error: ${code ? code + ': ' : ''}${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
