// The one tree of errors, with stable codes that tests and users match on.
// Imported by both sides (host and compartments); nothing here touches a worker or memory.

export type FlexosErrorCode =
  | 'FLEXOS_ERR_CONFIG'
  | 'FLEXOS_ERR_BUILD'
  | 'FLEXOS_ERR_BOOT'
  | 'FLEXOS_ERR_PROTECTION_FAULT'
  | 'FLEXOS_ERR_GATE_TIMEOUT'
  | 'FLEXOS_ERR_GATE_CALLEE'
  | 'FLEXOS_ERR_OUT_OF_MEMORY'
  | 'FLEXOS_ERR_BAD_ARGUMENT'
  | 'FLEXOS_ERR_SHUTDOWN'
  | 'FLEXOS_ERR_HARDENING'
  | 'FLEXOS_ERR_COMPARTMENT_DIED';

export class FlexosError extends Error {
  readonly code: FlexosErrorCode;
  constructor(code: FlexosErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A configuration refused before anything starts: names the field, the value and what would be valid. */
export class ConfigError extends FlexosError {
  readonly path: string;
  readonly value: unknown;
  readonly valid: string;
  constructor(path: string, value: unknown, problem: string, valid: string) {
    super('FLEXOS_ERR_CONFIG', `${path}: ${problem} (got ${show(value)}; valid: ${valid})`);
    this.path = path;
    this.value = value;
    this.valid = valid;
  }
}

/** The image cannot be built: a call the registry does not allow, a gate the mechanism cannot carry. */
export class BuildError extends FlexosError {
  constructor(message: string) {
    super('FLEXOS_ERR_BUILD', message);
  }
}

export interface ProtectionFaultInfo {
  address: number;
  region: string;
  key: number;
  compartment: string;
  library: string;
  access: 'read' | 'write';
}

/** FlexOS: the PF_PK page fault report, naming what was touched and by whom. */
export class ProtectionFault extends FlexosError {
  readonly info: ProtectionFaultInfo;
  constructor(info: ProtectionFaultInfo) {
    super(
      'FLEXOS_ERR_PROTECTION_FAULT',
      `protection fault (PF_PK): ${info.access} at 0x${info.address.toString(16)} ` +
        `in region ${info.region} (key ${info.key}) by library ${info.library} in compartment ${info.compartment}`,
    );
    this.info = info;
  }
}

export class GateTimeoutError extends FlexosError {
  constructor(message: string) {
    super('FLEXOS_ERR_GATE_TIMEOUT', message);
  }
}

/** An exception thrown by the callee of a gate, carried back to the caller. */
export class GateCalleeError extends FlexosError {
  readonly library: string;
  readonly fn: string;
  readonly remoteCode: string;
  constructor(library: string, fn: string, remoteCode: string, remoteMessage: string) {
    super('FLEXOS_ERR_GATE_CALLEE', `${library}.${fn} failed in its compartment: ${remoteCode ? remoteCode + ': ' : ''}${remoteMessage}`);
    this.library = library;
    this.fn = fn;
    this.remoteCode = remoteCode;
  }
}

export interface HardeningViolationInfo {
  check: 'kasan' | 'ubsan' | 'stackprotector' | 'cfi' | 'safestack';
  /** The hardened library whose instrumentation caught the bug. */
  library: string;
  address?: number;
  detail: string;
}

/** A hardened library's instrumentation caught a bug (FlexOS: the KASan / UBSan / stack protector report). */
export class HardeningViolation extends FlexosError {
  readonly info: HardeningViolationInfo;
  readonly library: string;
  constructor(info: HardeningViolationInfo) {
    const at = info.address === undefined ? '' : ` at 0x${info.address.toString(16)}`;
    super('FLEXOS_ERR_HARDENING', `${info.check}: ${info.detail}${at} in library ${info.library}`);
    this.info = info;
    this.library = info.library;
  }
}

/** A compartment's thread died (over its memory limit, an uncaught error, an exit); the host stays up. */
export class CompartmentDiedError extends FlexosError {
  readonly compartment: string;
  readonly reason: string;
  constructor(compartment: string, reason: string, options?: { cause?: unknown }) {
    super('FLEXOS_ERR_COMPARTMENT_DIED', `compartment ${compartment} died: ${reason}`, options);
    this.compartment = compartment;
    this.reason = reason;
  }
}

export class OutOfMemoryError extends FlexosError {
  constructor(message: string) {
    super('FLEXOS_ERR_OUT_OF_MEMORY', message);
  }
}

export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 80 ? text.slice(0, 77) + '...' : text;
  } catch {
    return String(value);
  }
}
