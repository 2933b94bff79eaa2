// The applications are known through their App (workloads/<app>/app.ts) and the registry, never by
// name: every registered app is found, brings its library, presets and space, and no source file
// outside its own folder tests a value against its name.

import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPLICATIONS, APPS, appNamed, findApp, libraryRegistry } from '../../workloads/registry.js';
import { isPreset, loadPreset, PRESETS } from '../../workloads/presets.js';
import { appOf } from '../../workloads/launch.js';
import { loadSpaceFile } from '../../compartments/config/space.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The folders of the stack, whose sources must not dispatch on an application's name. */
const SOURCE_FOLDERS = ['shm', 'kernel', 'compartments', 'workloads', 'scripts'];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface NameDispatch {
  readonly line: number;
  readonly name: string;
  readonly text: string;
}

/** Comparisons and cases against an application's name in quotes: `app === 'redis'`, `'nginx' !== x`, `case 'sqlite':`. */
export function nameDispatches(source: string, names: readonly string[]): NameDispatch[] {
  // The name in matching quotes, as capture groups n (the quote) and n + 1 (the name).
  const quoted = (n: number): string => `(["'\`])(${names.map(escape).join('|')})\\${n}`;
  const pattern = new RegExp(`(?:[!=]==?\\s*${quoted(1)})|(?:\\bcase\\s+${quoted(3)})|(?:${quoted(5)}\\s*[!=]==?)`);
  const found: NameDispatch[] = [];
  source.split('\n').forEach((text, i) => {
    const m = pattern.exec(text);
    if (m) found.push({ line: i + 1, name: (m[2] ?? m[4] ?? m[6])!, text: text.trim() });
  });
  return found;
}

t.test('a dispatch on a name is found in any of its spellings; a preset name or a plain mention is not one', async (t) => {
  const names = ['redis', 'nginx', 'sqlite'];
  const source = [
    "if (app === 'redis') go();", // 1
    'const x = "nginx" !== image.app;', // 2
    'switch (app) { case `sqlite`: break; }', // 3
    "if (name == 'redis') go();", // 4
    "const preset = name === 'redis-mpk2';", // 5: a preset, not the app
    "const lib = 'redis';", // 6: a mention
    "if (app === 'redisx') go();", // 7: another name
  ].join('\n');
  t.same(nameDispatches(source, names).map((d) => `${d.line}:${d.name}`), ['1:redis', '2:nginx', '3:sqlite', '4:redis']);
});

t.test('no source file outside workloads/<app>/ dispatches on that application\'s name', async (t) => {
  const names = APPS.map((app) => app.name);
  const files = SOURCE_FOLDERS.flatMap(sources);
  t.ok(files.length > 100, `read ${files.length} source files`);
  const found = files.flatMap((file) =>
    nameDispatches(readFileSync(join(ROOT, file), 'utf8'), names)
      .filter((d) => !file.startsWith(join('workloads', d.name) + '/'))
      .map((d) => `${file}:${d.line}: ${d.text}`),
  );
  t.same(found, [], 'look the App up (workloads/registry.ts) and call on it instead');
});

t.test('every registered application is found by its name, which is its library\'s', async (t) => {
  t.ok(APPS.length >= 4, `${APPS.length} applications`);
  t.equal(new Set(APPS.map((app) => app.name)).size, APPS.length, 'names are distinct');
  for (const app of APPS) {
    t.equal(appNamed(app.name), app, `appNamed(${app.name})`);
    t.equal(findApp(app.name), app, `findApp(${app.name})`);
    t.equal(app.library.name, app.name, `${app.name}: its library has its name`);
    t.ok(app.title.trim().length > 0, `${app.name}: a title (${app.title})`);
  }
  for (const name of ['redis', 'nginx', 'sqlite', 'iperf']) t.ok(findApp(name), `${name} is registered`);
});

t.test('an unknown application is refused, naming the valid ones', async (t) => {
  const valid = APPS.map((app) => app.name).join(', ');
  t.throws(() => appNamed('postgres'), { code: 'FLEXOS_ERR_CONFIG', path: 'app', message: new RegExp(`"postgres".*valid: ${escape(valid)}`) });
  t.equal(findApp('postgres'), undefined);
  for (const name of ['toString', '__proto__', 'constructor', '', 'Redis']) t.equal(findApp(name), undefined, `${JSON.stringify(name)} is no application`);
});

t.test("every application's library is in the library registry, and APPLICATIONS lists exactly them", async (t) => {
  t.same(APPLICATIONS.map((l) => l.name), APPS.map((app) => app.name));
  for (const app of APPS) t.equal(libraryRegistry.get(app.name), app.library, `${app.name} is in libraryRegistry`);
});

t.test('every application runs one way: a network server or a local workload', async (t) => {
  for (const app of APPS) t.equal(Number(app.server !== undefined) + Number(app.local !== undefined), 1, app.name);
});

t.test("every application's presets are named after it, parse, and run it", async (t) => {
  for (const app of APPS) {
    const names = Object.keys(app.presets);
    t.ok(names.length > 0, `${app.name} has presets`);
    for (const name of names) {
      t.ok(name.startsWith(`${app.name}-`), `${name} is named after ${app.name}`);
      t.ok(isPreset(name), `${name} is in PRESETS`);
      t.equal(PRESETS[name], app.presets[name]);
      t.equal(appOf(loadPreset(name, { registry: libraryRegistry })), app, `${name} runs ${app.name}`);
    }
  }
  t.equal(Object.keys(PRESETS).length, APPS.reduce((n, app) => n + Object.keys(app.presets).length, 0), 'PRESETS holds every application\'s, no more');
});

t.test("every application's space is its shipped workloads/<app>/space.yaml and explores it", async (t) => {
  for (const app of APPS) {
    const space = app.space();
    t.equal(space.app, app.name, `${app.name}: the space names it`);
    t.ok(space.letters.some((l) => l.libraries.includes(app.name)), `${app.name}: a letter places it`);
    t.same(loadSpaceFile(join(ROOT, 'workloads', app.name, 'space.yaml')), space, `${app.name}: as shipped`);
  }
});
