// Starts a command from the compiled tree: the sources are TypeScript, compiled into dist/ by
// `npm install` (its prepare step runs tsc). Each scripts/<name>.js is a one-line call to this.
import { existsSync } from 'node:fs';

export async function start(name) {
  const compiled = new URL(`../dist/scripts/${name}.js`, import.meta.url);
  if (!existsSync(compiled)) {
    process.stderr.write('flexos-sim is not built: run `scripts/install.sh` or `npm install` first (it compiles the sources into dist/)\n');
    process.exit(1);
  }
  await import(compiled.href);
}
