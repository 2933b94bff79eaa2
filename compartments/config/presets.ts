// Building blocks of the named configurations (presets): the YAML a user would write for a layout.
// Each application names its own presets (workloads/<app>/app.ts); the five layouts the paper
// measures for a network server (FLEXOS.md: Redis, Nginx) are built here for any such server, and
// the baselines it is compared with (Unikraft, a Linux process, seL4/Genode, CubicleOS).

import type { Driver } from '../../kernel/abi/schema.js';

export interface Preset {
  readonly description: string;
  readonly yaml: string;
}

/** The `compartments:` list: comp1..compN on one driver, `defaultIndex` (1-based) the default. */
export function compartmentsYaml(driver: Driver, count: number, defaultIndex = 1): string {
  const lines = ['compartments:'];
  for (let i = 1; i <= count; i++) {
    lines.push(`  - name: comp${i}`, `    mechanism: {driver: ${driver}}`);
    if (i === defaultIndex) lines.push('    default: true');
  }
  return lines.join('\n');
}

/** The `sharing:` line of each stack strategy: private stacks with DSS, shared stacks, stack data on the heap. */
export const SHARING = {
  dss: 'sharing: {stack: private, dss: true}',
  light: 'sharing: {stack: shared, dss: false}',
  heap: 'sharing: {stack: private, dss: false}',
} as const;

/**
 * A preset's YAML: its name, comp1..compN on one driver (`defaultIndex` the default), each listed
 * library's compartment (1-based, in the order given) and, for more than one compartment, the
 * sharing line. Unlisted libraries go to the default compartment.
 */
export function presetYaml(name: string, driver: Driver, count: number, libraries: readonly (readonly [string, number])[], sharing?: string, defaultIndex = 1): string {
  const placed = libraries.map(([library, compartment]) => `  ${library}: {compartment: comp${compartment}}`);
  return [`name: ${name}`, compartmentsYaml(driver, count, defaultIndex), 'libraries:', ...placed, ...(sharing === undefined ? [] : [sharing]), ''].join('\n');
}

/** A library name as configurations write it, so it can stand in YAML unquoted. */
const LIBRARY_NAME = /^[a-z][a-z0-9-]*$/;

/** The five layouts the paper measures for a network server, named `<app>-<layout>`, then its baselines. */
export function networkServerPresets(app: string): Record<string, Preset> {
  if (!LIBRARY_NAME.test(app)) throw new TypeError(`networkServerPresets: expected a library name, got ${JSON.stringify(app)}`);
  return { ...paperLayouts(app), ...networkBaselinePresets(app) };
}

function paperLayouts(app: string): Record<string, Preset> {
  return {
    [`${app}-none`]: {
      description: `${app} without isolation (fcalls, one compartment): the paper's NONE baseline`,
      yaml: presetYaml(`${app}-none`, 'fcalls', 1, [[app, 1], ['newlib', 1]]),
    },
    [`${app}-mpk2`]: {
      description: `MPK, private stacks with DSS: {${app}, newlib, rest} / {lwip} (R1N1S1L2)`,
      yaml: presetYaml(`${app}-mpk2`, 'intel-pku', 2, [[app, 1], ['newlib', 1], ['lwip', 2]], SHARING.dss),
    },
    [`${app}-mpk2-light`]: {
      description: `MPK-light, shared stacks (only the heap is isolated): {${app}, newlib, rest} / {lwip}`,
      yaml: presetYaml(`${app}-mpk2-light`, 'intel-pku', 2, [[app, 1], ['newlib', 1], ['lwip', 2]], SHARING.light),
    },
    [`${app}-mpk3`]: {
      description: `MPK with DSS, three compartments: {${app}, newlib, rest} / {uksched, ukschedcoop} / {lwip} (R1N1S2L3)`,
      yaml: presetYaml(`${app}-mpk3`, 'intel-pku', 3, [[app, 1], ['newlib', 1], ['uksched', 2], ['ukschedcoop', 2], ['lwip', 3]], SHARING.dss),
    },
    [`${app}-ept2`]: {
      description: `VM/EPT, one VM per compartment, shared stack data moved to the heap: {${app}, newlib, rest} / {lwip}`,
      yaml: presetYaml(`${app}-ept2`, 'vmept', 2, [[app, 1], ['newlib', 1], ['lwip', 2]], SHARING.heap),
    },
  };
}

/**
 * The baselines of a network server: Unikraft (no gate layer), a Linux process (the network stack,
 * the NIC driver and the file system behind system calls), seL4/Genode components (the application,
 * the network stack, the NIC driver) and CubicleOS (MPK, the paper's R1N1S2L3 layout):
 * `<app>-unikraft`, `<app>-linux-pt2`, `<app>-sel4-pt3`, `<app>-cubicleos-mpk3`. A process and seL4
 * components pass stack buffers as C does (one stack both sides map); their boundary copies instead.
 */
export function networkBaselinePresets(app: string): Record<string, Preset> {
  return {
    [`${app}-unikraft`]: {
      description: `${app} on Unikraft: one image, no gate layer (direct calls, no compartment bookkeeping)`,
      yaml: presetYaml(`${app}-unikraft`, 'unikraft', 1, [[app, 1], ['newlib', 1]]),
    },
    [`${app}-linux-pt2`]: {
      description: `${app} as a Linux process (PT2): {${app}, newlib, rest} in user space / {lwip, netdev, vfscore, ramfs} behind system calls with copy_from_user/copy_to_user`,
      yaml: presetYaml(`${app}-linux-pt2`, 'linux', 2, [[app, 1], ['newlib', 1], ['lwip', 2], ['netdev', 2], ['vfscore', 2], ['ramfs', 2]], SHARING.light),
    },
    [`${app}-sel4-pt3`]: {
      description: `${app} on seL4/Genode (PT3): {${app}, newlib, rest} / {lwip} / {netdev} as components over IPC call/reply`,
      yaml: presetYaml(`${app}-sel4-pt3`, 'sel4', 3, [[app, 1], ['newlib', 1], ['lwip', 2], ['netdev', 3]], SHARING.light),
    },
    [`${app}-cubicleos-mpk3`]: {
      description: `${app} on CubicleOS (MPK3): {${app}, newlib, rest} / {uksched, ukschedcoop} / {lwip} (the paper's R1N1S2L3), trampolines and a window per buffer passed`,
      yaml: presetYaml(`${app}-cubicleos-mpk3`, 'cubicleos', 3, [[app, 1], ['newlib', 1], ['uksched', 2], ['ukschedcoop', 2], ['lwip', 3]], SHARING.dss),
    },
  };
}
