// Fault injection, the host side: the faults a compromised or buggy library can cause, the spec the
// host hands a compartment (`--inject lwip:wild-write`), and the classification of how a fault
// ended: stopped by isolation, by hardening, by the gate watchdog, refused, crashed, or not stopped.

import { FlexosError } from '../../kernel/abi/errors.js';

export const FAULTS = ['wild-write', 'secret-read', 'heap-overflow', 'use-after-free', 'stack-smash', 'bad-pointer', 'infinite-loop', 'crash'] as const;
export type FaultName = (typeof FAULTS)[number];

/** Default warm-up: the fault fires on this entry into the library (counted over all its exports). */
export const DEFAULT_AFTER = 1000;

/** Words of the signal buffer the fault routine writes and the host reads. */
export const SIGNAL_STATE = 0; // 0 armed, 1 fired (routine running), 2 routine completed without being stopped
export const SIGNAL_DETAIL = 1; // what the routine achieved (bytes read, strings overwritten, frame corrupted)
export const SIGNAL_WORDS = 4;
export const STATE_ARMED = 0;
export const STATE_FIRED = 1;
export const STATE_COMPLETED = 2;

/** What the host passes to the compartment holding `library` (CompartmentData.inject). */
export interface InjectionSpec {
  readonly library: string;
  readonly fault: FaultName;
  readonly after: number;
  /** The victim region (the app's heap, from the region table), for wild-write and secret-read. */
  readonly target: string;
  readonly targetSize: number;
  /** SIGNAL_WORDS Int32 words, shared with the host. */
  readonly signal: SharedArrayBuffer;
}

/** `lwip:wild-write` -> { library, fault }; TypeError naming what is valid otherwise. */
export function parseFaultSpec(text: string): { library: string; fault: FaultName } {
  const m = /^([A-Za-z_][A-Za-z0-9_.-]*):([a-z-]+)$/.exec(text);
  if (!m || !(FAULTS as readonly string[]).includes(m[2]!)) {
    throw new TypeError(`--inject: ${JSON.stringify(text)} is not <library>:<fault>; faults: ${FAULTS.join(', ')}`);
  }
  return { library: m[1]!, fault: m[2] as FaultName };
}

export type OutcomeKind = 'isolation' | 'hardening' | 'watchdog' | 'refused' | 'crashed' | 'not-stopped' | 'hang' | 'not-triggered';

/** Outcomes that count as contained in a containment score. */
export const STOPPED: ReadonlySet<OutcomeKind> = new Set(['isolation', 'hardening', 'watchdog', 'refused']);

export interface FaultOutcome {
  readonly kind: OutcomeKind;
  /** One line for the report: what stopped it, or what it did. */
  readonly summary: string;
  readonly library?: string;
  readonly compartment?: string;
  readonly region?: string;
  /** Hardening: which check (kasan, ubsan, stackprotector, cfi, ...). */
  readonly check?: string;
  readonly code?: string;
}

const PF_TEXT = /(read|write) at (0x[0-9a-f]+) in region (.+?) \(key (-?\d+)\) by library (\S+) in compartment (\S+)/;

/** How an error that ended the application tells us the fault was stopped. */
export function classifyFailure(error: unknown, injected: { library: string; compartment: string }): FaultOutcome {
  const e = error as { code?: string; remoteCode?: string; message?: string; info?: Record<string, unknown>; check?: string; library?: string; name?: string };
  const message = String(e?.message ?? error);
  // A gate error carries the callee's code; nested gates carry theirs in the text, innermost last.
  let code = e?.code === 'FLEXOS_ERR_GATE_CALLEE' && e.remoteCode ? e.remoteCode : e?.code;
  if (code === 'FLEXOS_ERR_GATE_CALLEE') code = [...message.matchAll(/\b(FLEXOS_ERR_[A-Z_]+):/g)].pop()?.[1] ?? code;
  if (code === 'FLEXOS_ERR_PROTECTION_FAULT') {
    const info = e.info ?? {};
    const m = PF_TEXT.exec(message);
    const region = String(info['region'] ?? m?.[3] ?? '?');
    const library = String(info['library'] ?? m?.[5] ?? injected.library);
    const compartment = String(info['compartment'] ?? m?.[6] ?? injected.compartment);
    // An address in no region (or past one's end) is a plain segfault, not isolation at work.
    if (region === '(unmapped)' || region.endsWith('(out of bounds)')) {
      return { kind: 'crashed', summary: `segfault: ${library} in ${compartment} touched ${region}`, library, compartment, region, code };
    }
    return { kind: 'isolation', summary: `protection fault: ${library} in compartment ${compartment} touched region ${region}`, library, compartment, region, code };
  }
  if (code === 'FLEXOS_ERR_HARDENING') {
    // HardeningViolation {check, library, address, detail}: in `info` locally, in the text through a gate.
    const local = e.code === 'FLEXOS_ERR_HARDENING';
    const check = String((local ? (e.info?.['check'] ?? e.check) : undefined) ?? /\b(kasan|ubsan|stackprotector|cfi|safestack)\b/i.exec(message)?.[1] ?? 'check').toLowerCase();
    const library = String((local ? (e.info?.['library'] ?? e.library) : undefined) ?? /in library (\S+)/.exec(message)?.[1] ?? injected.library);
    return { kind: 'hardening', summary: `hardening (${check}) stopped ${library} in compartment ${injected.compartment}: ${firstLine(message)}`, library, compartment: injected.compartment, check, code };
  }
  if (code === 'FLEXOS_ERR_GATE_TIMEOUT') {
    return { kind: 'watchdog', summary: `gate watchdog: ${firstLine(message)}`, library: injected.library, compartment: injected.compartment, code };
  }
  if (code === 'FLEXOS_ERR_BAD_ARGUMENT') {
    return { kind: 'refused', summary: `refused by the gate's export table: ${firstLine(message)}`, library: injected.library, compartment: injected.compartment, code };
  }
  return { kind: 'crashed', summary: `crash in ${injected.library} (compartment ${injected.compartment}): ${firstLine(message)}`, library: injected.library, compartment: injected.compartment, code: code ?? e?.name ?? 'Error' };
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 200);
}

/** Raised by the host when an injected run cannot be set up (unknown library, unsupported app). */
export class InjectionError extends FlexosError {
  constructor(message: string) {
    super('FLEXOS_ERR_BAD_ARGUMENT', message);
  }
}
