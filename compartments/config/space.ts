// Exploration spaces: a space file (YAML) names the app, the driver and stack options, the layouts
// as letter -> compartment-number maps (the paper's letters: R = the app, N = newlib, S = uksched +
// ukschedcoop, L = lwip) and which letters may be hardened; expandSpace turns it into labelled points.

import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError } from '../../kernel/abi/errors.js';
import type { LibraryRegistry } from '../../kernel/abi/library.js';
import { boolean, isRecord, join, oneOf, onlyKeys, positiveNumber, record, string } from './fields.js';
import { parseConfiguration } from './parse.js';
import { DRIVERS } from '../../kernel/abi/schema.js';
import type { Configuration, Driver } from '../../kernel/abi/schema.js';

export interface SpaceLetter {
  readonly letter: string;
  readonly libraries: readonly string[];
}

export interface Space {
  readonly name: string;
  readonly app: string;
  /** The driver of every multi-compartment layout. */
  readonly driver: Driver;
  /**
   * The driver of one-compartment layouts. Default fcalls: with one compartment every call is a
   * plain call under any driver, and fcalls is the paper's NONE baseline (no DSS set-up to pay).
   */
  readonly singleDriver: Driver;
  readonly sharing: { readonly stack: 'private' | 'shared'; readonly dss: boolean };
  /** In label order. */
  readonly letters: readonly SpaceLetter[];
  /** The letter whose compartment is `default: true` (holds every unlisted library). */
  readonly defaultLetter: string;
  /** letter -> compartment number (1-based, no holes), in file order. */
  readonly layouts: readonly Readonly<Record<string, number>>[];
  /** Letters that may be hardened: 2^n hardening choices per layout. */
  readonly harden: readonly string[];
  /** What `H` means (FLEXOS.md: kasan + ubsan + stackprotector). */
  readonly hardening: readonly string[];
  /** Workload parameters for explore.js (requests, sizes, duration, runs, count). */
  readonly workload: Readonly<Record<string, number | readonly number[]>>;
  /** The metric's direction: throughput (higher) or time (lower). */
  readonly lowerIsBetter: boolean;
}

export interface SpacePoint {
  /** The paper's label, e.g. `R1HN1S2L1H`. */
  readonly label: string;
  /** The label without hardening, e.g. `R1N1S2L1`. */
  readonly layout: string;
  /** Hardened letters, in label order. */
  readonly hardened: readonly string[];
  readonly configuration: Configuration;
}

const TOP_KEYS = ['name', 'app', 'driver', 'one_compartment_driver', 'sharing', 'letters', 'default', 'layouts', 'harden', 'hardening', 'workload', 'lower_is_better'];
const LETTER = /^[A-Z]$/;

