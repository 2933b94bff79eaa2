// Building blocks of the named configurations (presets): the YAML a user would write for a layout.
// Each application names its own presets (workloads/<app>/app.ts); the five layouts the paper
// measures for a network server (FLEXOS.md: Redis, Nginx) are built here for any such server.

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

/** A library name as configurations write it, so it can stand in YAML unquoted. */
const LIBRARY_NAME = /^[a-z][a-z0-9-]*$/;

/** The five layouts the paper measures for a network server, named `<app>-<layout>`. */
export function networkServerPresets(app: string): Record<string, Preset> {
  if (!LIBRARY_NAME.test(app)) throw new TypeError(`networkServerPresets: expected a library name, got ${JSON.stringify(app)}`);
  return {
    [`${app}-none`]: {
      description: `${app} without isolation (fcalls, one compartment): the paper's NONE baseline`,
      yaml: `name: ${app}-none
${compartmentsYaml('fcalls', 1)}
libraries:
  ${app}: {compartment: comp1}
  newlib: {compartment: comp1}
`,
    },
    [`${app}-mpk2`]: {
      description: `MPK, private stacks with DSS: {${app}, newlib, rest} / {lwip} (R1N1S1L2)`,
      yaml: `name: ${app}-mpk2
${compartmentsYaml('intel-pku', 2)}
libraries:
  ${app}: {compartment: comp1}
  newlib: {compartment: comp1}
  lwip: {compartment: comp2}
${SHARING.dss}
`,
    },
    [`${app}-mpk2-light`]: {
      description: `MPK-light, shared stacks (only the heap is isolated): {${app}, newlib, rest} / {lwip}`,
      yaml: `name: ${app}-mpk2-light
${compartmentsYaml('intel-pku', 2)}
libraries:
  ${app}: {compartment: comp1}
  newlib: {compartment: comp1}
  lwip: {compartment: comp2}
${SHARING.light}
`,
    },
    [`${app}-mpk3`]: {
      description: `MPK with DSS, three compartments: {${app}, newlib, rest} / {uksched, ukschedcoop} / {lwip} (R1N1S2L3)`,
      yaml: `name: ${app}-mpk3
${compartmentsYaml('intel-pku', 3)}
libraries:
  ${app}: {compartment: comp1}
  newlib: {compartment: comp1}
  uksched: {compartment: comp2}
  ukschedcoop: {compartment: comp2}
  lwip: {compartment: comp3}
${SHARING.dss}
`,
    },
    [`${app}-ept2`]: {
      description: `VM/EPT, one VM per compartment, shared stack data moved to the heap: {${app}, newlib, rest} / {lwip}`,
      yaml: `name: ${app}-ept2
${compartmentsYaml('vmept', 2)}
libraries:
  ${app}: {compartment: comp1}
  newlib: {compartment: comp1}
  lwip: {compartment: comp2}
${SHARING.heap}
`,
    },
  };
}
