// SQLite as an application of the simulator: the paper's SQLite presets and an exploration space
// over the filesystem and time libraries; no network, so the host boots the image and calls into
// it (workloads/sqlite/drive.ts): the paper's INSERT benchmark, or any SQL.

import { fileURLToPath } from 'node:url';
import type { App } from '../app.js';
import { loadSpaceFile } from '../../compartments/config/space.js';
import { sqlite } from './exports.js';
import { SQLITE_PRESETS } from './presets.js';

// drive.ts is imported when first needed: it imports launch.ts, which imports the registry that
// lists this module, and a module in that cycle could be read before it is initialised.
const drive = (): Promise<typeof import('./drive.js')> => import('./drive.js');

export const sqliteApp: App = {
  name: sqlite.name,
  title: 'SQLite',
  library: sqlite,
  presets: SQLITE_PRESETS,
  // workloads/sqlite/space.yaml in the source tree (this file runs from dist/workloads/sqlite/).
  space: () => loadSpaceFile(fileURLToPath(new URL('../../../workloads/sqlite/space.yaml', import.meta.url))),
  metric: 's',
  local: {
    command: async (config, options) => (await drive()).runSqliteCommand(config, options),
    async time(config, options) {
      const { SqliteImage, modelBench } = await drive();
      const image = await SqliteImage.boot(config, { registry: options.registry });
      try {
        const bench = await image.bench(options.count);
        return modelBench(config, bench, options.pricing).seconds;
      } finally {
        await image.shutdown();
      }
    },
  },
};
