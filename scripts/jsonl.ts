// JSON-lines result files appended one record at a time (explore.js --results, paper.js's resume
// store): a run killed mid-write leaves a torn last line, and the next append would be glued onto it,
// losing that record too. Opening a file for appending repairs its tail first.

import { appendFileSync, existsSync, readFileSync, truncateSync } from 'node:fs';

const NEWLINE = 0x0a;

/**
 * Makes the next append to `path` start on its own line: a last line without its newline is dropped
 * (a torn record), or terminated when it is a whole JSON record that only lacks the newline. Says what
 * it did through `say` (default: stderr), naming the file and the bytes; returns the bytes dropped.
 */
export function repairTornTail(path: string, options: { readonly say?: (text: string) => void } = {}): number {
  if (typeof path !== 'string' || path === '') throw new TypeError('repairTornTail: path must be a non-empty string');
  if (!existsSync(path)) return 0;
  const bytes = readFileSync(path);
  if (bytes.length === 0 || bytes[bytes.length - 1] === NEWLINE) return 0;
  const say = options.say ?? ((text: string): void => void process.stderr.write(text + '\n'));
  const start = bytes.lastIndexOf(NEWLINE) + 1;
  const tail = bytes.subarray(start);
  if (isWholeRecord(tail.toString('utf8'))) {
    appendFileSync(path, '\n');
    say(`${path}: the last record lacked its newline (${tail.length} bytes kept); terminated it so the next record starts on its own line`);
    return 0;
  }
  truncateSync(path, start);
  say(`${path}: dropped a torn last line (${tail.length} bytes, a run killed mid-write); the next record starts on its own line`);
  return tail.length;
}

function isWholeRecord(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
