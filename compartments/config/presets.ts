// The named configurations of the paper's evaluation, as the YAML a user would write.
// Names are `<app>-<layout>`; layouts follow FLEXOS.md (Redis/Nginx exploration space, the
// SQLite and iPerf configurations). Libraries not listed go to the default compartment ("rest").

import { ConfigError } from '../../kernel/abi/errors.js';
import type { LibraryRegistry } from '../../kernel/abi/library.js';
import { parseConfiguration } from './parse.js';
import type { Configuration, Driver } from '../../kernel/abi/schema.js';

export interface Preset {
  readonly description: string;
  readonly yaml: string;
}

/** The `compartments:` list: comp1..compN on one driver, `defaultIndex` (1-based) the default. */
function compartments(driver: Driver, count: number, defaultIndex = 1): string {
  const lines = ['compartments:'];
  for (let i = 1; i <= count; i++) {
    lines.push(`  - name: comp${i}`, `    mechanism: {driver: ${driver}}`);
    if (i === defaultIndex) lines.push('    default: true');
  }
  return lines.join('\n');
}

const DSS = 'sharing: {stack: private, dss: true}';
const LIGHT = 'sharing: {stack: shared, dss: false}';
const HEAP = 'sharing: {stack: private, dss: false}';

/** The five layouts the paper measures for a network server (Redis, Nginx). */
function networkServer(app: 'redis' | 'nginx'): Record<string, Preset> {
  return {
    [`${app}-none`]: {
      description: `${app} without isolation (fcalls, one compartment): the paper's NONE baseline`,
      yaml: `name: ${app}-none
${compartments('fcalls', 1)}
libraries:
  ${app}: {compartment: comp1}
  newlib: {compartment: comp1}
`,
    },
    [`${app}-mpk2`]: {
      description: `MPK, private stacks with DSS: {${app}, newlib, rest} / {lwip} (R1N1S1L2)`,
      yaml: `name: ${app}-mpk2
${compartments('intel-pku', 2)}
libraries:
  ${app}: {compartment: comp1}
  newlib: {compartment: comp1}
  lwip: {compartment: comp2}
${DSS}
`,
    },
    [`${app}-mpk2-light`]: {
      description: `MPK-light, shared stacks (only the heap is isolated): {${app}, newlib, rest} / {lwip}`,
      yaml: `name: ${app}-mpk2-light
${compartments('intel-pku', 2)}
libraries:
  ${app}: {compartment: comp1}
  newlib: {compartment: comp1}
  lwip: {compartment: comp2}
${LIGHT}
`,
    },
    [`${app}-mpk3`]: {
      description: `MPK with DSS, three compartments: {${app}, newlib, rest} / {uksched, ukschedcoop} / {lwip} (R1N1S2L3)`,
      yaml: `name: ${app}-mpk3
${compartments('intel-pku', 3)}
libraries:
  ${app}: {compartment: comp1}
  newlib: {compartment: comp1}
  uksched: {compartment: comp2}
  ukschedcoop: {compartment: comp2}
  lwip: {compartment: comp3}
${DSS}
`,
    },
    [`${app}-ept2`]: {
      description: `VM/EPT, one VM per compartment, shared stack data moved to the heap: {${app}, newlib, rest} / {lwip}`,
      yaml: `name: ${app}-ept2
${compartments('vmept', 2)}
libraries:
  ${app}: {compartment: comp1}
  newlib: {compartment: comp1}
  lwip: {compartment: comp2}
${HEAP}
`,
    },
  };
}

export const PRESETS: Readonly<Record<string, Preset>> = Object.freeze({
  ...networkServer('redis'),
  ...networkServer('nginx'),

  'sqlite-none': {
    description: 'sqlite without isolation (fcalls, one compartment)',
    yaml: `name: sqlite-none
${compartments('fcalls', 1)}
libraries:
  sqlite: {compartment: comp1}
  newlib: {compartment: comp1}
`,
  },
  'sqlite-mpk3': {
    description: 'MPK with DSS: {sqlite, newlib, rest} / {vfscore, ramfs} / {uktime} (the paper\'s SQLite MPK3)',
    yaml: `name: sqlite-mpk3
${compartments('intel-pku', 3)}
libraries:
  sqlite: {compartment: comp1}
  newlib: {compartment: comp1}
  vfscore: {compartment: comp2}
  ramfs: {compartment: comp2}
  uktime: {compartment: comp3}
${DSS}
`,
  },
  'sqlite-ept2': {
    description: 'VM/EPT: {sqlite, newlib, rest} / {vfscore, ramfs} (the paper\'s SQLite EPT2)',
    yaml: `name: sqlite-ept2
${compartments('vmept', 2)}
libraries:
  sqlite: {compartment: comp1}
  newlib: {compartment: comp1}
  vfscore: {compartment: comp2}
  ramfs: {compartment: comp2}
${HEAP}
`,
  },

  // iPerf isolates the application, not the stack: comp1 holds iperf alone and comp2 is the default.
  'iperf-none': {
    description: 'iperf server without isolation (fcalls, one compartment)',
    yaml: `name: iperf-none
${compartments('fcalls', 1)}
libraries:
  iperf: {compartment: comp1}
  newlib: {compartment: comp1}
`,
  },
  'iperf-mpk2-light': {
    description: 'MPK-light, shared stacks: {iperf} / {lwip, newlib, rest}',
    yaml: `name: iperf-mpk2-light
${compartments('intel-pku', 2, 2)}
libraries:
  iperf: {compartment: comp1}
  lwip: {compartment: comp2}
  newlib: {compartment: comp2}
${LIGHT}
`,
  },
  'iperf-mpk2-dss': {
    description: 'MPK, private stacks with DSS: {iperf} / {lwip, newlib, rest}',
    yaml: `name: iperf-mpk2-dss
${compartments('intel-pku', 2, 2)}
libraries:
  iperf: {compartment: comp1}
  lwip: {compartment: comp2}
  newlib: {compartment: comp2}
${DSS}
`,
  },
  'iperf-ept2': {
    description: 'VM/EPT: {iperf} / {lwip, newlib, rest}',
    yaml: `name: iperf-ept2
${compartments('vmept', 2, 2)}
libraries:
  iperf: {compartment: comp1}
  lwip: {compartment: comp2}
  newlib: {compartment: comp2}
${HEAP}
`,
  },
});

export function presetNames(): string[] {
  return Object.keys(PRESETS).sort();
}

/** True when `name` is a preset's (an own key: "constructor" or "__proto__" is not). */
export function isPreset(name: string): boolean {
  return Object.hasOwn(PRESETS, name);
}

/** The named preset, validated against `registry`; ConfigError listing the valid names if unknown. */
export function loadPreset(name: string, options: { readonly registry: LibraryRegistry }): Configuration {
  const preset = isPreset(name) ? PRESETS[name] : undefined;
  if (!preset) throw new ConfigError('preset', name, 'unknown preset', presetNames().join(', '));
  return parseConfiguration(preset.yaml, { registry: options.registry, name });
}
