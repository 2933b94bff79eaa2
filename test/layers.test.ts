// The folders form a stack and import only downward: shm (simulated memory), kernel/abi (the
// contract a library codes against), kernel (the micro-libraries), compartments, workloads, scripts.
// Read from the sources, so a new upward import fails here before anyone has to find it.

import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Bottom first; a file may import its own layer and the ones below it. */
export const LAYERS = ['shm', 'kernel/abi', 'kernel', 'compartments', 'workloads', 'scripts'] as const;

export function layerOf(path: string): number {
  // The most specific prefix wins: kernel/abi/x.ts is in kernel/abi, not kernel.
  let best = -1;
  let bestLength = -1;
  LAYERS.forEach((layer, i) => {
    if ((path === layer || path.startsWith(layer + '/')) && layer.length > bestLength) {
      best = i;
      bestLength = layer.length;
    }
  });
  return best;
}

/** The relative module specifiers of a source file: static and dynamic imports, re-exports, worker URLs. */
export function relativeImports(source: string): string[] {
  const found: string[] = [];
  const pattern = /(?:from\s+|import\(\s*|new URL\(\s*)['"](\.{1,2}\/[^'"]*)['"]/g;
  for (const match of source.matchAll(pattern)) found.push(match[1]!);
  return found;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

export interface UpwardImport {
  readonly file: string;
  readonly imports: string;
  readonly from: string;
  readonly to: string;
}

export function upwardImports(files: readonly string[], read: (file: string) => string): UpwardImport[] {
  const found: UpwardImport[] = [];
  for (const file of files) {
    const own = layerOf(file);
    for (const spec of relativeImports(read(file))) {
      const target = normalize(join(dirname(file), spec)).replace(/\\/g, '/');
      const theirs = layerOf(target);
      if (theirs > own) found.push({ file, imports: target, from: LAYERS[own]!, to: LAYERS[theirs]! });
    }
  }
  return found;
}

t.test('the layer of a path is its most specific folder', async (t) => {
  t.equal(LAYERS[layerOf('shm/memory.ts')], 'shm');
  t.equal(LAYERS[layerOf('kernel/abi/errors.ts')], 'kernel/abi');
  t.equal(LAYERS[layerOf('kernel/lwip/lwip.ts')], 'kernel');
  t.equal(LAYERS[layerOf('kernel/abiding.ts')], 'kernel', 'a prefix of a name is not the folder');
  t.equal(layerOf('test/layers.test.ts'), -1, 'tests stand outside the stack');
});

t.test('an upward import is found, a downward one is not', async (t) => {
  const tree: Record<string, string> = {
    'shm/memory.ts': "import { ProtectionFault } from '../kernel/abi/errors.js';",
    'kernel/lwip/lwip.ts': "import type { Memory } from '../../shm/memory.js';\nconst m = await import('../../compartments/host/host.js');",
    'workloads/redis/exports.ts': "implementation: new URL('./server.js', import.meta.url).href",
  };
  const found = upwardImports(Object.keys(tree), (f) => tree[f]!);
  t.same(
    found.map((u) => `${u.file} -> ${u.imports}`),
    ['shm/memory.ts -> kernel/abi/errors.js', 'kernel/lwip/lwip.ts -> compartments/host/host.js'],
  );
});

t.test('no folder imports a folder above it', async (t) => {
  const files = ['shm', 'kernel', 'compartments', 'workloads', 'scripts'].flatMap(sources);
  t.ok(files.length > 100, `read ${files.length} source files`);
  const upward = upwardImports(files, (f) => readFileSync(join(ROOT, f), 'utf8'));
  t.same(
    upward.map((u) => `${u.file} (${u.from}) imports ${u.imports} (${u.to})`),
    [],
    'every import points to the same layer or one below',
  );
});

t.test('the layers are the top-level folders, bottom first', async (t) => {
  const top = readdirSync(ROOT, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  for (const layer of LAYERS) t.ok(top.includes(layer.split('/')[0]!), `${layer} exists`);
});
