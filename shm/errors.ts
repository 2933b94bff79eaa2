// The root of the one tree of errors, with the stable codes tests and users match on, and the faults
// simulated memory raises itself (PF_PK, out of memory). The rest of the tree is kernel/abi/errors.ts,
// which re-exports this file: import errors from there, except inside shm/.

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
  | 'FLEXOS_ERR_COMPARTMENT_DIED'
  /** The allocator's consistency check found broken heap metadata (a wild write over a block header). */
  | 'FLEXOS_ERR_HEAP_CORRUPT'
  /** A load generator or real client failed: it could not connect or start, a reply broke the protocol, it exited with an error. */
  | 'FLEXOS_ERR_CLIENT'
  /** The exploration's BullMQ queue failed: Redis unreachable or lost, a job malformed or failed on its worker. */
  | 'FLEXOS_ERR_QUEUE'
  /** A benchmark run gave no valid measurement: past its deadline, the application stopped, its own check failed. */
  | 'FLEXOS_ERR_BENCHMARK';

export class FlexosError extends Error {
  readonly code: FlexosErrorCode;
  constructor(code: FlexosErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
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
