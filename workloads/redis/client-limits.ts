// Redis's per-client limits: client-query-buffer-limit, and client-output-buffer-limit's normal
// class (hard bytes, soft bytes, soft seconds), with the log lines Redis writes when it closes a
// client for them, and the recent peaks INFO reports (clientsCronTrackExpansiveClients).

const MiB = 1024 * 1024;

export interface ClientLimits {
  /** client-query-buffer-limit: a client whose unparsed input passes this is closed. */
  readonly queryBufferLimit: number;
  /** client-output-buffer-limit normal <hard>: pending replies past this close the client; 0 = none. */
  readonly outputHard: number;
  /**
   * <soft>: pending replies past this stop the client's pipelined commands (and the reads of its
   * socket) until the socket drains below it; 0 = none.
   */
  readonly outputSoft: number;
  /** <soft seconds>: a client over the soft limit this long without a pause is closed; 0 = never. */
  readonly outputSoftSeconds: number;
}

/**
 * Redis's query limit; for output Redis's normal class has no limit at all, which here would let one
 * client that never reads grow the compartment without bound: 64 MiB hard (the old cap), 16 MiB soft.
 */
export const DEFAULT_CLIENT_LIMITS: ClientLimits = { queryBufferLimit: 1024 * MiB, outputHard: 64 * MiB, outputSoft: 16 * MiB, outputSoftSeconds: 60 };

export type OutputVerdict = 'ok' | 'throttle' | 'close';

/**
 * checkClientOutputBufferLimits for `pending` reply bytes at `nowMs`; `softSinceMs` is when the
 * client went over the soft limit (-1: it is not). Returns the verdict and the updated mark.
 */
export function checkOutput(limits: ClientLimits, pending: number, softSinceMs: number, nowMs: number): { verdict: OutputVerdict; softSinceMs: number } {
  if (limits.outputHard > 0 && pending > limits.outputHard) return { verdict: 'close', softSinceMs };
  if (limits.outputSoft === 0 || pending <= limits.outputSoft) return { verdict: 'ok', softSinceMs: -1 };
  const since = softSinceMs < 0 ? nowMs : softSinceMs;
  if (limits.outputSoftSeconds > 0 && nowMs - since >= limits.outputSoftSeconds * 1000) return { verdict: 'close', softSinceMs: since };
  return { verdict: 'throttle', softSinceMs: since };
}

/** CLIENTS_PEAK_MEM_USAGE_SLOTS: the peaks of the last 8 seconds, one slot a second. */
const SLOTS = 8;

/** The biggest input and output buffer of any client in the last seconds (INFO clients). */
export class RecentPeaks {
  readonly #input = new Array<number>(SLOTS).fill(0);
  readonly #output = new Array<number>(SLOTS).fill(0);
  readonly #second = new Array<number>(SLOTS).fill(-1);

  record(nowMs: number, inputBytes: number, outputBytes: number): void {
    const second = Math.floor(nowMs / 1000);
    const i = second % SLOTS;
    if (this.#second[i] !== second) {
      this.#second[i] = second;
      this.#input[i] = 0;
      this.#output[i] = 0;
    }
    if (inputBytes > this.#input[i]!) this.#input[i] = inputBytes;
    if (outputBytes > this.#output[i]!) this.#output[i] = outputBytes;
  }

  input(nowMs: number): number {
    return this.#max(this.#input, nowMs);
  }

  output(nowMs: number): number {
    return this.#max(this.#output, nowMs);
  }

  #max(values: readonly number[], nowMs: number): number {
    const second = Math.floor(nowMs / 1000);
    let max = 0;
    for (let i = 0; i < SLOTS; i++) if (second - this.#second[i]! < SLOTS && values[i]! > max) max = values[i]!;
    return max;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** serverLog(LL_WARNING, ...): `pid:M 03 Dec 2026 14:58:16.123 # text`. */
export function warningLine(nowMs: number, text: string): string {
  const d = new Date(nowMs);
  const stamp = `${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
  return `1:M ${stamp} # ${text}\n`;
}

/** sdscatrepr of the first `max` bytes: a quoted C-style literal. */
export function bytesRepr(bytes: Uint8Array, max = 64): string {
  let s = '"';
  for (let i = 0; i < Math.min(bytes.length, max); i++) {
    const c = bytes[i]!;
    if (c === 0x5c || c === 0x22) s += `\\${String.fromCharCode(c)}`;
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x0d) s += '\\r';
    else if (c === 0x09) s += '\\t';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return `${s}"`;
}

/**
 * The part of catClientInfoString these log lines carry (Redis prints the whole CLIENT LIST line, with
 * addr, age, flags...; commands/introspection.ts builds that one for CLIENT LIST).
 */
export interface ClientInfo {
  readonly id: number;
  readonly fd: number;
  readonly name: string | null;
  readonly qbuf: number;
  readonly omem: number;
}

const clientInfo = (c: ClientInfo): string => `id=${c.id} fd=${c.fd} name=${c.name ?? ''} qbuf=${c.qbuf} omem=${c.omem}`;

export const queryLimitMessage = (c: ClientInfo, head: Uint8Array): string =>
  `Closing client that reached max query buffer length: ${clientInfo(c)} (qbuf initial bytes: ${bytesRepr(head)})`;

export const outputLimitMessage = (c: ClientInfo): string => `Client ${clientInfo(c)} scheduled to be closed ASAP for overcoming of output buffer limits.`;
