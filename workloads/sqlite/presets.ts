// The paper's SQLite configurations (FLEXOS.md): no isolation, MPK3 and EPT2, the filesystem
// libraries (vfscore, ramfs) apart from the application; unlisted libraries go to the default ("rest").
// Then the baselines Fig. 10 compares them with: Unikraft, Linux (PT2), seL4/Genode (PT3), CubicleOS.

import { presetYaml, SHARING, type Preset } from '../../compartments/config/presets.js';

export const SQLITE_PRESETS: Readonly<Record<string, Preset>> = {
  'sqlite-none': {
    description: 'sqlite without isolation (fcalls, one compartment)',
    yaml: presetYaml('sqlite-none', 'fcalls', 1, [['sqlite', 1], ['newlib', 1]]),
  },
  'sqlite-mpk3': {
    description: 'MPK with DSS: {sqlite, newlib, rest} / {vfscore, ramfs} / {uktime} (the paper\'s SQLite MPK3)',
    yaml: presetYaml('sqlite-mpk3', 'intel-pku', 3, [['sqlite', 1], ['newlib', 1], ['vfscore', 2], ['ramfs', 2], ['uktime', 3]], SHARING.dss),
  },
  'sqlite-ept2': {
    description: 'VM/EPT: {sqlite, newlib, rest} / {vfscore, ramfs} (the paper\'s SQLite EPT2)',
    yaml: presetYaml('sqlite-ept2', 'vmept', 2, [['sqlite', 1], ['newlib', 1], ['vfscore', 2], ['ramfs', 2]], SHARING.heap),
  },
  // The baselines (FLEXOS.md, "Baselines the paper compares against"): the same libraries, another
  // boundary. A process and seL4 components pass stack buffers as C does (one stack both sides map:
  // a stack variable costs Fig. 11b's 2 cycles); their boundary copies what a call passes instead.
  'sqlite-unikraft': {
    description: 'sqlite on Unikraft: one image, no gate layer (direct calls, no compartment bookkeeping)',
    yaml: presetYaml('sqlite-unikraft', 'unikraft', 1, [['sqlite', 1], ['newlib', 1]]),
  },
  'sqlite-linux-pt2': {
    description: 'sqlite as a Linux process (PT2): {sqlite, newlib, rest} in user space / {vfscore, ramfs} behind system calls with copy_from_user/copy_to_user',
    yaml: presetYaml('sqlite-linux-pt2', 'linux', 2, [['sqlite', 1], ['newlib', 1], ['vfscore', 2], ['ramfs', 2]], SHARING.light),
  },
  'sqlite-sel4-pt3': {
    description: 'sqlite on seL4/Genode (PT3): {sqlite, newlib, rest} / {vfscore, ramfs} / {uktime} as components over IPC call/reply',
    yaml: presetYaml('sqlite-sel4-pt3', 'sel4', 3, [['sqlite', 1], ['newlib', 1], ['vfscore', 2], ['ramfs', 2], ['uktime', 3]], SHARING.light),
  },
  'sqlite-cubicleos-mpk3': {
    description: 'sqlite on CubicleOS (MPK3): {sqlite, newlib, rest} / {vfscore, ramfs} / {uktime}, trampolines and a window per buffer passed',
    yaml: presetYaml('sqlite-cubicleos-mpk3', 'cubicleos', 3, [['sqlite', 1], ['newlib', 1], ['vfscore', 2], ['ramfs', 2], ['uktime', 3]], SHARING.dss),
  },
};
