// The paper's iPerf configurations (FLEXOS.md, Fig. 9). iPerf isolates the application, not the
// stack: comp1 holds iperf alone and comp2, the default, holds lwip, newlib and the rest. Then the
// baselines (Unikraft for Fig. 9, and the others) as for every network server.

import { networkBaselinePresets, presetYaml, SHARING, type Preset } from '../../compartments/config/presets.js';

export const IPERF_PRESETS: Readonly<Record<string, Preset>> = {
  'iperf-none': {
    description: 'iperf server without isolation (fcalls, one compartment)',
    yaml: presetYaml('iperf-none', 'fcalls', 1, [['iperf', 1], ['newlib', 1]]),
  },
  'iperf-mpk2-light': {
    description: 'MPK-light, shared stacks: {iperf} / {lwip, newlib, rest}',
    yaml: presetYaml('iperf-mpk2-light', 'intel-pku', 2, [['iperf', 1], ['lwip', 2], ['newlib', 2]], SHARING.light, 2),
  },
  'iperf-mpk2-dss': {
    description: 'MPK, private stacks with DSS: {iperf} / {lwip, newlib, rest}',
    yaml: presetYaml('iperf-mpk2-dss', 'intel-pku', 2, [['iperf', 1], ['lwip', 2], ['newlib', 2]], SHARING.dss, 2),
  },
  'iperf-ept2': {
    description: 'VM/EPT: {iperf} / {lwip, newlib, rest}',
    yaml: presetYaml('iperf-ept2', 'vmept', 2, [['iperf', 1], ['lwip', 2], ['newlib', 2]], SHARING.heap, 2),
  },
  ...networkBaselinePresets('iperf'),
};
