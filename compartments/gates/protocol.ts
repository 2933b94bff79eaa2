// The gate wire format: the RPC region's layout and the control-block states, modelled on FlexOS's
// VM/EPT control block (flexos_vmept_rpc_ctrl). Words, and who writes them:
//
//   per compartment c (a "CPU header", 64 bytes)
//     DOORBELL  i32  bumped + notified by anyone who posts work to c (a call, a return); c waits on it
//     PENDING   i32  block index + 1 of the call addressed to c; set by the caller (CAS 0 -> n), cleared by c
//     PARKED    i32  c itself: 1 while in Atomics.wait
//     SPINNING  i32  c itself: 1 while spinning
//   global (in compartment slot 0's header, which no compartment uses)
//     SHUTDOWN  i32  the host: 1 = every wait loop unwinds
//     CONTROL   i32  the host: bumped when a control-plane message waits for an idle compartment
//     CPU_IDLE  i32  the compartment parked on an external event (network) while a chain is open
//     SPINNERS  i32  how many compartments spin now (adaptive policy)
//   per (caller compartment c, nesting depth d) a control block of BLOCK_BYTES, fixed at boot: a
//   caller posts only its own blocks, so the callee knows the caller from the block's slot (blockCaller)
//     STATE     i32  IDLE -> CALLED (caller, written last) -> RETURNED | THREW (callee, written last) -> IDLE (caller)
//     FROM, TO  i32  compartment indexes (FROM for the record only: any compartment can write it, the
//                    callee never reads it)    FN  i32  function id in the image's function table
//     ARGC      i32  argc | returns << 8            ERROR_LENGTH i32  bytes of the error text (THREW)
//     RETURN    f64 (in the first cache line, beside STATE)
//     ARGS      f64 × MAX_ARGS (ints and addresses are exact in a double)
//     ERROR     utf-8 "code\nmessage", truncated to ERROR_BYTES

export const STATE_IDLE = 0;
export const STATE_FROZEN = 1;
export const STATE_CALLED = 2;
export const STATE_RETURNED = 3;
export const STATE_THREW = 4;

export const MAX_COMPARTMENTS = 16;
/** Compartments are numbered 1..16; slot 0 of the header area holds the global words. */
export const HEADER_BYTES = 64;
export const HEADER_AREA_BYTES = HEADER_BYTES * (MAX_COMPARTMENTS + 1);

// i32 word indexes inside a compartment header
export const H_DOORBELL = 0;
export const H_PENDING = 1;
export const H_PARKED = 2;
export const H_SPINNING = 3;
// i32 word indexes inside the global header (slot 0)
export const G_SHUTDOWN = 0;
export const G_CONTROL = 1;
export const G_CPU_IDLE = 2;
export const G_SPINNERS = 3;

/** Nesting depth of outgoing calls per compartment (A->B->A->B... each level takes a block). */
export const MAX_DEPTH = 64;
/** FlexOS's EPT gates carry at most 6 arguments; MPK gates pass the rest on the (shared) stack. */
export const EPT_MAX_ARGS = 6;
export const MAX_ARGS = 16;
export const BLOCK_BYTES = 512;
// i32 word indexes inside a block
export const B_STATE = 0;
export const B_FROM = 1;
export const B_TO = 2;
export const B_FN = 3;
export const B_ARGC = 4;
export const B_ERROR_LENGTH = 5;
// byte offsets inside a block: the return value shares the state word's cache line, so the
// caller spinning on the state finds the value in the line it just pulled
export const B_RETURN_OFFSET = 24;
export const B_ARGS_OFFSET = 32;
export const B_ERROR_OFFSET = B_ARGS_OFFSET + 8 * MAX_ARGS;
export const ERROR_BYTES = BLOCK_BYTES - B_ERROR_OFFSET;

export const BLOCK_AREA_OFFSET = HEADER_AREA_BYTES;
export const RPC_REGION_BYTES = BLOCK_AREA_OFFSET + BLOCK_BYTES * MAX_DEPTH * (MAX_COMPARTMENTS + 1);

export function headerWord(compartment: number, word: number): number {
  return (compartment * HEADER_BYTES) / 4 + word;
}

export function blockIndex(compartment: number, depth: number): number {
  return compartment * MAX_DEPTH + depth;
}

/**
 * The compartment whose block `index` is, or 0 for an index outside the compartments' blocks. The
 * caller identity a gate entry checks (CFI) comes from here, not from the FROM word the caller writes.
 */
export function blockCaller(index: number): number {
  const caller = Math.floor(index / MAX_DEPTH);
  return Number.isInteger(index) && caller >= 1 && caller <= MAX_COMPARTMENTS ? caller : 0;
}

export function blockOffset(index: number): number {
  return BLOCK_AREA_OFFSET + index * BLOCK_BYTES;
}