/** Validate a space (YAML text or object); ConfigError naming the field on the first problem. */
export function parseSpace(source: string | Readonly<Record<string, unknown>>): Space {
  const root = typeof source === 'string' ? parseSpaceYaml(source) : source;
  const top = record(root, '(root)', `a space mapping with keys ${TOP_KEYS.join(', ')}`);
  onlyKeys(top, TOP_KEYS, '');
  const name = string(top.name, 'name');
  const app = string(top.app, 'app');
  const driver = oneOf(top.driver ?? 'intel-pku', DRIVERS, 'driver');
  const singleDriver = oneOf(top.one_compartment_driver ?? 'fcalls', DRIVERS, 'one_compartment_driver');
  const sharingFields = record(top.sharing, 'sharing');
  onlyKeys(sharingFields, ['stack', 'dss'], 'sharing');
  const stack = oneOf(sharingFields.stack ?? 'private', ['private', 'shared'] as const, 'sharing.stack');
  const dss = sharingFields.dss === undefined ? stack === 'private' : boolean(sharingFields.dss, 'sharing.dss');
  if (stack === 'shared' && dss) throw new ConfigError('sharing.dss', true, 'Shared stacks and DSS options are incompatible', 'dss: false with stack: shared');

  const lettersFields = record(top.letters, 'letters', 'a mapping from letters to library lists, e.g. {R: [redis], L: [lwip]}');
  const letters: SpaceLetter[] = Object.entries(lettersFields).map(([letter, libs]) => {
    const path = join('letters', letter);
    if (!LETTER.test(letter)) throw new ConfigError(path, letter, 'a letter is one capital letter (H is taken: it marks hardening)', 'A-Z except H');
    if (letter === 'H') throw new ConfigError(path, letter, 'H marks a hardened library in labels', 'another capital letter');
    const list = typeof libs === 'string' ? [libs] : libs;
    if (!Array.isArray(list) || list.length === 0) throw new ConfigError(path, libs, 'expected a non-empty list of libraries', 'e.g. [uksched, ukschedcoop]');
    return { letter, libraries: list.map((l: unknown, i) => string(l, join(path, i))) };
  });
  if (letters.length === 0) throw new ConfigError('letters', lettersFields, 'a space needs at least one letter', 'e.g. {R: [redis], L: [lwip]}');
  const known = letters.map((l) => l.letter);
  const letterOf = (value: unknown, path: string): string => oneOf(value, known, path);

  const defaultLetter = letterOf(top.default ?? known[0], 'default');
  if (!Array.isArray(top.layouts) || top.layouts.length === 0) throw new ConfigError('layouts', top.layouts, 'expected a non-empty list of layouts', 'maps like {R: 1, N: 1, S: 2, L: 1} or labels like R1N1S2L1');
  const seen = new Map<string, number>();
  const layouts = top.layouts.map((entry: unknown, i) => {
    const path = join('layouts', i);
    const layout = parseLayout(entry, path, known);
    const key = layoutLabel(letters, layout);
    const clash = seen.get(key);
    if (clash !== undefined) throw new ConfigError(path, key, `the same layout as layouts[${clash}]`, 'distinct layouts');
    seen.set(key, i);
    return layout;
  });
  const harden = top.harden === undefined ? [] : listOf(top.harden, 'harden').map((v, i) => letterOf(v, join('harden', i)));
  const hardening = top.hardening === undefined ? ['kasan', 'ubsan', 'stackprotector'] : listOf(top.hardening, 'hardening').map((v, i) => string(v, join('hardening', i)));
  const workloadFields = record(top.workload, 'workload');
  const workload: Record<string, number | number[]> = {};
  for (const [key, value] of Object.entries(workloadFields)) {
    workload[key] = Array.isArray(value) ? value.map((v: unknown, i) => positiveNumber(v, join(join('workload', key), i))) : positiveNumber(value, join('workload', key));
  }
  return {
    name,
    app,
    driver,
    singleDriver,
    sharing: { stack, dss },
    letters,
    defaultLetter,
    layouts,
    harden: known.filter((l) => harden.includes(l)),
    hardening,
    workload,
    lowerIsBetter: top.lower_is_better === true,
  };
}

export function loadSpaceFile(path: string): Space {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('(file)', path, `cannot read the space file (${(error as NodeJS.ErrnoException).code ?? String(error)})`, 'a readable YAML file');
  }
  return parseSpace(text);
}

function parseSpaceYaml(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false });
  const error = doc.errors[0];
  if (error) throw new ConfigError('(yaml)', text.slice(error.pos[0], error.pos[0] + 40), error.message.split('\n')[0] ?? 'bad YAML', 'well-formed YAML');
  return doc.toJS() ?? {};
}

function listOf(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new ConfigError(path, value, 'expected a list', 'a YAML list');
  return value;
}

/** `{R: 1, N: 1, S: 2, L: 1}` or the label `R1N1S2L1`; every letter placed, numbers 1..k without holes. */
function parseLayout(entry: unknown, path: string, letters: readonly string[]): Record<string, number> {
  let map: Record<string, unknown>;
  if (typeof entry === 'string') {
    map = {};
    const re = /([A-Z])(\d+)/gy;
    let m: RegExpExecArray | null;
    let end = 0;
    while ((m = re.exec(entry)) !== null) {
      map[m[1]!] = Number(m[2]);
      end = re.lastIndex;
    }
    if (end !== entry.length) throw new ConfigError(path, entry, 'not a layout label', `letters and compartment numbers, e.g. ${letters.map((l) => `${l}1`).join('')}`);
  } else if (isRecord(entry)) {
    map = entry;
  } else {
    throw new ConfigError(path, entry, 'expected a layout', 'a map like {R: 1, L: 2} or a label like R1L2');
  }
  onlyKeys(map, letters, path);
  const layout: Record<string, number> = {};
  for (const letter of letters) {
    if (map[letter] === undefined) throw new ConfigError(join(path, letter), undefined, `letter ${letter} is not placed`, 'a compartment number from 1');
    layout[letter] = positiveNumber(map[letter], join(path, letter), { integer: true });
  }
  const used = new Set(Object.values(layout));
  for (let k = 1; k <= Math.max(...used); k++) {
    if (!used.has(k)) throw new ConfigError(path, layout, `compartment ${k} holds no letter but a higher number does (a hole in the numbering)`, 'compartments numbered 1..k, each used');
  }
  return layout;
}

function layoutLabel(letters: readonly SpaceLetter[], layout: Readonly<Record<string, number>>, hardened: ReadonlySet<string> = new Set()): string {
  return letters.map(({ letter }) => `${letter}${layout[letter]}${hardened.has(letter) ? 'H' : ''}`).join('');
}

