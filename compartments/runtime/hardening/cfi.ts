// CFI for hardened libraries: a gate entering such a library must be a call its caller's
// compartment declared (the image's imports), and an indirect call such a library makes must
// target a valid function pointer; anything else is a corrupted target. Clang: -fsanitize=cfi.

import { HardeningViolation } from '../../../kernel/abi/errors.js';
import type { Image } from '../../host/image.js';

/** True for an exported function a function pointer may name: (int, int). */
export function isPointerTarget(image: Image, fnId: number): boolean {
  const entry = Number.isInteger(fnId) ? image.exports[fnId] : undefined;
  const signature = entry && image.descriptors[entry.library]?.exports[entry.fn];
  return signature !== undefined && signature.args.length === 2 && signature.args.every((t) => t === 'int');
}

/**
 * The gate-entry check of compartment `self`: for each function of a CFI-hardened library of
 * this compartment, the compartments allowed to call it. Undefined when no library here has CFI.
 */
export function gateEntryCheck(image: Image, self: number): ((from: number, fnId: number) => void) | undefined {
  const compartmentOf = new Map<string, number>();
  for (const c of image.compartments) for (const l of c.libraries) compartmentOf.set(l, c.index);
  const hardened = new Set(image.config.libraries.filter((l) => l.hardening.includes('cfi') && compartmentOf.get(l.name) === self).map((l) => l.name));
  if (hardened.size === 0) return undefined;
  const pointerCallers = new Set<number>();
  for (const [name, d] of Object.entries(image.descriptors)) if (d.callsPointers) pointerCallers.add(compartmentOf.get(name) ?? 0);
  const allowed: (Set<number> | undefined)[] = [];
  for (const e of image.exports) {
    if (!hardened.has(e.library)) continue;
    const callers = new Set<number>();
    for (const i of image.imports) if (i.fnId === e.id) callers.add(compartmentOf.get(i.caller) ?? 0);
    if (isPointerTarget(image, e.id)) for (const c of pointerCallers) callers.add(c);
    allowed[e.id] = callers;
  }
  const name = (c: number): string => image.compartments.find((x) => x.index === c)?.name ?? `#${c}`;
  return (from, fnId) => {
    const callers = allowed[fnId];
    if (callers === undefined || callers.has(from)) return;
    const e = image.exports[fnId]!;
    throw new HardeningViolation({
      check: 'cfi', library: e.library, address: fnId,
      detail: `gate entry to ${e.library}.${e.fn} from compartment ${name(from)}, which declares no call to it`,
    });
  };
}

/** The indirect-call check of a CFI-hardened caller: the pointer must name a valid target. */
export function checkPointer(image: Image, caller: string, pointer: number): void {
  if (isPointerTarget(image, pointer)) return;
  throw new HardeningViolation({ check: 'cfi', library: caller, address: Number.isFinite(pointer) ? pointer : 0, detail: `indirect call through a corrupted function pointer ${pointer} (not an exported (int, int) function)` });
}
