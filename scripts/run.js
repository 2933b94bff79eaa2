#!/usr/bin/env node
// Entry point: the sources are TypeScript, compiled by `npm install` (prepare) into dist/.
import { existsSync } from 'node:fs';
const compiled = new URL('../dist/scripts/run.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write('flexos-sim is not built: run `npm install` first (it compiles the sources into dist/)\n');
  process.exit(1);
}
await import(compiled.href);
