// The one tree of errors, with stable codes that tests and users match on: its root and the memory
// faults live in shm/errors.ts (simulated memory raises them), the rest here; import from this file.
// Imported by both sides (host and compartments); nothing here touches a worker or memory.

import { FlexosError, show } from '../../shm/errors.js';
export { FlexosError, ProtectionFault, OutOfMemoryError, show } from '../../shm/errors.js';
export type { FlexosErrorCode, ProtectionFaultInfo } from '../../shm/errors.js';

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


/** A load generator or real client failed (FLEXOS_ERR_CLIENT); the message is the client's own where it has one. */
export class ClientError extends FlexosError {
  /** Which client: redis-benchmark, wrk, iperf, or the built-in generator. */
  readonly client: string;
  /** The real client's exit status; null where it did not exit with one (never started, killed, built-in). */
  readonly exitStatus: number | null;
  constructor(client: string, message: string, options: { cause?: unknown; exitStatus?: number | null } = {}) {
    super('FLEXOS_ERR_CLIENT', message, 'cause' in options ? { cause: options.cause } : undefined);
    this.client = client;
    this.exitStatus = options.exitStatus ?? null;
  }
}

/** The exploration's BullMQ queue failed (FLEXOS_ERR_QUEUE): Redis, the connection, or a job. */
export class QueueError extends FlexosError {
  /** The queue's Redis address, without its password. */
  readonly queue: string;
  constructor(queue: string, message: string, options?: { cause?: unknown }) {
    super('FLEXOS_ERR_QUEUE', message, options);
    this.queue = queue;
  }
}
