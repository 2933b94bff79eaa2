#!/usr/bin/env node
// The gate benchmark (paper Fig. 11) runs from the compiled tree; see scripts/gate-bench.ts.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/scripts/gate-bench.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write('run npm install first (it compiles the sources)\n');
  process.exit(1);
}
await import(compiled.href);
