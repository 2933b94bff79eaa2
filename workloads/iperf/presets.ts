// The paper's iPerf configurations (FLEXOS.md, Fig. 9). iPerf isolates the application, not the
// stack: comp1 holds iperf alone and comp2, the default, holds lwip, newlib and the rest. Then the
// baselines (Unikraft for Fig. 9, and the others) as for every network server.

import { compartmentsYaml, networkBaselinePresets, SHARING, type Preset } from '../../compartments/config/presets.js';

export const IPERF_PRESETS: Readonly<Record<string, Preset>> = {
  'iperf-none': {
    description: 'iperf server without isolation (fcalls, one compartment)',
    yaml: `name: iperf-none
${compartmentsYaml('fcalls', 1)}
libraries:
  iperf: {compartment: comp1}
  newlib: {compartment: comp1}
`,
  },
  'iperf-mpk2-light': {
    description: 'MPK-light, shared stacks: {iperf} / {lwip, newlib, rest}',
    yaml: `name: iperf-mpk2-light
${compartmentsYaml('intel-pku', 2, 2)}
libraries:
  iperf: {compartment: comp1}
  lwip: {compartment: comp2}
  newlib: {compartment: comp2}
${SHARING.light}
`,
  },
  'iperf-mpk2-dss': {
    description: 'MPK, private stacks with DSS: {iperf} / {lwip, newlib, rest}',
    yaml: `name: iperf-mpk2-dss
${compartmentsYaml('intel-pku', 2, 2)}
libraries:
  iperf: {compartment: comp1}
  lwip: {compartment: comp2}
  newlib: {compartment: comp2}
${SHARING.dss}
`,
  },
  'iperf-ept2': {
    description: 'VM/EPT: {iperf} / {lwip, newlib, rest}',
    yaml: `name: iperf-ept2
${compartmentsYaml('vmept', 2, 2)}
libraries:
  iperf: {compartment: comp1}
  lwip: {compartment: comp2}
  newlib: {compartment: comp2}
${SHARING.heap}
`,
  },
  ...networkBaselinePresets('iperf'),
};
