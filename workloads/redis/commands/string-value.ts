// How a string value is made: its bytes go to the value store (the app compartment's heap).

import type { Call } from './common.js';

export const MAX_STRING = 512 * 1024 * 1024;

export type StringValue = { type: 'string'; addr: number; len: number };

export function stringValue(c: Call, bytes: Uint8Array): StringValue {
  return { type: 'string', addr: c.ks.putBytes(bytes), len: bytes.length };
}