/** Every point of a space: layouts in file order, and in each the 2^n hardening choices (none first). */
export function expandSpace(space: Space, options: { readonly registry: LibraryRegistry }): SpacePoint[] {
  const registry = options.registry;
  const points: SpacePoint[] = [];
  const n = space.harden.length;
  for (const layout of space.layouts) {
    for (let mask = 0; mask < 1 << n; mask++) {
      // The first hardenable letter is the most significant bit: R1N1S1L1, R1N1S1L1H, R1N1S1HL1, ...
      const hardened = new Set(space.harden.filter((_, i) => (mask >> (n - 1 - i)) & 1));
      const label = layoutLabel(space.letters, layout, hardened);
      points.push({
        label,
        layout: layoutLabel(space.letters, layout),
        hardened: space.letters.map((l) => l.letter).filter((l) => hardened.has(l)),
        configuration: parseConfiguration(pointYaml(space, layout, hardened, label), { registry, name: `${space.name}-${label}` }),
      });
    }
  }
  return points;
}

/** The kraft.yaml of one point: what a user would write for it by hand. */
export function pointYaml(space: Space, layout: Readonly<Record<string, number>>, hardened: ReadonlySet<string>, label: string): string {
  const count = Math.max(...Object.values(layout));
  const driver = count === 1 ? space.singleDriver : space.driver;
  const defaultIndex = layout[space.defaultLetter];
  const lines = [`name: ${space.name}-${label}`, 'compartments:'];
  for (let k = 1; k <= count; k++) {
    lines.push(`  - name: comp${k}`, `    mechanism: {driver: ${driver}}`);
    if (k === defaultIndex) lines.push('    default: true');
  }
  lines.push('libraries:');
  for (const { letter, libraries } of space.letters) {
    const hardening = hardened.has(letter) ? `, hardening: [${space.hardening.join(', ')}]` : '';
    for (const lib of libraries) lines.push(`  ${lib}: {compartment: comp${layout[letter]}${hardening}}`);
  }
  if (count > 1 && driver !== 'fcalls') lines.push(`sharing: {stack: ${space.sharing.stack}, dss: ${space.sharing.dss}}`);
  return lines.join('\n') + '\n';
}

/** What the paper's exploration space of a network server needs from its application. */
export interface NetworkServerSpace {
  /** The application library: the letter R. */
  readonly app: string;
  /** The application as the paper writes it (Redis, Nginx), for the file's comment. */
  readonly title: string;
  /** The short runs of an exploration, e.g. {requests: 20000, sizes: [1]} (run.js uses the paper's full ones). */
  readonly workload: Readonly<Record<string, number | readonly number[]>>;
}

/** A library name as configurations write it, so it can stand in YAML unquoted. */
const LIBRARY_NAME = /^[a-z][a-z0-9-]*$/;

/** The paper's space of a network server as space-file YAML (workloads/<app>/space.yaml holds the same). */
export function paperSpaceYaml(server: NetworkServerSpace): string {
  if (typeof server !== 'object' || server === null || !LIBRARY_NAME.test(server.app)) {
    throw new TypeError(`paperSpace: expected {app, title, workload} with app a library name, got ${JSON.stringify(server)}`);
  }
  const { app, title } = server;
  const workload = Object.entries(server.workload).map(([key, value]) => `${key}: ${Array.isArray(value) ? `[${value.join(', ')}]` : value}`);
  return `# The paper's ${title} exploration space (FLEXOS.md): five layouts x 2^4 hardening
# choices = 80 configurations. MPK with DSS for every multi-compartment layout; the one-compartment
# layout runs on fcalls (the NONE baseline: with one compartment every call is a plain call anyway).
name: ${app}
app: ${app}
driver: intel-pku
one_compartment_driver: fcalls
sharing: {stack: private, dss: true}
letters:
  R: [${app}]
  N: [newlib]
  S: [uksched, ukschedcoop]
  L: [lwip]
# The default compartment (app, newlib, tlsf and the rest) is the one holding R.
default: R
layouts:
  - {R: 1, N: 1, S: 1, L: 1}
  - {R: 1, N: 1, S: 1, L: 2}
  - {R: 1, N: 1, S: 2, L: 1}
  - {R: 2, N: 2, S: 1, L: 1}
  - {R: 1, N: 1, S: 2, L: 3}
harden: [R, N, S, L]
hardening: [kasan, ubsan, stackprotector]
# Short runs for exploration (run.js uses the paper's full parameters).
workload: {${workload.join(', ')}}
`;
}

/** The paper's 80-configuration space of a network server (Redis, Nginx). */
export function paperSpace(server: NetworkServerSpace): Space {
  return parseSpace(paperSpaceYaml(server));
}
