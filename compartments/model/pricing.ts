// What the modelled clock charges for a configuration: the price list of the work kinds at the
// reference clock and the hardening slowdowns, both measured on this machine by C microbenchmarks
// and cached, so two runs of the same image are priced alike whatever else the machine is doing.

import type { WorkKind } from '../../kernel/abi/work.js';
import type { HardeningOption } from '../../kernel/abi/library.js';
import type { Configuration } from '../../kernel/abi/schema.js';
import type { SlowdownOf } from './cost-model.js';
import { loadPrices, referencePrices, STACKVAR_CYCLES, type PriceList } from './prices.js';
import { loadHardeningCosts, type HardeningCosts, type HardeningSlowdown } from './hardening-cost.js';
import { lastSyscallMeasurement, measureSyscall } from '../baselines/syscall-clock.js';

export interface ModelPricing {
  /** Reference-CPU ns per unit of each work kind. */
  readonly prices: Readonly<Record<WorkKind, number>>;
  readonly slowdown: SlowdownOf;
  readonly priceList: PriceList;
  /** The hardening factor of each hardened library of the configuration, with its source. */
  readonly hardened: readonly { readonly library: string; readonly options: readonly HardeningOption[]; readonly slowdown: HardeningSlowdown }[];
}

let prices: PriceList | undefined;
let hardening: HardeningCosts | undefined;

/**
 * The pricing of a configuration; measures the price list on first use, and the hardening costs on
 * the first configuration that hardens a library (both then cached on disk).
 */
export function modelPricing(config: Configuration, options: { readonly say?: (line: string) => void } = {}): ModelPricing {
  const say = options.say ?? ((line: string) => void process.stderr.write(line + '\n'));
  prices ??= loadPrices({ say });
  // A Linux baseline's report shows a system call timed here beside Fig. 11's (never used to price).
  if (config.driver === 'linux' && lastSyscallMeasurement() === undefined) {
    const measured = measureSyscall();
    if (typeof measured === 'string') say(`system call not measured: ${measured}`);
  }
  const hardenedLibraries = config.libraries.filter((l) => l.hardening.length > 0);
  const costs = hardenedLibraries.length > 0 ? (hardening ??= loadHardeningCosts({ say })) : null;
  const slowdown: SlowdownOf = (library, list) => (list.length === 0 || costs === null ? 1 : costs.slowdown(library, list).factor ?? 1);
  return {
    prices: referencePrices(prices, { referenceGhz: config.costModel.clockGhz, stack: config.stack }),
    slowdown,
    priceList: prices,
    hardened: costs === null ? [] : hardenedLibraries.map((l) => ({ library: l.name, options: l.hardening, slowdown: costs.slowdown(l.name, l.hardening) })),
  };
}

/** The report lines that say what the model charged and where each figure comes from. */
export function describePricing(pricing: ModelPricing, config: Configuration): string[] {
  const list = pricing.priceList;
  const head = list.measured
    ? `work priced by C kernels timed here (${list.machine.cpuModel}, host ${list.hostGhz?.toFixed(3) ?? '?'} GHz → ${config.costModel.clockGhz} GHz; node scripts/model-check.js --prices):`
    : `work NOT PRICED (${list.reason ?? 'unknown'}): the modelled figure counts gates only`;
  const kinds = Object.entries(pricing.prices)
    .map(([kind, ns]) => `${kind} ${ns < 1 ? ns.toFixed(3) : ns.toFixed(2)}`)
    .join(', ');
  const lines = [
    head,
    `  ns per unit at the reference clock: ${kinds} (stackvar: ${STACKVAR_CYCLES[config.stack].toFixed(1)} cycles under ${config.stack} stacks, Fig. 11b)`,
  ];
  for (const h of pricing.hardened) lines.push(`  ${h.library} hardened with ${h.options.join('+')}: work × ${h.slowdown.factor === null ? '1 (NOT MEASURED: ' + (h.slowdown.source.reason ?? '?') + ')' : h.slowdown.factor.toFixed(3)} (${h.slowdown.source.text})`);
  return lines;
}

/** The pricing for a report's JSON `model` object. */
export function pricingJson(pricing: ModelPricing): Record<string, unknown> {
  const list = pricing.priceList;
  return {
    prices_ns_per_unit: pricing.prices,
    price_list: {
      measured: list.measured,
      ...(list.reason === undefined ? {} : { reason: list.reason }),
      host_ghz: list.hostGhz,
      host_clock_source: list.hostClockSource,
      machine: list.machine,
      date: list.date,
      method: list.method,
      kernels: list.prices.map((p) => ({ kind: p.kind, host_ns: p.ns, host_ns_median: p.median, host_ns_max: p.max, what: p.what })),
    },
    hardening: pricing.hardened.map((h) => ({ library: h.library, options: h.options, factor: h.slowdown.factor, source: h.slowdown.source })),
  };
}
