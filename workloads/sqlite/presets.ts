// The paper's SQLite configurations (FLEXOS.md): no isolation, MPK3 and EPT2, the filesystem
// libraries (vfscore, ramfs) apart from the application; unlisted libraries go to the default ("rest").

import { compartmentsYaml, SHARING, type Preset } from '../../compartments/config/presets.js';

export const SQLITE_PRESETS: Readonly<Record<string, Preset>> = {
  'sqlite-none': {
    description: 'sqlite without isolation (fcalls, one compartment)',
    yaml: `name: sqlite-none
${compartmentsYaml('fcalls', 1)}
libraries:
  sqlite: {compartment: comp1}
  newlib: {compartment: comp1}
`,
  },
  'sqlite-mpk3': {
    description: 'MPK with DSS: {sqlite, newlib, rest} / {vfscore, ramfs} / {uktime} (the paper\'s SQLite MPK3)',
    yaml: `name: sqlite-mpk3
${compartmentsYaml('intel-pku', 3)}
libraries:
  sqlite: {compartment: comp1}
  newlib: {compartment: comp1}
  vfscore: {compartment: comp2}
  ramfs: {compartment: comp2}
  uktime: {compartment: comp3}
${SHARING.dss}
`,
  },
  'sqlite-ept2': {
    description: 'VM/EPT: {sqlite, newlib, rest} / {vfscore, ramfs} (the paper\'s SQLite EPT2)',
    yaml: `name: sqlite-ept2
${compartmentsYaml('vmept', 2)}
libraries:
  sqlite: {compartment: comp1}
  newlib: {compartment: comp1}
  vfscore: {compartment: comp2}
  ramfs: {compartment: comp2}
${SHARING.heap}
`,
  },
};
