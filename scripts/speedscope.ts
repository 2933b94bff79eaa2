// `node --cpu-prof` profiles in speedscope's file format (https://www.speedscope.app/file-format-schema.json):
// one sampled profile per thread (the host and every compartment) sharing one frame table, in sample
// order with V8's time deltas as weights, and gate frames relabelled with their target.

/** The parts of V8's .cpuprofile format this file reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber?: number };
    readonly hitCount?: number;
    readonly children?: readonly number[];
  }[];
  readonly samples?: readonly number[];
  /** Microseconds from the previous sample (the first: from the profile's start). */
  readonly timeDeltas?: readonly number[];
}

export interface SpeedscopeFrame {
  readonly name: string;
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
}

export interface SampledProfile {
  readonly type: 'sampled';
  readonly name: string;
  readonly unit: 'microseconds' | 'none';
  readonly startValue: number;
  readonly endValue: number;
  /** Stacks of indices into shared.frames, root first. */
  readonly samples: number[][];
  readonly weights: number[];
}

export interface SpeedscopeFile {
  readonly $schema: 'https://www.speedscope.app/file-format-schema.json';
  readonly shared: { readonly frames: SpeedscopeFrame[] };
  readonly profiles: SampledProfile[];
  readonly name: string;
  readonly activeProfileIndex: number;
  readonly exporter: string;
}

type CallFrame = CpuProfile['nodes'][number]['callFrame'];

/** Frames named by compartments/runtime/profile-names.ts: `gate:lwip.recv`, `call:newlib.memcpy`. */
const NAMED_CROSSING = /^(gate|call):(\S+)$/;

/** GatePort.call, the caller side of every gate (compartments/gates/caller.ts). */
function isGatePortCall(frame: CallFrame): boolean {
  return frame.functionName === 'call' && frame.url.endsWith('/compartments/gates/caller.js');
}

/** A frame's file as the repository names it (dist/kernel/redis/server.js), not the machine's absolute URL. */
function fileOf(url: string): string {
  const at = url.lastIndexOf('/dist/');
  return at >= 0 ? url.slice(at + 1) : url.replace(/^file:\/\//, '');
}

/** Speedscope frames shared by every profile of one file, each added once. */
class FrameTable {
  readonly frames: SpeedscopeFrame[] = [];
  readonly #index = new Map<string, number>();

  add(frame: SpeedscopeFrame): number {
    const key = JSON.stringify([frame.name, frame.file, frame.line, frame.col]);
    let i = this.#index.get(key);
    if (i === undefined) {
      i = this.frames.push(frame) - 1;
      this.#index.set(key, i);
    }
    return i;
  }
}

/**
 * Each node's stack, root first, `(root)` dropped. A `GatePort.call` frame under a `gate:<lib>.<fn>`
 * frame becomes `gate -> <lib>.<fn>`: the crossing itself, named by where it goes.
 */
function stacksOf(profile: CpuProfile, table: FrameTable): Map<number, number[]> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map<number, number[]>();
  for (const node of profile.nodes) {
    const path: number[] = [];
    for (let at: number | undefined = node.id; at !== undefined; at = parent.get(at)) path.push(at);
    const stack: number[] = [];
    let gateTarget: string | undefined;
    for (const id of path.reverse()) {
      const frame = byId.get(id)!.callFrame;
      if (frame.functionName === '(root)') continue;
      const named = NAMED_CROSSING.exec(frame.functionName);
      if (named) gateTarget = named[1] === 'gate' ? named[2] : undefined;
      if (!named && gateTarget !== undefined && isGatePortCall(frame)) {
        stack.push(table.add({ name: `gate -> ${gateTarget}` }));
        gateTarget = undefined;
        continue;
      }
      const name = frame.functionName || '(anonymous)';
      stack.push(table.add(frame.url ? { name, file: fileOf(frame.url), line: frame.lineNumber + 1, ...(frame.columnNumber === undefined ? {} : { col: frame.columnNumber + 1 }) } : { name }));
    }
    stacks.set(node.id, stack);
  }
  return stacks;
}

function sampledProfile(name: string, profile: CpuProfile, table: FrameTable): SampledProfile {
  const stacks = stacksOf(profile, table);
  const samples: number[][] = [];
  const weights: number[] = [];
  const timed = profile.samples !== undefined && profile.samples.length > 0;
  const deltas = profile.timeDeltas;
  const hasTime = timed && deltas !== undefined && deltas.length === profile.samples!.length;
  if (timed) {
    profile.samples!.forEach((id, i) => {
      const stack = stacks.get(id) ?? [];
      // A sample's weight is the time until the next one (V8 stamps a sample when it is taken).
      const weight = hasTime ? Math.max(0, deltas![i + 1] ?? deltas![i]!) : 1;
      if (stack.length > 0) samples.push(stack), weights.push(weight);
    });
  } else {
    for (const n of profile.nodes) if ((n.hitCount ?? 0) > 0 && (stacks.get(n.id)?.length ?? 0) > 0) samples.push(stacks.get(n.id)!), weights.push(n.hitCount!);
  }
  const total = weights.reduce((a, b) => a + b, 0);
  return { type: 'sampled', name, unit: hasTime ? 'microseconds' : 'none', startValue: 0, endValue: total, samples, weights };
}

/** One speedscope file holding a profile per thread, in the order given (the viewer opens the first). */
export function toSpeedscope(name: string, threads: readonly { readonly name: string; readonly profile: CpuProfile }[]): SpeedscopeFile {
  const table = new FrameTable();
  const profiles = threads.map((t) => sampledProfile(t.name, t.profile, table));
  return { $schema: 'https://www.speedscope.app/file-format-schema.json', shared: { frames: table.frames }, profiles, name, activeProfileIndex: 0, exporter: 'flexos-sim scripts/profile.js' };
}

/** A profile's share in gates: the weight of samples with a gate frame (`gate:` or `gate -> `) on their stack. */
export function gateShare(file: SpeedscopeFile, profile: SampledProfile): { readonly gate: number; readonly total: number } {
  const isGate = file.shared.frames.map((f) => /^gate( -> |:)/.test(f.name));
  let gate = 0;
  profile.samples.forEach((stack, i) => {
    if (stack.some((f) => isGate[f])) gate += profile.weights[i]!;
  });
  return { gate, total: profile.endValue };
}
