// What a micro-library declares about itself (FlexOS/Unikraft: exportsyms.uk, the
// library's dependencies and its flexos_whitelist'ed data). Read by the image build on the host;
// the implementation module is loaded only inside the compartment the library is placed in.

/** `int` and `addr` are integers (an address names a region and an offset); `double` is a float. */
export type ArgType = 'int' | 'addr' | 'double';

export interface FunctionSignature {
  readonly args: readonly ArgType[];
  readonly returns?: ArgType | 'void';
}

export interface LibraryDescriptor {
  readonly name: string;
  /** The exportsyms list: the only functions another library may call. */
  readonly exports: Readonly<Record<string, FunctionSignature>>;
  /** The functions this library calls in other libraries, by library. */
  readonly calls: Readonly<Record<string, readonly string[]>>;
  /** Shared (whitelisted) data: names of variables other compartments may see. */
  readonly whitelist: readonly string[];
  /** Module URL of the implementation (a `LibraryModule`), resolved against the compiled tree. */
  readonly implementation: string;
  /** Libraries that must live in the same compartment as this one (uksched + ukschedcoop). */
  readonly together?: readonly string[];
  /** false for libraries FlexOS never hardens (tlsf, pthread-embedded). */
  readonly hardenable?: boolean;
  /**
   * Calls function pointers (a scheduler starting thread entries): it may call any exported
   * function of the image whose signature is (int, int) -> int, directly or through a gate.
   */
  readonly callsPointers?: boolean;
}

/** The hardening options a library may be built with; `H` is the paper's kasan + ubsan + stackprotector. */
export const HARDENING_OPTIONS = ['kasan', 'ubsan', 'stackprotector', 'cfi', 'safestack'] as const;
export type HardeningOption = (typeof HARDENING_OPTIONS)[number];
export const HARDENING_SHORTHANDS: Readonly<Record<string, readonly HardeningOption[]>> = {
  H: ['kasan', 'ubsan', 'stackprotector'],
};

export interface LibraryRegistry {
  has(name: string): boolean;
  get(name: string): LibraryDescriptor;
  names(): string[];
}

export function createRegistry(descriptors: readonly LibraryDescriptor[]): LibraryRegistry {
  const byName = new Map(descriptors.map((d) => [d.name, d]));
  return {
    has: (name) => byName.has(name),
    get(name) {
      const d = byName.get(name);
      if (!d) throw new TypeError(`unknown library ${JSON.stringify(name)}; known: ${[...byName.keys()].sort().join(', ')}`);
      return d;
    },
    names: () => [...byName.keys()].sort(),
  };
}

/** Every library reachable from `roots` through declared calls, roots included, in a stable order. */
export function dependencyClosure(registry: LibraryRegistry, roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name) || !registry.has(name)) return;
    seen.add(name);
    const d = registry.get(name);
    for (const callee of Object.keys(d.calls)) visit(callee);
    for (const mate of d.together ?? []) visit(mate);
  };
  for (const r of roots) visit(r);
  return [...seen].sort();
}
