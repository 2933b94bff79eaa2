// The work a library reports doing, in units the modelled clock prices (DESIGN.md, "Two clocks"):
// each kind stands for a piece of C work that a microbenchmark times on this machine
// (compartments/model/prices.ts). Counts, not times, so the model repeats whatever the machine does.

/**
 * - `call`: an entry into one of the library's functions (counted by the runtime, not the library).
 * - `copy`: bytes copied, moved or filled (memcpy, memmove, memset, buffer appends).
 * - `scan`: bytes searched for a delimiter (memchr-like: RESP's \r\n, a path's '/').
 * - `parse`: bytes run through a byte-at-a-time state machine (an HTTP request line and headers).
 * - `hash`: bytes hashed (a dictionary key).
 * - `compare`: bytes compared (memcmp, strcasecmp of a command name or a header).
 * - `alloc`: allocator calls (malloc, calloc, realloc, free: one each; counted by the runtime).
 * - `walk`: steps through a linked structure (a list node, a tree level, a hash chain entry).
 * - `int`: integers parsed or formatted (string2ll, ll2string).
 * - `checksum`: bytes checksummed (the Internet checksum of a TCP segment).
 * - `segment`: TCP segments through a TCP/IP stack's input or output path, headers and state.
 * - `stackvar`: stack variables shared across a gate (flexos_whitelist'ed; counted by the runtime).
 * - `vmstep`: opcodes run by a bytecode engine (SQLite's VDBE, as sqlite3_stmt_status counts them).
 */
export const WORK_KINDS = ['call', 'copy', 'scan', 'parse', 'hash', 'compare', 'alloc', 'walk', 'int', 'checksum', 'segment', 'stackvar', 'vmstep'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

/** Where a library reports its work; adding is a few stores, cheap enough for every request. */
export interface WorkMeter {
  add(kind: WorkKind, units: number): void;
}

/** The index of a kind in WORK_KINDS (the column of the work matrix). */
export const workIndex: Readonly<Record<WorkKind, number>> = Object.fromEntries(WORK_KINDS.map((k, i) => [k, i])) as Record<WorkKind, number>;

/** A meter that counts nothing, for code run outside an image (unit tests, tools). */
export const NO_WORK: WorkMeter = { add() {} };
